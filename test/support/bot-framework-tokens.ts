import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { jose, type Jose } from '../../net/jose';
import { BOT_FRAMEWORK_ISSUER } from '../../channels/teams/inbound/verify-token';

/** The app id the tests' bot runs as: the audience of every good token. */
export const TEST_TEAMS_APP_ID = '00000000-0000-4000-8000-00000000a11c';

export interface TokenOptions {
  /** Sign with a key the JWKS does not hold. */
  foreignKey?: boolean;
  /** `alg: none` and no signature. */
  unsigned?: boolean;
  /** Seconds relative to now for `exp` (default +600). */
  expiresIn?: number;
}

export interface BotFrameworkIssuer {
  /** The JWKS on loopback; give it to the verifier as `jwksUrl`. */
  jwksUrl: URL;
  /** A Bot Framework channel token: good unless `claims` or `options` spoil it. */
  signToken(claims: { serviceUrl?: string } & Record<string, unknown>, options?: TokenOptions): Promise<string>;
  stop(): Promise<void>;
}

/**
 * A local stand-in for Bot Framework's token issuer: an RSA key pair, its JWKS served on loopback
 * (the key endorsed for `msteams`, as Bot Framework's keys are), and tokens signed with it.
 */
export async function startBotFrameworkIssuer(options: { appId?: string; endorsements?: string[] } = {}): Promise<BotFrameworkIssuer> {
  const kid = `test-${randomUUID()}`;
  const own = await jose.generateKeyPair('RS256', { extractable: true });
  const foreign = await jose.generateKeyPair('RS256', { extractable: true });
  const publicJwk = await jose.exportJWK(own.publicKey);
  const jwks = { keys: [{ ...publicJwk, kid, use: 'sig', alg: 'RS256', endorsements: options.endorsements ?? ['msteams'] }] };

  const server = createServer((request, response) => {
    if (request.method === 'GET' && request.url === '/keys') {
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(jwks));
      return;
    }
    response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    jwksUrl: new URL(`http://127.0.0.1:${port}/keys`),
    async signToken(claims, tokenOptions = {}) {
      const nowS = Math.floor(Date.now() / 1000);
      const payload: Jose.JWTPayload = {
        iss: BOT_FRAMEWORK_ISSUER,
        aud: options.appId ?? TEST_TEAMS_APP_ID,
        nbf: nowS - 60,
        exp: nowS + (tokenOptions.expiresIn ?? 600),
        ...claims,
      };
      if (tokenOptions.unsigned) return `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url(payload)}.`;
      return new jose.SignJWT(payload)
        .setProtectedHeader({ alg: 'RS256', kid, typ: 'JWT' })
        .sign(tokenOptions.foreignKey ? foreign.privateKey : own.privateKey);
    },
    stop: () => new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve()))),
  };
}

function base64url(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}
