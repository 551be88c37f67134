import type { FastifyRequest } from 'fastify';
import type { ApiKeyPrincipal, Principal, PrincipalDirectory, PrincipalRole } from '../config/principals';
import { ApiError } from './errors';

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal | undefined;
  }
}

/**
 * The principal of the API key in `Authorization: Bearer <key>`; 401 otherwise. API keys only: the
 * routes take tokens too (api/authenticator.ts); the codec, which only operators' keys open, does not.
 */
export function authenticateApiKey(directory: PrincipalDirectory, request: FastifyRequest): ApiKeyPrincipal {
  const key = bearerCredential(request);
  if (!key) throw new ApiError(401, 'unauthenticated', 'missing bearer API key');
  const principal = directory.authenticate(key);
  if (!principal) throw new ApiError(401, 'unauthenticated', 'invalid API key');
  request.principal = principal;
  return principal;
}

/** The principal the request's API key belongs to, if any; refuses nothing. */
export function identifyApiKey(directory: PrincipalDirectory, request: FastifyRequest): ApiKeyPrincipal | undefined {
  const key = bearerCredential(request);
  return key ? directory.authenticate(key) : undefined;
}

/** The credential of `Authorization: Bearer <credential>`: an API key or a token. */
export function bearerCredential(request: FastifyRequest): string | undefined {
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
