import type { FastifyRequest, preValidationAsyncHookHandler } from 'fastify';
import type { Principal, PrincipalRole } from '../config/principals';
import { requireRole } from './auth';
import type { Authenticator } from './authenticator';
import type { ErrorCodes } from './route-responses';

declare module 'fastify' {
  interface FastifySchema {
    /** The roles that may call the route; the machine-readable twin of its access sentence. */
    'x-airlock-roles'?: readonly string[];
  }
}

/** Who may call a route: its check, and what the route's schema says about it. */
export interface Access {
  /**
   * Authenticates the API key or token (401) and checks the roles (403) at `preValidation`: after the
   * body is parsed, before it is validated, so a caller without a credential learns nothing about the input.
   */
  check: preValidationAsyncHookHandler;
  /** The route schema's part: its security requirement, roles, and the sentence for its description. */
  schema: { security: typeof BEARER_SECURITY; 'x-airlock-roles'?: readonly PrincipalRole[] };
  sentence: string;
  errors: ErrorCodes;
}

/** Either credential opens the route (api/openapi.ts names both schemes). */
const BEARER_SECURITY: readonly Record<string, readonly string[]>[] = [{ apiKey: [] }, { oidcToken: [] }];

/** An API key or token with one of `roles`, or any (`'any'`: every role). */
export function bearerAccess(auth: Authenticator, roles: readonly PrincipalRole[] | 'any'): Access {
  const check: preValidationAsyncHookHandler = async (request) => {
    const principal = await auth.authenticate(request);
    if (roles !== 'any') requireRole(principal, ...roles);
    checked.set(request, principal);
  };
  if (roles === 'any') {
    return { check, schema: { security: BEARER_SECURITY }, sentence: 'Access: any API key or token (every role).', errors: { 401: ['unauthenticated'] } };
  }
  return {
    check,
    schema: { security: BEARER_SECURITY, 'x-airlock-roles': roles },
    sentence: `Access: an API key or token with the role ${roles.map((role) => `\`${role}\``).join(' or ')}.`,
    errors: { 401: ['unauthenticated'], 403: ['forbidden'] },
  };
}

/** Requests an access check let through, with the principal it authenticated. */
const checked = new WeakMap<FastifyRequest, Principal>();

/** The principal `Access.check` authenticated; a route without the check has none (a bug, so 500). */
export function caller(request: FastifyRequest): Principal {
  const principal = checked.get(request);
  if (!principal) throw new Error(`${request.routeOptions.url ?? request.url} reads its caller without an access check`);
  return principal;
}

/** The documentation fields of an operation, its access sentence appended to the description. */
export function operation(doc: { id: string; tag: string; summary: string; description: string; access?: Access; note?: string }) {
  return {
    operationId: doc.id,
    tags: [doc.tag],
    summary: doc.summary,
    description: `${doc.description}\n\n${doc.note ?? doc.access?.sentence ?? 'Access: no API key.'}`,
    ...(doc.access ? doc.access.schema : { security: [] }),
  };
}
