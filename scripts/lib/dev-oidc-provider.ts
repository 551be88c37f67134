import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { freePort } from '../../net/free-port';
import { jose, type Jose } from '../../net/jose';
import { devAccountFinder, type DevPerson } from './dev-oidc-accounts';

/** The resource indicator of the Airlock API; access tokens for it carry `aud: airlock`. */
export const AIRLOCK_RESOURCE = 'urn:airlock';
export const AIRLOCK_AUDIENCE = 'airlock';
/** The client people sign in through (the console, a later slice): a public client using PKCE. */
export const CONSOLE_CLIENT_ID = 'airlock-console';
/** The scopes a console sign-in is granted without a consent page: it is Airlock's own client. */
const CONSOLE_SCOPES = 'openid email groups';

/** A private ES256 key as a JWK with its key id: what the provider signs with, and what npm start keeps in .airlock/. */
export interface DevSigningKey {
  jwk: Jose.JWK & { kid: string };
}

/** An agent's client credentials client: its access tokens' `sub` is `clientId`. */
export interface DevAgentClient {
  clientId: string;
  secret: string;
}

export interface DevOidcProviderOptions {
  /** The loopback port; 0 or absent for a free one. */
  port?: number;
  /** Absent: a new key, for this run only. */
  signingKey?: DevSigningKey;
  /** Who may sign in at the dev sign-in page (any password); any other login name is refused. */
  people?: readonly DevPerson[];
  agents?: readonly DevAgentClient[];
  /** Where the console client may be sent back to after sign-in; absent: no console client. */
  consoleRedirectUris?: readonly string[];
  /** Resource indicator to audience; defaults to `urn:airlock` → `airlock`. Agents' tokens are for the first. */
  resources?: Readonly<Record<string, string>>;
  /** Lifetime of agents' access tokens. */
  accessTokenTtlSeconds?: number;
}

export interface DevOidcProvider {
  /** `http://127.0.0.1:<port>`: the `iss` of its tokens, and where discovery starts. */
  issuer: string;
  port: number;
  /** Its signing key, for tests that mint tokens the provider would not (expired, too long-lived). */
  signingKey: { privateKey: Jose.CryptoKey; kid: string };
  /** A JWT access token for the agent `clientId` by the client credentials grant, for `resource`. */
  clientCredentialsToken(clientId: string, resource?: string): Promise<string>;
  stop(): Promise<void>;
}

/** What this module uses of oidc-provider, which ships no types. */
interface OidcProvider {
  callback(): (request: IncomingMessage, response: ServerResponse) => void;
}
type OidcProviderClass = new (issuer: string, configuration: object) => OidcProvider;
interface Grant {
  addOIDCScope(scope: string): void;
  save(): Promise<string>;
}
/** The part of oidc-provider's request context that `loadExistingGrant` reads. */
interface GrantContext {
  oidc: {
    client: { clientId: string };
    session: { accountId: string; grantIdFor(clientId: string): string | undefined };
    result?: { consent?: { grantId?: string } };
    provider: { Grant: { find(id: string): Promise<Grant | undefined>; new (init: { clientId: string; accountId: string }): Grant } };
  };
}

/** An interaction check: the prompt is shown when `check` returns true. */
type CheckClass = new (
  reason: string,
  description: string,
  check: (ctx: { oidc: { session: { accountId?: string }; account?: unknown } }) => boolean,
) => object;
interface InteractionPolicy {
  get(prompt: string): { checks: { add(check: object): void } };
}

interface OidcProviderModule {
  Provider: OidcProviderClass;
  errors: { InvalidTarget: new (detail: string) => Error };
  interactionPolicy: { base(): InteractionPolicy; Check: CheckClass };
  createMemoryAdapter: () => unknown;
}

let loaded: OidcProviderModule | undefined;

/**
 * oidc-provider, loaded when a provider first starts: not when this module is imported for its
 * constants (the test stack imports CONSOLE_CLIENT_ID), since it is large and jest compiles it.
 */
function oidcProvider(): OidcProviderModule {
  if (loaded) return loaded;
  /* eslint-disable @typescript-eslint/no-require-imports -- oidc-provider ships only ES modules (Node requires them natively; jest.config.js compiles them for the tests) and no types: what is used is typed above */
  const {
    default: Provider,
    errors,
    interactionPolicy,
  } = require('oidc-provider') as {
    default: OidcProviderClass;
    errors: OidcProviderModule['errors'];
    interactionPolicy: OidcProviderModule['interactionPolicy'];
  };
  // Its own in-memory store, passed explicitly: the provider warns (on every start) only when left to its default.
  const { createMemoryAdapter } = require('oidc-provider/lib/adapters/memory_adapter.js') as { createMemoryAdapter: () => unknown };
  /* eslint-enable @typescript-eslint/no-require-imports */
  loaded = { Provider, errors, interactionPolicy, createMemoryAdapter };
  return loaded;
}

/** A new ES256 signing key for the dev provider. */
export async function newDevSigningKey(): Promise<DevSigningKey> {
  const { privateKey } = await jose.generateKeyPair('ES256', { extractable: true });
  return { jwk: { ...(await jose.exportJWK(privateKey)), kid: `dev-${randomBytes(6).toString('hex')}`, alg: 'ES256', use: 'sig' } };
}

