import type { FastifyRequest } from 'fastify';
import type { Principal, PrincipalDirectory, PrincipalRole } from '../config/principals';
import { ApiError } from './errors';

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
}

/** Identity comes from the API key in `Authorization: Bearer <key>`, never from the body. */
export function authenticate(directory: PrincipalDirectory, request: FastifyRequest): Principal {
  const header = request.headers.authorization;
  const match = typeof header === 'string' ? /^Bearer\s+(\S+)$/i.exec(header) : null;
  if (!match?.[1]) throw new ApiError(401, 'unauthenticated', 'missing bearer API key');
  const principal = directory.authenticate(match[1]);
  if (!principal) throw new ApiError(401, 'unauthenticated', 'invalid API key');
  request.principal = principal;
  return principal;
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
