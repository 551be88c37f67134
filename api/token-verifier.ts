import { IDENTITY_ID_PATTERN, type Principal } from '../config/principals';
import type { TokenIssuer } from '../config/token-issuers';
import { jose, type Jose } from '../net/jose';
import { IssuerKeys } from './issuer-keys';

const { decodeJwt, errors, jwtVerify } = jose;

/** Asymmetric signatures only: `none` and the HS* family (whose secret could be the issuer's public key) never verify. */
export const TOKEN_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519'];

/** Clock skew allowed on `exp`, `nbf` and `iat` between the issuer and this API. */
export const TOKEN_CLOCK_TOLERANCE_S = 30;

/** Workload and login tokens live minutes to hours; one valid for longer is a bearer secret nobody meant to mint. */
export const MAX_TOKEN_LIFETIME_S = 24 * 60 * 60;

/** Which check a token failed: for the 401 message and the log, never the token itself. */
export type TokenRefusal =
  | 'malformed'
  | 'unknown_issuer'
  | 'bad_algorithm'
  | 'unknown_key'
  | 'bad_signature'
  | 'expired'
  | 'not_yet_valid'
  | 'wrong_issuer'
  | 'wrong_audience'
  | 'missing_claim'
  | 'too_long_lived'
  | 'no_identity'
  | 'keys_unavailable';

export type TokenCheck =
  { ok: true; principal: Principal; issuer: string } | { ok: false; reason: TokenRefusal; message: string; issuer?: string; detail?: string };

/**
 * Checks bearer tokens from the configured issuers: the issuer is picked by the token's `iss`, then
 * jose checks the signature against that issuer's JWKS, the algorithm, `iss`, `aud`, `exp`, `nbf`
 * and `iat`; the lifetime must be at most 24 h; the identity claim must name an identity.
 */
export class TokenVerifier {
  private readonly issuers = new Map<string, { config: TokenIssuer; keys: IssuerKeys }>();

  constructor(issuers: readonly TokenIssuer[]) {
    for (const config of issuers) this.issuers.set(config.issuer, { config, keys: new IssuerKeys(config) });
  }

  /** Never throws: a refusal says which check failed. */
  async verify(token: string): Promise<TokenCheck> {
    let claimedIssuer: unknown;
    try {
      claimedIssuer = decodeJwt(token).iss;
    } catch {
      return refused('malformed', 'malformed token');
    }
    const issuer = typeof claimedIssuer === 'string' ? this.issuers.get(claimedIssuer) : undefined;
    if (!issuer) {
      // The claim is unverified: logged (cut short), never answered.
      const claimed = typeof claimedIssuer === 'string' ? { issuer: claimedIssuer.slice(0, 200) } : {};
      return { ...refused('unknown_issuer', 'token from an issuer this API does not trust'), ...claimed };
    }
    const { config } = issuer;
    let keys: Jose.JWTVerifyGetKey;
    try {
      keys = await issuer.keys.resolver();
    } catch (err) {
      return { ...refused('keys_unavailable', "the token issuer's signing keys could not be read; try again later", messageOf(err)), issuer: config.issuer };
    }
    try {
      const { payload } = await jwtVerify(token, keys, {
        issuer: config.issuer,
        audience: config.audience,
        algorithms: TOKEN_ALGORITHMS,
        clockTolerance: TOKEN_CLOCK_TOLERANCE_S,
        requiredClaims: ['exp', 'iat'],
      });
      return identify(config, payload);
    } catch (err) {
      return { ...refusalOf(err), issuer: config.issuer };
    }
  }
}

/** The verified token's identity, with the issuer's roles; refused when it lives too long or names nobody. */
function identify(config: TokenIssuer, payload: Jose.JWTPayload): TokenCheck {
  // Both are numbers here: jose checked them as required claims.
  if ((payload.exp ?? 0) - (payload.iat ?? 0) > MAX_TOKEN_LIFETIME_S) {
    return { ...refused('too_long_lived', `token lifetime (exp - iat) is over ${MAX_TOKEN_LIFETIME_S / 3600} h`), issuer: config.issuer };
  }
  const id = identityOf(config, payload[config.identityClaim]);
  if (id === undefined) {
    // The claim value is not answered: it may be an email address. The log has the issuer and the claim's name.
    return { ...refused('no_identity', `the token's ${config.identityClaim} claim names no identity of this API`), issuer: config.issuer };
  }
  return { ok: true, principal: { id, roles: config.roles }, issuer: config.issuer };
}

/** The mapped identity, or the claim value itself when the issuer has no map and the value is an identity id. */
function identityOf(config: TokenIssuer, value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  // Own keys only: a claim of `constructor` must not find Object's.
  if (config.identities) return Object.hasOwn(config.identities, value) ? config.identities[value] : undefined;
  return IDENTITY_ID_PATTERN.test(value) ? value : undefined;
}

function refusalOf(err: unknown): Extract<TokenCheck, { ok: false }> {
  const detail = messageOf(err);
  if (err instanceof errors.JWTExpired) return refused('expired', 'token expired', detail);
  if (err instanceof errors.JWTClaimValidationFailed) {
    if (err.reason === 'missing') return refused('missing_claim', `token lacks the ${err.claim} claim`, detail);
    if (err.claim === 'aud') return refused('wrong_audience', "token audience is not this API's", detail);
    if (err.claim === 'iss') return refused('wrong_issuer', 'token issuer does not match', detail);
    if (err.claim === 'nbf' || err.claim === 'iat') return refused('not_yet_valid', 'token not yet valid', detail);
    return refused('malformed', `malformed token (${err.claim} claim)`, detail);
  }
  if (err instanceof errors.JOSEAlgNotAllowed || err instanceof errors.JOSENotSupported) {
    return refused('bad_algorithm', `token algorithm refused: only ${TOKEN_ALGORITHMS.join(', ')}`, detail);
  }
  if (err instanceof errors.JWSSignatureVerificationFailed) return refused('bad_signature', 'token signature does not verify', detail);
  if (err instanceof errors.JWKSNoMatchingKey || err instanceof errors.JWKSMultipleMatchingKeys) {
    return refused('unknown_key', 'token signed with a key its issuer does not publish', detail);
  }
  // A plain JOSEError (not a subclass) is the JWKS endpoint answering other than 200; a non-jose error, fetch failing.
  if (err instanceof errors.JWKSTimeout || err instanceof errors.JWKSInvalid || !(err instanceof errors.JOSEError) || err.code === errors.JOSEError.code) {
    return refused('keys_unavailable', "the token issuer's signing keys could not be read; try again later", detail);
  }
  return refused('malformed', 'malformed token', detail);
}

function refused(reason: TokenRefusal, message: string, detail?: string): Extract<TokenCheck, { ok: false }> {
  return { ok: false, reason, message, ...(detail ? { detail } : {}) };
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
