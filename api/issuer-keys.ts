import { keySourceProblem, type TokenIssuer } from '../config/token-issuers';
import { jose, type Jose } from '../net/jose';

const DISCOVERY_TIMEOUT_MS = 5_000;
/** After a failed discovery, its tokens are refused this long before the next try: a flood of them fetches nothing. */
const DISCOVERY_RETRY_MS = 30_000;

/**
 * One issuer's signing keys: its JWKS, from `jwksUrl` or from the `jwks_uri` of its discovery
 * document, read on first use. jose caches the set and reads it again (at most every 30 s) when a
 * token names a key it has not seen, so a key rotation needs nothing from Airlock. Concurrent
 * tokens share one discovery; a failed one is tried again 30 s later.
 */
export class IssuerKeys {
  private attempt: { keys: Promise<Jose.JWTVerifyGetKey>; retryAt?: number } | undefined;

  constructor(private readonly issuer: TokenIssuer) {}

  /** The key resolver for `jwtVerify`; rejects when discovery failed. */
  resolver(): Promise<Jose.JWTVerifyGetKey> {
    if (!this.attempt || (this.attempt.retryAt !== undefined && Date.now() >= this.attempt.retryAt)) {
      const attempt: NonNullable<typeof this.attempt> = { keys: this.discover().then((url) => jose.createRemoteJWKSet(url)) };
      attempt.keys.catch(() => {
        attempt.retryAt = Date.now() + DISCOVERY_RETRY_MS;
      });
      this.attempt = attempt;
    }
    return this.attempt.keys;
  }

  private async discover(): Promise<URL> {
    if (this.issuer.jwksUrl) return new URL(this.issuer.jwksUrl);
    const url = `${this.issuer.issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
    const response = await fetch(url, { signal: AbortSignal.timeout(DISCOVERY_TIMEOUT_MS), redirect: 'error' });
    if (!response.ok) throw new Error(`${url} answered ${response.status}`);
    const metadata: unknown = await response.json();
    const field = (name: string): unknown => (typeof metadata === 'object' && metadata !== null ? (metadata as Record<string, unknown>)[name] : undefined);
    // OpenID Connect Discovery 1.0 §4.3: a document naming another issuer is not this issuer's.
    if (field('issuer') !== this.issuer.issuer) throw new Error(`${url} names another issuer`);
    const jwksUri = field('jwks_uri');
    if (typeof jwksUri !== 'string') throw new Error(`${url} has no jwks_uri`);
    const problem = keySourceProblem(jwksUri);
    if (problem) throw new Error(`${url}: jwks_uri ${problem}`);
    return new URL(jwksUri);
  }
}