/**
 * A real OpenID provider (oidc-provider) on loopback, for `npm start` and the tests: people sign in
 * through its dev sign-in page (authorization code with PKCE, for the console client) and get id
 * tokens with `sub`, `email` and `groups`; agents get ES256 JWT access tokens for the Airlock API by
 * the client credentials grant, as a workload-identity issuer gives them.
 */
export async function startDevOidcProvider(options: DevOidcProviderOptions = {}): Promise<DevOidcProvider> {
  const port = options.port || (await freePort());
  const issuer = `http://127.0.0.1:${port}`;
  const signingKey = options.signingKey ?? (await newDevSigningKey());
  const resources = options.resources ?? { [AIRLOCK_RESOURCE]: AIRLOCK_AUDIENCE };
  const [defaultResource] = Object.keys(resources);
  const agents = new Map((options.agents ?? []).map((agent) => [agent.clientId, agent]));
  const consoleClient = options.consoleRedirectUris
    ? [
        {
          client_id: CONSOLE_CLIENT_ID,
          token_endpoint_auth_method: 'none',
          // Every id token says when the person signed in: the console records it with each vote and checks step-up against it.
          require_auth_time: true,
          grant_types: ['authorization_code'],
          response_types: ['code'],
          redirect_uris: [...options.consoleRedirectUris],
        },
      ]
    : [];

  const { Provider, errors, createMemoryAdapter } = oidcProvider();
  const provider = new Provider(issuer, {
    adapter: createMemoryAdapter(),
    // Its only key is an ES256 one; the default (RS256) would need an RSA key.
    clientDefaults: { id_token_signed_response_alg: 'ES256' },
    clients: [
      ...[...agents.values()].map(({ clientId, secret }) => ({
        client_id: clientId,
        client_secret: secret,
        grant_types: ['client_credentials'],
        response_types: [],
        redirect_uris: [],
      })),
      ...consoleClient,
    ],
    jwks: { keys: [signingKey.jwk] },
    // Sessions of the sign-in page; lost on restart, which is fine for development.
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    // Each set, as the provider asks (it notes every default it falls back on): a sign-in lasts a working day.
    ttl: {
      ClientCredentials: options.accessTokenTtlSeconds ?? 300,
      AccessToken: 3600,
      IdToken: 3600,
      Interaction: 600,
      Session: 8 * 3600,
      Grant: 8 * 3600,
    },
    findAccount: devAccountFinder(options.people ?? []),
    claims: { openid: ['sub'], email: ['email'], groups: ['groups'] },
    // The console reads who signed in from the id token, not from a userinfo call.
    conformIdTokenClaims: false,
    loadExistingGrant,
    interactions: { policy: signInPolicy() },
    features: {
      // Its built-in sign-in page (any login name and password; findAccount refuses names that are not
      // people), and only when someone may sign in: it warns on every start that it is for development.
      devInteractions: { enabled: (options.people ?? []).length > 0 },
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        // Only agents' tokens are for an API; a console sign-in yields an id token and an opaque access token for userinfo.
        defaultResource: (_ctx: unknown, client: { clientId: string }) => (agents.has(client.clientId) ? defaultResource : undefined),
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx: unknown, resource: string, client: { clientId: string }) => {
          const audience = resources[resource];
          if (!agents.has(client.clientId) || audience === undefined) throw new errors.InvalidTarget(`no tokens for ${resource} to this client`);
          return { scope: 'api', audience, accessTokenFormat: 'jwt', jwt: { sign: { alg: 'ES256' } } };
        },
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
    port,
    signingKey: { privateKey: (await jose.importJWK(signingKey.jwk, 'ES256')) as Jose.CryptoKey, kid: signingKey.jwk.kid },
    async clientCredentialsToken(clientId, resource = defaultResource) {
      const agent = agents.get(clientId);
      if (!agent) throw new Error(`${clientId} is not an agent client of this provider`);
      const response = await fetch(`${issuer}/token`, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`${clientId}:${agent.secret}`).toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'api', ...(resource ? { resource } : {}) }).toString(),
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

/**
 * The default prompts, and the sign-in page again when the name signed in with finds no account:
 * the dev page accepts any name, and without this check the provider fails on a session with an
 * account id but no account (a server error on the way to the consent prompt).
 */
function signInPolicy(): InteractionPolicy {
  const { interactionPolicy } = oidcProvider();
  const policy = interactionPolicy.base();
  policy
    .get('login')
    .checks.add(
      new interactionPolicy.Check('unknown_account', 'no such account: sign in again', (ctx) => Boolean(ctx.oidc.session.accountId) && !ctx.oidc.account),
    );
  return policy;
}

/**
 * The console is Airlock's own client: its sign-ins are granted the console scopes without the
 * dev consent page. Any other client keeps the grant the user gave it.
 */
async function loadExistingGrant(ctx: GrantContext): Promise<Grant | undefined> {
  const { client, session, result, provider } = ctx.oidc;
  const grantId = result?.consent?.grantId ?? session.grantIdFor(client.clientId);
  if (grantId) return provider.Grant.find(grantId);
  if (client.clientId !== CONSOLE_CLIENT_ID) return undefined;
  const grant = new provider.Grant({ clientId: client.clientId, accountId: session.accountId });
  grant.addOIDCScope(CONSOLE_SCOPES);
  await grant.save();
  return grant;
}
