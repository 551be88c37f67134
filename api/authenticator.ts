import type { FastifyRequest } from 'fastify';
import type { Principal, PrincipalDirectory } from '../config/principals';
import type { TokenIssuer } from '../config/token-issuers';
import { bearerCredential } from './auth';
import { ApiError } from './errors';
import { TokenVerifier } from './token-verifier';

/** Three base64url segments (the last empty for `alg: none`): a JWT. API keys (`alk_…`) have no dot. */
const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

type Verdict = { ok: true; principal: Principal } | { ok: false; message: string; log: Record<string, string> };

/**
 * Who a request is, from `Authorization: Bearer <credential>`: the principal of an API key, or the
 * identity a token from a trusted issuer names (api/token-verifier.ts). Each request is judged
 * once: the rate limiter asks first, so tokens are limited per identity too, and the route's access
 * check gets the same verdict.
 */
export class Authenticator {
  private readonly verdicts = new WeakMap<FastifyRequest, Promise<Verdict>>();
  private readonly tokens: TokenVerifier | undefined;

  constructor(
    private readonly keys: PrincipalDirectory,
    tokenIssuers: readonly TokenIssuer[] = [],
  ) {
    this.tokens = tokenIssuers.length > 0 ? new TokenVerifier(tokenIssuers) : undefined;
  }

  /** The request's principal; otherwise 401 `unauthenticated`, saying which check failed. */
  async authenticate(request: FastifyRequest): Promise<Principal> {
    const verdict = await this.verdictOf(request);
    if (verdict.ok) return verdict.principal;
    // On the request's logger, so the error handler's "refused request" line says which check failed.
    request.log = request.log.child(verdict.log);
    throw new ApiError(401, 'unauthenticated', verdict.message);
  }

  /** The request's principal when its credential is valid; refuses nobody (the rate limiter's question). */
  async identify(request: FastifyRequest): Promise<Principal | undefined> {
    const verdict = await this.verdictOf(request);
    return verdict.ok ? verdict.principal : undefined;
  }

  private verdictOf(request: FastifyRequest): Promise<Verdict> {
    let verdict = this.verdicts.get(request);
    if (!verdict) {
      verdict = this.judge(bearerCredential(request));
      this.verdicts.set(request, verdict);
    }
    return verdict;
  }

  private async judge(credential: string | undefined): Promise<Verdict> {
    if (!credential) return { ok: false, message: 'missing bearer API key or token', log: { credential: 'none' } };
    if (!JWT_SHAPE.test(credential)) {
      const principal = this.keys.authenticate(credential);
      return principal
        ? { ok: true, principal: { id: principal.id, roles: principal.roles } }
        : { ok: false, message: 'invalid API key', log: { credential: 'api_key' } };
    }
    if (!this.tokens) {
      return { ok: false, message: 'this API accepts no tokens (no token issuers are configured)', log: { credential: 'token', tokenRefusal: 'no_issuers' } };
    }
    const check = await this.tokens.verify(credential);
    if (check.ok) return { ok: true, principal: check.principal };
    const log = {
      credential: 'token',
      tokenRefusal: check.reason,
      ...(check.issuer ? { issuer: check.issuer } : {}),
      ...(check.detail ? { detail: check.detail } : {}),
    };
    return { ok: false, message: check.message, log };
  }
}
