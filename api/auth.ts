import type { FastifyRequest } from 'fastify';
import type { Principal, PrincipalDirectory, PrincipalRole } from '../config/principals';
import { ApiError } from './errors';

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal | undefined;
  }
}

/** Identity comes from the API key in `Authorization: Bearer <key>`, never from the body. */
export function authenticate(directory: PrincipalDirectory, request: FastifyRequest): Principal {
  const key = bearerKey(request);
  if (!key) throw new ApiError(401, 'unauthenticated', 'missing bearer API key');
  const principal = directory.authenticate(key);
  if (!principal) throw new ApiError(401, 'unauthenticated', 'invalid API key');
  request.principal = principal;
  return principal;
}

/** The principal the request's API key belongs to, if any; refuses nothing (for the rate limiter). */
export function identify(directory: PrincipalDirectory, request: FastifyRequest): Principal | undefined {
  const key = bearerKey(request);
  return key ? directory.authenticate(key) : undefined;
}

function bearerKey(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  const match = typeof header === 'string' ? /^Bearer\s+(\S+)$/i.exec(header) : null;
  return match?.[1];
}

export function hasRole(principal: Principal, ...roles: PrincipalRole[]): boolean {
  return roles.some((role) => principal.roles.includes(role));
}

/** Throws 403 unless the principal holds one of the roles. */
export function requireRole(principal: Principal, ...roles: PrincipalRole[]): void {
  if (!hasRole(principal, ...roles)) {
    throw new ApiError(403, 'forbidden', `${principal.id} needs one of the roles: ${roles.join(', ')}`);
  }
}
