import { randomUUID } from 'node:crypto';
import type { WorkflowBundle } from '@temporalio/worker';
import type { FastifyInstance } from 'fastify';
import { buildApi } from '../../api/server';
import { PrincipalDirectory } from '../../config/principals';
import type { TokenIssuer } from '../../config/token-issuers';
import { jose, type Jose } from '../../net/jose';
import { defaultCatalogue } from '../../operations/catalogue';
import { loadPolicyFile } from '../../policy';
import type { HttpResponse } from '../support/http-call';
import { testSigner } from '../support/identity-keys';
import { AIRLOCK_AUDIENCE, OTHER_RESOURCE, startTestOidcProvider, type TestOidcProvider } from '../support/oidc-provider';
import { bundleWorkflows, mintTestPrincipals, startStack, TEST_POLICY_FILE, type Stack } from '../support/stack';
import { putObject, testS3 } from '../support/test-aws';

/** Whose tokens the test provider issues: a CI runner acting as etl-bot, alice's laptop, and a client no identity is mapped to. */
const CLIENTS = ['etl-runner', 'alice-laptop', 'unmapped-runner'];

/**
 * Bearer tokens beside API keys, against a real OpenID provider (oidc-provider) on loopback issuing
 * JWT access tokens by the client credentials grant, as workload identity gives agents: the API
 * checks signature, algorithm, issuer, audience and expiry, and maps the token's `sub` to an identity.
 */
