import { jose, type Jose } from '../../../net/jose';

const { createRemoteJWKSet, errors, jwtVerify } = jose;
type JWTVerifyGetKey = Jose.JWTVerifyGetKey;
type JSONWebKeySet = Jose.JSONWebKeySet;

/** Who signs the tokens the Bot Connector sends to a bot. */
export const BOT_FRAMEWORK_ISSUER = 'https://api.botframework.com';

/** Bot Framework's OpenID metadata; its `jwks_uri` names the keys channel tokens are signed with. */
export const BOT_FRAMEWORK_OPENID_METADATA_URL = 'https://login.botframework.com/v1/.well-known/openidconfiguration';

/** Bot Framework allows five minutes of clock skew on `exp` and `nbf`. */
export const BOT_FRAMEWORK_CLOCK_TOLERANCE_S = 300;

/** Why a token was refused: stable codes for the log, never shown to the caller. */
export type TokenRefusal =
  | 'missing_token'
  | 'malformed_token'
  | 'bad_algorithm'
  | 'bad_signature'
  | 'unknown_key'
  | 'expired'
  | 'not_yet_valid'
  | 'wrong_issuer'
  | 'wrong_audience'
  | 'service_url_mismatch'
  | 'channel_not_endorsed'
  | 'keys_unavailable';

export type TokenCheck = { ok: true } | { ok: false; reason: TokenRefusal; detail?: string };

export interface BotTokenVerifierOptions {
  /** The bot's Microsoft App id: the audience every token must name. */
  appId: string;
  /**
   * Where the signing keys are read. Unset: the `jwks_uri` of Bot Framework's OpenID metadata, as in
   * production. Tests point it at a local JWKS; set anywhere else, it lets that key's holder act as Teams.
   */
  jwksUrl?: URL;
  /** The time tokens are judged at; tests move the clock. Default: now. */
  currentDate?: () => Date;
}

/** What a verified token says about the activity it may carry. */
export interface VerifiedBotToken {
  serviceUrl: string;
  /** The channels the signing key is endorsed for, when the key set lists them. */
  endorsements?: string[];
}

/** What the activity itself says, checked against the token's claims. */
export interface ActivityBinding {
  serviceUrl: string | undefined;
  channelId: string | undefined;
}

/**
 * Checks an `Authorization` header as the Bot Framework connector auth spec says: a bearer JWT signed
 * with RS256 by one of Bot Framework's keys, issued by Bot Framework, for this app, not expired (5 min
 * skew), whose `serviceUrl` claim is the activity's, and whose key endorses the activity's channel.
 */
export class BotTokenVerifier {
  private keys: Promise<{ getKey: JWTVerifyGetKey; cached: () => JSONWebKeySet | undefined }> | undefined;

  constructor(private readonly options: BotTokenVerifierOptions) {}

  /** Never throws: a refusal names its reason for the log. */
  async verify(authorization: string | undefined, activity: ActivityBinding): Promise<TokenCheck> {
    const authenticated = await this.authenticate(authorization);
    return authenticated.ok ? bindsActivity(authenticated.token, activity) : authenticated;
  }

  /**
   * The checks that need no body: signature, algorithm, issuer, audience, expiry, a `serviceUrl` claim. The endpoint runs
   * them before reading the body; `bindsActivity` then ties the token to the activity. Never throws.
   */
  async authenticate(authorization: string | undefined): Promise<{ ok: true; token: VerifiedBotToken } | { ok: false; reason: TokenRefusal; detail?: string }> {
    const token = bearer(authorization);
    if (!token) return { ok: false, reason: 'missing_token' };
    let keys: Awaited<NonNullable<typeof this.keys>>;
    try {
      keys = await this.keySet();
    } catch (err) {
      return { ok: false, reason: 'keys_unavailable', detail: messageOf(err) };
    }
    try {
      const verified = await jwtVerify(token, keys.getKey, {
        issuer: BOT_FRAMEWORK_ISSUER,
        audience: this.options.appId,
        algorithms: ['RS256'],
        clockTolerance: BOT_FRAMEWORK_CLOCK_TOLERANCE_S,
        requiredClaims: ['exp'],
        ...(this.options.currentDate ? { currentDate: this.options.currentDate() } : {}),
      });
      const serviceUrl = verified.payload['serviceUrl'];
      // Every channel token names the connector it came through; one that does not binds no activity.
      if (typeof serviceUrl !== 'string') return { ok: false, reason: 'service_url_mismatch', detail: 'no serviceUrl claim' };
      const endorsements = endorsementsOf(keys.cached(), verified.protectedHeader.kid);
      return {
        ok: true,
        token: { serviceUrl, ...(endorsements ? { endorsements } : {}) },
      };
    } catch (err) {
      return { ok: false, ...refusalOf(err) };
    }
  }

