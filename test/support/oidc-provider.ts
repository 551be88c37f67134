import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { freePort } from '../../net/free-port';
import { jose, type Jose } from '../../net/jose';

/** The resource indicator of the API under test; tokens for it carry `aud: airlock`. */
export const AIRLOCK_RESOURCE = 'urn:airlock';
export const AIRLOCK_AUDIENCE = 'airlock';
/** Another API's resource: its tokens are signed by the same issuer for another audience. */
export const OTHER_RESOURCE = 'urn:other-api';

const AUDIENCES: Record<string, string> = { [AIRLOCK_RESOURCE]: AIRLOCK_AUDIENCE, [OTHER_RESOURCE]: 'other-api' };

/** What these tests use of oidc-provider, which ships no types. */
interface OidcProvider {
  callback(): (request: IncomingMessage, response: ServerResponse) => void;
}
type OidcProviderClass = new (issuer: string, configuration: object) => OidcProvider;

/* eslint-disable @typescript-eslint/no-require-imports -- oidc-provider ships only ES modules (jest.config.js compiles them for the tests) and no types: what is used is typed above */
const Provider = (require('oidc-provider') as { default: OidcProviderClass }).default;
// Its own in-memory store, passed explicitly: the provider warns (on every start) only when left to its default.
const { createMemoryAdapter } = require('oidc-provider/lib/adapters/memory_adapter.js') as { createMemoryAdapter: () => unknown };
/* eslint-enable @typescript-eslint/no-require-imports */

export interface TestOidcProvider {
  /** `http://127.0.0.1:<port>`: the `iss` of its tokens, and where discovery starts. */
  issuer: string;
  /** Its signing key, for tests that mint tokens the provider would not (expired, too long-lived). */
  signingKey: { privateKey: Jose.CryptoKey; kid: string };
  /** A JWT access token for `clientId` by the client credentials grant, for `resource`. */
  clientCredentialsToken(clientId: string, resource?: string): Promise<string>;
  stop(): Promise<void>;
}

/**
 * A real OpenID provider (oidc-provider) on a free loopback port: clients that may use the client
 * credentials grant, and JWT access tokens signed with ES256 for the resources above, as a
 * workload-identity issuer gives agents.
 */
export async function startTestOidcProvider(clientIds: readonly string[]): Promise<TestOidcProvider> {
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  const kid = `test-${randomBytes(6).toString('hex')}`;
  const { privateKey } = await jose.generateKeyPair('ES256', { extractable: true });
  const secret = randomBytes(24).toString('base64url');
  const provider = new Provider(issuer, {
    adapter: createMemoryAdapter(),
    // Its only key is an ES256 one; the default (RS256) would need an RSA key.
    clientDefaults: { id_token_signed_response_alg: 'ES256' },
    clients: clientIds.map((id) => ({ client_id: id, client_secret: secret, grant_types: ['client_credentials'], response_types: [], redirect_uris: [] })),
    jwks: { keys: [{ ...(await jose.exportJWK(privateKey)), kid, alg: 'ES256', use: 'sig' }] },
    ttl: { ClientCredentials: 300 },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => AIRLOCK_RESOURCE,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx: unknown, resource: string) => ({
          scope: 'api',
          audience: AUDIENCES[resource] ?? 'unknown',
          accessTokenFormat: 'jwt',
          jwt: { sign: { alg: 'ES256' } },
        }),
      },
    },
  });
  const server = createServer(provider.callback());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });

  return {
    issuer,
    signingKey: { privateKey, kid },
    async clientCredentialsToken(clientId, resource = AIRLOCK_RESOURCE) {
      const response = await fetch(`${issuer}/token`, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: new URLSearchParams({ grant_type: 'client_credentials', resource, scope: 'api' }).toString(),
      });
      const body = (await response.json()) as { access_token?: string; error?: string; error_description?: string };
      if (!response.ok || !body.access_token) throw new Error(`token request failed: ${response.status} ${body.error ?? ''} ${body.error_description ?? ''}`);
      return body.access_token;
    },
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