describe('bearer tokens from an identity provider', () => {
  let bundle: WorkflowBundle;
  let provider: TestOidcProvider;
  let stranger: TestOidcProvider;
  let issuer: TokenIssuer;
  let stack: Stack;
  const s3 = testS3();

  beforeAll(async () => {
    bundle = await bundleWorkflows();
    provider = await startTestOidcProvider(CLIENTS);
    // Configured nowhere: its tokens are well signed, for the right audience, by an issuer nobody trusts.
    stranger = await startTestOidcProvider(['etl-runner']);
    issuer = {
      issuer: provider.issuer,
      audience: AIRLOCK_AUDIENCE,
      identityClaim: 'sub',
      identities: { 'etl-runner': 'etl-bot', 'alice-laptop': 'alice' },
      roles: ['requester'],
    };
    stack = await startStack(bundle, { tokenIssuers: [issuer] });
  });
  afterAll(async () => {
    await stack?.stop();
    await provider?.stop();
    await stranger?.stop();
    s3.destroy();
  });

  function callWith(token: string, method: 'GET' | 'POST', url: string, body?: unknown): Promise<HttpResponse> {
    return stack.call(null, method, url, body, { authorization: `Bearer ${token}` });
  }

  /** Claims the provider would sign for `sub`, now. */
  function claims(sub = 'etl-runner'): Jose.JWTPayload {
    const now = Math.floor(Date.now() / 1000);
    return { iss: provider.issuer, aud: AIRLOCK_AUDIENCE, sub, iat: now, exp: now + 300 };
  }

  /** A token the test signs itself, with the provider's own key unless another is given. */
  function sign(
    payload: Jose.JWTPayload,
    key: Jose.CryptoKey | Uint8Array = provider.signingKey.privateKey,
    header: Partial<Jose.JWTHeaderParameters> = {},
  ): Promise<string> {
    return new jose.SignJWT(payload).setProtectedHeader({ alg: 'ES256', kid: provider.signingKey.kid, ...header }).sign(key);
  }

  it("requests an action as the identity the token's subject maps to, then reads and cancels it with the token", async () => {
    const token = await provider.clientCredentialsToken('etl-runner');
    expect((await callWith(token, 'GET', '/v1/catalogue')).statusCode).toBe(200);

    const sourceKey = `src/${randomUUID()}.csv`;
    await putObject(s3, 'airlock-src', sourceKey, 'id\n1\n');
    const params = { sourceBucket: 'airlock-src', sourceKey, destinationBucket: 'airlock-exports', destinationKey: `reports/${randomUUID()}.csv` };
    const created = await callWith(token, 'POST', '/v1/actions', { action: 's3.copyObject', params, justification: 'Sent by CI through workload identity' });
    expect(created.statusCode).toBe(202);
    expect(created.json()).toMatchObject({ requester: { id: 'etl-bot' }, status: 'pending_review' });

    const id = created.json().id as string;
    // The same identity by API key sees it as its own; another agent does not see it at all.
    expect((await stack.call('etl-bot', 'GET', `/v1/actions/${id}`)).statusCode).toBe(200);
    expect((await stack.call('other-bot', 'GET', `/v1/actions/${id}`)).statusCode).toBe(404);
    const cancelled = await callWith(token, 'POST', `/v1/actions/${id}/cancel`, { reason: 'done by hand' });
    expect(cancelled.statusCode).toBe(200);
    expect(cancelled.json()).toMatchObject({ status: 'cancelled', cancellation: { by: 'etl-bot' } });
  });

  it("gives a token identity exactly its issuer's roles, whatever the API key of the same id holds", async () => {
    const decision = { decision: 'approve' };
    const unknownAction = `/v1/actions/action-s3.copyObject-${'a'.repeat(16)}/decisions`;
    // alice's key has the reviewer role: the route lets her through to find no such action.
    expect((await stack.call('alice', 'POST', unknownAction, decision)).json().error.code).toBe('action_not_found');
    const byToken = await callWith(await provider.clientCredentialsToken('alice-laptop'), 'POST', unknownAction, decision);
    expect(byToken.statusCode).toBe(403);
    expect(byToken.json().error).toEqual({ code: 'forbidden', message: 'alice needs one of the roles: reviewer' });
  });

  it('keeps API keys working beside tokens', async () => {
    expect((await stack.call('etl-bot', 'GET', '/v1/catalogue')).statusCode).toBe(200);
    expect((await stack.call(null, 'GET', '/v1/catalogue', undefined, { authorization: 'Bearer alk_not-a-key' })).json().error).toEqual({
      code: 'unauthenticated',
      message: 'invalid API key',
    });
  });

  it('accepts a token the test signs with the provider key and good claims (the control for the refusals below)', async () => {
    expect((await callWith(await sign(claims()), 'GET', '/v1/catalogue')).statusCode).toBe(200);
  });

  const now = (): number => Math.floor(Date.now() / 1000);
  const refusals: [string, () => Promise<string>, RegExp][] = [
    ['an expired token, signed by the issuer', () => sign({ ...claims(), iat: now() - 7200, exp: now() - 3600 }), /^token expired$/],
    ['a token for another audience, from the issuer', () => provider.clientCredentialsToken('etl-runner', OTHER_RESOURCE), /audience/],
    ['a token from an issuer not configured', () => stranger.clientCredentialsToken('etl-runner'), /issuer this API does not trust/],
    [
      "a forged token: the issuer's key id, right issuer and audience, an attacker's key",
      async () => sign(claims(), (await jose.generateKeyPair('ES256')).privateKey),
      /signature does not verify/,
    ],
    [
      'a token signed with a key the issuer does not publish',
      async () => sign(claims(), (await jose.generateKeyPair('ES256')).privateKey, { kid: 'attacker-key' }),
      /key its issuer does not publish/,
    ],
    ['an unsigned token (alg: none)', async () => new jose.UnsecuredJWT(claims()).encode(), /algorithm refused/],
    [
      "an HS256 token keyed with the issuer's public key (algorithm confusion)",
      async () => sign(claims(), new TextEncoder().encode(await publicKeyPem(provider.issuer)), { alg: 'HS256' }),
      /algorithm refused/,
    ],
    ['a token valid for two days', () => sign({ ...claims(), exp: now() + 48 * 3600 }), /lifetime/],
    [
      'a token without iat',
      () => {
        const { iat: _iat, ...rest } = claims();
        return sign(rest);
      },
      /lacks the iat claim/,
    ],
    ['a token whose subject maps to no identity', () => provider.clientCredentialsToken('unmapped-runner'), /sub claim names no identity/],
    ["a subject named like an object's own property", () => sign(claims('constructor')), /sub claim names no identity/],
    ['three dotted segments that are no JWT', async () => 'not.a.jwt', /malformed token/],
  ];

  it.each(refusals)('refuses %s with 401 saying which check failed, never echoing the token', async (_label, token, message) => {
    const value = await token();
    const response = await callWith(value, 'GET', '/v1/catalogue');
    expect(response.statusCode).toBe(401);
    expect(response.json().error).toEqual({ code: 'unauthenticated', message: expect.stringMatching(message) });
    expect(response.text).not.toContain(value);
  });

  describe('on an API that logs and limits', () => {
    const logLines: Record<string, unknown>[] = [];
    let api: FastifyInstance;
    let baseUrl: string;
    let keys: Record<string, string>;

    beforeAll(async () => {
      const minted = mintTestPrincipals();
      keys = minted.keys;
      const policy = loadPolicyFile(TEST_POLICY_FILE);
      api = await buildApi({
        client: stack.client,
        catalogue: defaultCatalogue(),
        principals: new PrincipalDirectory(minted.principals),
        // Its keys named directly this time, rather than found by discovery.
        tokenIssuers: [{ ...issuer, jwksUrl: `${provider.issuer}/jwks` }],
        taskQueue: stack.taskQueue,
        audit: stack.audit,
        identity: testSigner(),
        logLevel: 'warn',
        logStream: { write: (line) => logLines.push(JSON.parse(line) as Record<string, unknown>) },
        policy: () => policy,
        rateLimits: { apiPerMinute: 3 },
      });
      baseUrl = await api.listen({ host: '127.0.0.1', port: 0 });
    });
    afterAll(async () => {
      await api?.close();
    });

    const catalogue = (authorization: string) => fetch(`${baseUrl}/v1/catalogue`, { headers: { authorization } });

    it('logs a refused token with the check it failed and its issuer, never the token', async () => {
      const token = await sign({ ...claims(), iat: now() - 7200, exp: now() - 3600 });
      expect((await catalogue(`Bearer ${token}`)).status).toBe(401);
      const refused = logLines.find((line) => line.msg === 'refused request');
      expect(refused).toMatchObject({ code: 'unauthenticated', credential: 'token', tokenRefusal: 'expired', issuer: provider.issuer });
      expect(JSON.stringify(logLines)).not.toContain(token);
    });

    it('limits a token identity on its own allowance, as it does an API key', async () => {
      const token = await provider.clientCredentialsToken('etl-runner');
      for (let i = 0; i < 3; i++) expect((await catalogue(`Bearer ${token}`)).status).toBe(200);
      expect((await catalogue(`Bearer ${token}`)).status).toBe(429);
      // The same address, another identity: its own allowance.
      expect((await catalogue(`Bearer ${keys['other-bot']}`)).status).toBe(200);
      expect(logLines.find((line) => line.msg === 'rate limited')).toMatchObject({ principal: 'etl-bot' });
    });
  });
});

/** The issuer's signing key as SPKI PEM, from its published JWKS: what an attacker would use as an HMAC secret. */
async function publicKeyPem(issuer: string): Promise<string> {
  const jwks = (await (await fetch(`${issuer}/jwks`)).json()) as { keys: Jose.JWK[] };
  const [jwk] = jwks.keys;
  if (!jwk) throw new Error('the issuer publishes no key');
  return jose.exportSPKI((await jose.importJWK(jwk, 'ES256')) as Jose.CryptoKey);
}
