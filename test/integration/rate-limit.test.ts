import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import type { AuditLog } from '../../audit/audit-log';
import { openAuditLog } from '../../audit/open-store';
import { buildApi } from '../../api/server';
import { signSlackRequest } from '../../channels/slack/inbound/signature';
import { BotTokenVerifier } from '../../channels/teams/inbound/verify-token';
import { PrincipalDirectory } from '../../config/principals';
import { defaultCatalogue } from '../../operations/catalogue';
import { loadPolicyFile } from '../../policy';
import { startBotFrameworkIssuer, TEST_TEAMS_APP_ID, type BotFrameworkIssuer } from '../support/bot-framework-tokens';
import { errorOf } from '../support/fuzz';
import { rawHttpClient, type RawResponse } from '../support/raw-http';
import { mintTestPrincipals, TEST_POLICY_FILE } from '../support/stack';
import { requiredEnv } from '../support/test-aws';
import { countTemporalCalls } from '../support/temporal-calls';
import { testSigner } from '../support/identity-keys';

const API_PER_MINUTE = 5;
const SLACK_PER_MINUTE = 3;
const TEAMS_PER_MINUTE = 4;
const SIGNING_SECRET = 'rate-limit-test-signing-secret';
/** Well-formed, but no such workflow: each read that gets through is one `status` query Temporal answers NOT_FOUND. */
const UNKNOWN_ID = 'action-s3.copyObject-aaaaaaaaaaaaaaaa';

/**
 * Rate limits per API key and per client address, on an API with a real Temporal client whose
 * calls are counted: a limited request is answered 429 in the API's error shape, with
 * Retry-After, and never gets as far as Temporal. No worker: nothing here needs one.
 */
