import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** A browser session for the codec endpoint: who signed in, until when. */
export interface CodecSession {
  principalId: string;
  expiresAt: number;
}

export const SESSION_COOKIE = 'airlock_codec_session';
export const SESSION_TTL_MS = 8 * 60 * 60 * 1000;

/**
 * Stateless signed session tokens, `<base64url JSON>.<base64url HMAC-SHA256>`. The secret is
 * random per process unless configured, so sessions end when the API restarts unless every
 * replica shares AIRLOCK_CODEC_SESSION_SECRET.
 */
export class SessionSigner {
  private readonly secret: Buffer;

  constructor(secret?: string) {
    this.secret = secret ? Buffer.from(secret, 'utf8') : randomBytes(32);
  }

  issue(principalId: string, now = Date.now()): { token: string; session: CodecSession } {
    const session = { principalId, expiresAt: now + SESSION_TTL_MS };
    const body = Buffer.from(JSON.stringify({ sub: session.principalId, exp: session.expiresAt }), 'utf8').toString('base64url');
    return { token: `${body}.${this.sign(body)}`, session };
  }

  /** The session a token proves, if its signature holds and it has not expired. */
  verify(token: string, now = Date.now()): CodecSession | undefined {
    const [body, signature, extra] = token.split('.');
    if (!body || !signature || extra !== undefined) return undefined;
    const expected = Buffer.from(this.sign(body), 'utf8');
    const given = Buffer.from(signature, 'utf8');
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return undefined;
    let claims: unknown;
    try {
      claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
    } catch {
      return undefined;
    }
    if (typeof claims !== 'object' || claims === null) return undefined;
    const { sub, exp } = claims as { sub?: unknown; exp?: unknown };
    if (typeof sub !== 'string' || typeof exp !== 'number' || exp <= now) return undefined;
    return { principalId: sub, expiresAt: exp };
  }

  private sign(body: string): string {
    return createHmac('sha256', this.secret).update(body, 'utf8').digest('base64url');
  }
}

/** One cookie's value from a `Cookie` header. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}
