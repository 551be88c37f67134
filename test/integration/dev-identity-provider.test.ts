import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { WorkflowBundle } from '@temporalio/worker';
import { loadPrincipalsFile } from '../../config/principals-file';
import { jose } from '../../net/jose';
import { loadPolicyFile } from '../../policy';
import { CONSOLE_CLIENT_ID } from '../../scripts/lib/dev-oidc-provider';
import { devClientSecretVariable } from '../../scripts/lib/dev-oidc-state';
import { startDevIdentityProvider, type DevIdentityProvider } from '../../scripts/lib/dev-identity-provider';
import { ensureDevPrincipals, setDevTokenIssuers } from '../../scripts/lib/dev-principals';
import { privateStateDir } from '../../scripts/lib/private-state';
import { PROJECT_ROOT } from '../../scripts/lib/tools';
import { CookieBrowser } from '../support/cookie-browser';
import { bundleWorkflows, startStack, type Stack } from '../support/stack';
import { putObject, testS3 } from '../support/test-aws';

const EXAMPLE_POLICY_FILE = join(PROJECT_ROOT, 'config', 'example-policy.yaml');
const API_PORT = 8080;
const CALLBACK = `http://127.0.0.1:${API_PORT}/console/callback`;

/**
 * The identity provider npm start runs (scripts/lib/dev-identity-provider.ts), set up as npm start
 * sets it up: the example policy's people sign in at its dev page, etl-bot gets tokens by client
 * credentials, and the principals file npm start writes makes the API accept them.
 */
describe('the dev identity provider of npm start', () => {
  let bundle: WorkflowBundle;
  let stateDir: string;
  let keysFile: string;
  let started: DevIdentityProvider;
  let stack: Stack;
  const s3 = testS3();

  beforeAll(async () => {
    bundle = await bundleWorkflows();
    stateDir = join(mkdtempSync(join(tmpdir(), 'airlock-dev-idp-')), '.airlock');
    privateStateDir(stateDir);
    const principals = ensureDevPrincipals(stateDir);
    keysFile = principals.keysFile;
    started = await startDevIdentityProvider({
      stateDir,
      keysFile,
      policy: loadPolicyFile(EXAMPLE_POLICY_FILE).document,
      port: 0,
      consoleUrl: `http://127.0.0.1:${API_PORT}`,
    });
    setDevTokenIssuers(principals.principalsFile, [started.tokenIssuer]);
    // What the API reads from the file npm start wrote.
    const { tokenIssuers } = loadPrincipalsFile(principals.principalsFile);
    stack = await startStack(bundle, { tokenIssuers, policyFile: EXAMPLE_POLICY_FILE });
  });
  afterAll(async () => {
    await stack?.stop();
    await started?.provider.stop();
    s3.destroy();
    if (stateDir) rmSync(join(stateDir, '..'), { recursive: true, force: true });
  });

  /** The token request the banner prints: the client secret from dev-keys.env, no other parameter. */
  async function agentToken(clientId: string): Promise<string> {
    const prefix = `export ${devClientSecretVariable(clientId)}=`;
    const line = readFileSync(keysFile, 'utf8')
      .split('\n')
      .find((candidate) => candidate.startsWith(prefix));
    if (!line) throw new Error(`no client secret for ${clientId} in dev-keys.env`);
    const response = await fetch(`${started.provider.issuer}/token`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${clientId}:${line.slice(prefix.length)}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'grant_type=client_credentials',
    });
    const body = (await response.json()) as { access_token?: string };
    expect(response.status).toBe(200);
    return body.access_token ?? '';
  }

  it('issues etl-bot a token the API accepts as etl-bot, to request an action', async () => {
    const token = await agentToken('etl-bot');
    expect(jose.decodeJwt(token)).toMatchObject({ sub: 'etl-bot', aud: 'airlock', iss: started.provider.issuer });

    const sourceKey = `src/${randomUUID()}.csv`;
    await putObject(s3, 'airlock-src', sourceKey, 'id\n1\n');
    const params = { sourceBucket: 'airlock-src', sourceKey, destinationBucket: 'airlock-exports', destinationKey: `reports/${randomUUID()}.csv` };
    const created = await stack.call(
      null,
      'POST',
      '/v1/actions',
      { action: 's3.copyObject', params, justification: 'From the dev identity provider' },
      {
        authorization: `Bearer ${token}`,
      },
    );
    expect(created.statusCode).toBe(202);
    expect(created.json()).toMatchObject({ requester: { id: 'etl-bot' }, status: 'pending_review' });
  });

  it('signs alice in at the dev page (authorization code with PKCE) with an id token carrying her email and groups', async () => {
    const { idToken, accessToken } = await signIn('alice');
    const jwks = jose.createRemoteJWKSet(new URL(`${started.provider.issuer}/jwks`));
    const { payload } = await jose.jwtVerify(idToken, jwks, { issuer: started.provider.issuer, audience: CONSOLE_CLIENT_ID });
    expect(payload).toMatchObject({ sub: 'alice', email: 'alice@example.com', groups: ['data-owners'] });

    // Her sign-in is for the console: neither token gets her into the API.
    for (const token of [idToken, accessToken]) {
      expect((await stack.call(null, 'GET', '/v1/catalogue', undefined, { authorization: `Bearer ${token}` })).statusCode).toBe(401);
    }
  });

  it('refuses a login name that is not one of the example people: the dev page asks again', async () => {
    for (const name of ['mallory', 'etl-bot', 'constructor']) {
      const outcome = await signIn(name).catch((err: unknown) => err);
      expect(outcome).toEqual(new Error('no code: the provider asked to sign in again'));
    }
  });

  /** Drives the console's sign-in as a browser would: /auth, the dev login form, back to the callback, then the token endpoint. */
  async function signIn(login: string): Promise<{ idToken: string; accessToken: string }> {
    const { issuer } = started.provider;
    const verifier = randomBytes(32).toString('base64url');
    const state = randomBytes(8).toString('hex');
    const authorize = new URL(`${issuer}/auth`);
    authorize.search = new URLSearchParams({
      client_id: CONSOLE_CLIENT_ID,
      response_type: 'code',
      redirect_uri: CALLBACK,
      scope: 'openid email groups',
      state,
      code_challenge: createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256',
    }).toString();

    const browser = new CookieBrowser();
    const loginPage = await browser.follow(authorize.href, { stopAt: CALLBACK });
    const form = await loginPage.text();
    const action = /<form[^>]*action="([^"]+)"/.exec(form)?.[1];
    expect(form).toContain('name="login"');
    if (!action) throw new Error('no login form');
    const afterLogin = await browser.follow(new URL(action, issuer).href, {
      form: new URLSearchParams({ prompt: 'login', login, password: 'anything' }),
      stopAt: CALLBACK,
    });
    const callback = new URL(afterLogin.url);
    const code = callback.searchParams.get('code');
    if (!afterLogin.url.startsWith(CALLBACK) || !code) {
      expect(await afterLogin.text()).toContain('name="login"');
      throw new Error('no code: the provider asked to sign in again');
    }
    expect(callback.searchParams.get('state')).toBe(state);

    const response = await fetch(`${issuer}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code,
        redirect_uri: CALLBACK,
        client_id: CONSOLE_CLIENT_ID,
        code_verifier: verifier,
      }).toString(),
    });
    const tokens = (await response.json()) as { id_token?: string; access_token?: string };
    expect(response.status).toBe(200);
    return { idToken: tokens.id_token ?? '', accessToken: tokens.access_token ?? '' };
  }
});
