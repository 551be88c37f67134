import { createHash, randomBytes } from 'node:crypto';
import { jose } from '../../net/jose';
import type { PrincipalRole } from '../../config/principals';

/** Who signed in to the console, how, and until when: the content of the sealed session cookie. */
export interface ConsoleSession {
  /** Random per sign-in: CSRF tokens are bound to it, so a token of one session is refused in another. */
  sid: string;
  /** The Airlock identity the sign-in maps to (what votes are recorded as). */
  identity: string;
  /** The IdP's `iss` and `sub`, kept for the record: a vote names who the IdP said signed in. */
  issuer: string;
  subject: string;
  /** For the page header: the email claim when the IdP gave one. */
  email?: string;
  roles: PrincipalRole[];
  /** The groups claim as the IdP sent it (policy groups may name these). */
  idpGroups: string[];
  /** When the person last authenticated at the IdP (`auth_time`, seconds since the epoch), if it said. */
  authTime?: number;
  acr?: string;
  amr?: string[];
  /** When this session ends, whatever happens (milliseconds since the epoch). */
  expiresAt: number;
}

/** The state of one sign-in between the redirect to the IdP and its callback. */
export interface LoginTransaction {
  state: string;
  nonce: string;
  codeVerifier: string;
  /** The console page to go back to: always a path under /console (never another site). */
  returnTo: string;
  /** Set when the sign-in is a step-up: the IdP was asked for `max_age`, and the callback checks `auth_time`. */
  maxAgeSeconds?: number;
  expiresAt: number;
}

const SESSION_PURPOSE = 'airlock-console-session';
const LOGIN_PURPOSE = 'airlock-console-login';

/**
 * Seals sessions and sign-in transactions into cookies: JWE (`dir`, A256GCM) under a key derived
 * from the console's session secret, so a browser can neither read nor alter them and every API
 * replica sharing the secret accepts them. Nothing is kept on the server: a session ends at its
 * expiry, at logout (the cookie is cleared), or when the secret changes.
 */
export class SessionSealer {
  private readonly sessionKey: Uint8Array;
  private readonly loginKey: Uint8Array;

  constructor(secret: string | undefined) {
    const base = secret ? Buffer.from(secret, 'utf8') : randomBytes(32);
    this.sessionKey = derive(base, SESSION_PURPOSE);
    this.loginKey = derive(base, LOGIN_PURPOSE);
  }

  /** A key for things bound to this deployment's secret (the CSRF tokens' HMAC). */
  derivedKey(purpose: string): Buffer {
    return Buffer.from(derive(Buffer.from(this.sessionKey), purpose));
  }

  sealSession(session: ConsoleSession): Promise<string> {
    return seal(this.sessionKey, SESSION_PURPOSE, session, session.expiresAt);
  }

  /** The session the cookie holds, if it was sealed here, is whole and has not expired. */
  async openSession(cookie: string | undefined, now = Date.now()): Promise<ConsoleSession | undefined> {
    const session = await open<ConsoleSession>(this.sessionKey, SESSION_PURPOSE, cookie);
    return session && typeof session.identity === 'string' && typeof session.sid === 'string' && session.expiresAt > now ? session : undefined;
  }

  sealLogin(transaction: LoginTransaction): Promise<string> {
    return seal(this.loginKey, LOGIN_PURPOSE, transaction, transaction.expiresAt);
  }

  async openLogin(cookie: string | undefined, now = Date.now()): Promise<LoginTransaction | undefined> {
    const transaction = await open<LoginTransaction>(this.loginKey, LOGIN_PURPOSE, cookie);
    return transaction && typeof transaction.state === 'string' && transaction.expiresAt > now ? transaction : undefined;
  }
}

function derive(secret: Buffer, purpose: string): Uint8Array {
  return new Uint8Array(createHash('sha256').update(purpose, 'utf8').update('\0').update(secret).digest());
}

async function seal(key: Uint8Array, purpose: string, content: object, expiresAt: number): Promise<string> {
  return new jose.EncryptJWT({ ...content })
    .setProtectedHeader({ alg: 'dir', enc: 'A256GCM', typ: purpose })
    .setExpirationTime(Math.ceil(expiresAt / 1000))
    .encrypt(key);
}

async function open<T>(key: Uint8Array, purpose: string, cookie: string | undefined): Promise<T | undefined> {
  if (!cookie) return undefined;
  try {
    const { payload, protectedHeader } = await jose.jwtDecrypt(cookie, key, { keyManagementAlgorithms: ['dir'], contentEncryptionAlgorithms: ['A256GCM'] });
    // One key per purpose already; the type header is a second guard against a login cookie used as a session.
    if (protectedHeader.typ !== purpose) return undefined;
    const { exp: _exp, ...content } = payload;
    return content as T;
  } catch {
    return undefined;
  }
}