  /** The remote key set, created once; the metadata is read on first use, and again after a failure. */
  private keySet(): Promise<{ getKey: JWTVerifyGetKey; cached: () => JSONWebKeySet | undefined }> {
    this.keys ??= (async () => {
      const url = this.options.jwksUrl ?? (await jwksUriFromMetadata(BOT_FRAMEWORK_OPENID_METADATA_URL));
      const remote = createRemoteJWKSet(url);
      return { getKey: remote, cached: () => remote.jwks() };
    })();
    const keys = this.keys;
    keys.catch(() => {
      if (this.keys === keys) this.keys = undefined;
    });
    return keys;
  }
}

/** The token's `serviceUrl` claim is the activity's, and its key (when the key set says) endorses the activity's channel. */
export function bindsActivity(token: VerifiedBotToken, activity: ActivityBinding): TokenCheck {
  // Without this, a token minted for one conversation's connector could direct replies anywhere.
  if (activity.serviceUrl === undefined || !sameServiceUrl(token.serviceUrl, activity.serviceUrl)) {
    return { ok: false, reason: 'service_url_mismatch' };
  }
  if (token.endorsements && (activity.channelId === undefined || !token.endorsements.includes(activity.channelId))) {
    return { ok: false, reason: 'channel_not_endorsed', detail: activity.channelId ?? '(none)' };
  }
  return { ok: true };
}

async function jwksUriFromMetadata(metadataUrl: string): Promise<URL> {
  const response = await fetch(metadataUrl, { signal: AbortSignal.timeout(5_000) });
  if (!response.ok) throw new Error(`OpenID metadata answered ${response.status}`);
  const metadata: unknown = await response.json();
  const jwksUri = typeof metadata === 'object' && metadata !== null ? (metadata as Record<string, unknown>)['jwks_uri'] : undefined;
  if (typeof jwksUri !== 'string') throw new Error('OpenID metadata has no jwks_uri');
  return new URL(jwksUri);
}

/** The token of `Bearer <token>`; anything else is no token. */
function bearer(authorization: string | undefined): string | undefined {
  const match = /^Bearer +(\S+) *$/i.exec(authorization ?? '');
  return match?.[1];
}

/** Bot Framework compares service URLs loosely on a trailing slash; nothing else may differ. */
function sameServiceUrl(claim: string, activity: string): boolean {
  return claim.replace(/\/+$/, '') === activity.replace(/\/+$/, '');
}

/** The channels the signing key is endorsed for; `undefined` when the key set does not say. */
function endorsementsOf(jwks: JSONWebKeySet | undefined, kid: string | undefined): string[] | undefined {
  const key = jwks?.keys.find((candidate) => candidate.kid === kid);
  const endorsements: unknown = key ? (key as Record<string, unknown>)['endorsements'] : undefined;
  return Array.isArray(endorsements) ? endorsements.filter((e): e is string => typeof e === 'string') : undefined;
}

function refusalOf(err: unknown): { reason: TokenRefusal; detail?: string } {
  const detail = messageOf(err);
  if (err instanceof errors.JWTExpired) return { reason: 'expired', detail };
  if (err instanceof errors.JWTClaimValidationFailed) {
    if (err.claim === 'iss') return { reason: 'wrong_issuer', detail };
    if (err.claim === 'aud') return { reason: 'wrong_audience', detail };
    if (err.claim === 'nbf') return { reason: 'not_yet_valid', detail };
    return { reason: 'malformed_token', detail };
  }
  if (err instanceof errors.JOSEAlgNotAllowed || err instanceof errors.JOSENotSupported) return { reason: 'bad_algorithm', detail };
  if (err instanceof errors.JWSSignatureVerificationFailed) return { reason: 'bad_signature', detail };
  if (err instanceof errors.JWKSNoMatchingKey || err instanceof errors.JWKSMultipleMatchingKeys) return { reason: 'unknown_key', detail };
  if (err instanceof errors.JWKSTimeout || err instanceof errors.JWKSInvalid) return { reason: 'keys_unavailable', detail };
  if (err instanceof errors.JOSEError) return { reason: 'malformed_token', detail };
  return { reason: 'keys_unavailable', detail };
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