describe('rate limits', () => {
  const counter = countTemporalCalls();
  const keys: Record<string, string> = {};
  const logLines: Record<string, unknown>[] = [];
  let connection: Connection;
  let audit: AuditLog;
  let auditDir: string;
  let api: FastifyInstance;
  let http: ReturnType<typeof rawHttpClient>;
  let teamsIssuer: BotFrameworkIssuer;

  beforeAll(async () => {
    teamsIssuer = await startBotFrameworkIssuer();
    connection = await Connection.connect({ address: requiredEnv('AIRLOCK_TEST_TEMPORAL_ADDRESS') });
    const client = new Client({ connection, namespace: 'default', interceptors: { workflow: [counter.interceptor] } });
    const minted = mintTestPrincipals();
    Object.assign(keys, minted.keys);
    const principals = new PrincipalDirectory(minted.principals);
    auditDir = mkdtempSync(join(tmpdir(), 'airlock-audit-'));
    audit = await openAuditLog(`sqlite:${join(auditDir, 'audit.db')}`);
    const policy = loadPolicyFile(TEST_POLICY_FILE);
    api = await buildApi({
      client,
      catalogue: defaultCatalogue(),
      principals,
      taskQueue: 'airlock-rate-limit-test',
      audit,
      identity: testSigner(),
      logLevel: 'warn',
      logStream: { write: (line) => logLines.push(JSON.parse(line) as Record<string, unknown>) },
      policy: () => policy,
      slack: { signingSecret: SIGNING_SECRET },
      teams: { appId: TEST_TEAMS_APP_ID, jwksUrl: teamsIssuer.jwksUrl },
      rateLimits: { apiPerMinute: API_PER_MINUTE, slackPerMinute: SLACK_PER_MINUTE, teamsPerMinute: TEAMS_PER_MINUTE },
    });
    http = rawHttpClient(await api.listen({ host: '127.0.0.1', port: 0 }));
  });
  afterAll(async () => {
    http?.close();
    await api?.close();
    await connection?.close();
    await audit?.close();
    await teamsIssuer?.stop();
    if (auditDir) rmSync(auditDir, { recursive: true, force: true });
  });

  function read(as: string | null, options: { key?: string; from?: string } = {}): Promise<RawResponse> {
    const key = options.key ?? (as ? keys[as] : undefined);
    return http.send({
      method: 'GET',
      path: `/v1/actions/${UNKNOWN_ID}`,
      headers: key ? { authorization: `Bearer ${key}` } : {},
      ...(options.from ? { localAddress: options.from } : {}),
    });
  }

  function expectLimited(response: RawResponse): void {
    expect(response.statusCode).toBe(429);
    expect(errorOf(response.body)).toEqual({ code: 'rate_limited', message: expect.stringContaining(`${API_PER_MINUTE} requests a minute`) });
    const retryAfter = Number(response.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
  }

  it('answers one key over its limit with 429 and Retry-After, reaching nothing, while another key is still served', async () => {
    counter.reset();
    for (let i = 0; i < API_PER_MINUTE; i++) expect((await read('etl-bot')).statusCode).toBe(404);
    expect(counter.calls()).toHaveLength(API_PER_MINUTE);

    counter.reset();
    expectLimited(await read('etl-bot'));
    const create = await http.send({
      method: 'POST',
      path: '/v1/actions',
      headers: { authorization: `Bearer ${keys['etl-bot']}`, 'content-type': 'application/json' },
      body: JSON.stringify({ action: 's3.copyObject', params: {}, justification: 'over the limit, never started' }),
    });
    expectLimited(create);
    expect(counter.calls()).toEqual([]);

    // Another agent on the same address has its own allowance.
    const other = await read('other-bot');
    expect(other.statusCode).toBe(404);
    expect(counter.calls()).toEqual([{ kind: 'query', workflowId: UNKNOWN_ID, name: 'status' }]);
  });

  it('logs a limited request as a warning naming the principal, never its key', async () => {
    const warning = logLines.find((line) => line.msg === 'rate limited' && line.principal === 'etl-bot');
    expect(warning).toMatchObject({ level: 40, principal: 'etl-bot', ip: '127.0.0.1' });
    expect(JSON.stringify(logLines)).not.toContain(keys['etl-bot']);
  });

  it('limits requests without a valid key per client address, apart from the principals there', async () => {
    const from = '127.0.0.2';
    counter.reset();
    for (let i = 0; i < API_PER_MINUTE; i++) expect((await read(null, { key: `forged-${i}`, from })).statusCode).toBe(401);
    expectLimited(await read(null, { key: 'forged-again', from }));
    expectLimited(await read(null, { from }));
    expect(counter.calls()).toEqual([]);

    // A principal sending from that address, and bad keys from another, are still answered.
    expect((await read('carol', { from })).statusCode).toBe(404);
    expect((await read(null, { key: 'forged', from: '127.0.0.3' })).statusCode).toBe(401);
  });

  it('limits Slack interactions per client address, apart from the API', async () => {
    const from = '127.0.0.4';
    const unsigned = (address: string): Promise<RawResponse> =>
      http.send({
        method: 'POST',
        path: '/slack/interactions',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'payload=%7B%7D',
        localAddress: address,
      });
    for (let i = 0; i < SLACK_PER_MINUTE; i++) expect((await unsigned(from)).statusCode).toBe(401);
    const limited = await unsigned(from);
    expect(limited.statusCode).toBe(429);
    expect(errorOf(limited.body)?.code).toBe('rate_limited');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);

    // Even a correctly signed click is refused once the address is over its limit: it reaches nothing.
    const body = 'payload=%7B%7D';
    const signed = await http.send({
      method: 'POST',
      path: '/slack/interactions',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...signSlackRequest(body, SIGNING_SECRET, Date.now() / 1000) },
      body,
      localAddress: from,
    });
    expect(signed.statusCode).toBe(429);

    expect((await unsigned('127.0.0.5')).statusCode).toBe(401);
    expect((await read('alice', { from })).statusCode).toBe(404);
  });

  it('limits Teams messages per client address before any token is verified', async () => {
    const from = '127.0.0.7';
    const verifications = jest.spyOn(BotTokenVerifier.prototype, 'authenticate');
    try {
      // Signed with a key Bot Framework's set does not hold: each one the verifier sees costs an RSA check.
      const badToken = await teamsIssuer.signToken({ serviceUrl: 'https://smba.trafficmanager.net/emea/' }, { foreignKey: true });
      const post = (token: string, address: string): Promise<RawResponse> =>
        http.send({
          method: 'POST',
          path: '/teams/messages',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify({ type: 'message', channelId: 'msteams', serviceUrl: 'https://smba.trafficmanager.net/emea/' }),
          localAddress: address,
        });
      const statuses: number[] = [];
      for (let i = 0; i < TEAMS_PER_MINUTE * 5; i++) statuses.push((await post(badToken, from)).statusCode);
      expect(statuses).toEqual([...Array<number>(TEAMS_PER_MINUTE).fill(401), ...Array<number>(TEAMS_PER_MINUTE * 4).fill(429)]);
      expect(verifications).toHaveBeenCalledTimes(TEAMS_PER_MINUTE);

      // Over the limit, even a genuine token is not looked at; the address's /v1 allowance is its own.
      const limited = await post(await teamsIssuer.signToken({ serviceUrl: 'https://smba.trafficmanager.net/emea/' }), from);
      expect(limited.statusCode).toBe(429);
      expect(errorOf(limited.body)).toEqual({ code: 'rate_limited', message: expect.stringContaining(`${TEAMS_PER_MINUTE} requests a minute`) });
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
      expect(verifications).toHaveBeenCalledTimes(TEAMS_PER_MINUTE);
      expect((await read(null, { key: 'forged', from })).statusCode).toBe(401);
      expect((await post(badToken, '127.0.0.8')).statusCode).toBe(401);
    } finally {
      verifications.mockRestore();
    }
  });

  it('never limits the health check', async () => {
    for (let i = 0; i < API_PER_MINUTE * 3; i++) {
      const health = await http.send({ method: 'GET', path: '/healthz', localAddress: '127.0.0.6' });
      expect(health.statusCode).toBe(200);
    }
  });
});
