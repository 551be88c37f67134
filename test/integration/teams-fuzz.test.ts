import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import fc from 'fast-check';
import { TEAMS_VERBS } from '../../channels/teams/card';
import { ACTION_ID_PATTERN } from '../../domain/action-id';
import { jose } from '../../net/jose';
import { BOT_FRAMEWORK_ISSUER } from '../../channels/teams/inbound/verify-token';
import { startBotFrameworkIssuer, TEST_TEAMS_APP_ID, type BotFrameworkIssuer } from '../support/bot-framework-tokens';
import { anyJson, contentType, deepJson, errorOf, fuzzParameters, headerText, mutated, oddText } from '../support/fuzz';
import { createPendingAction as createPendingActionOver } from '../support/pending-action';
import { rawHttpClient, type RawResponse } from '../support/raw-http';
import { bundleWorkflows, startStack, type Stack } from '../support/stack';
import { startTeamsDouble, type TeamsDouble } from '../support/teams-double';
import { countTemporalCalls, type TemporalCall } from '../support/temporal-calls';

/** Azure AD object ids test/fixtures/policy-teams.yaml links to reviewers; any other id is a stranger. */
const LINKED_USERS = [
  '0a1b2c3d-0000-4000-8000-00000000a11c',
  '0a1b2c3d-0000-4000-8000-000000000b0b',
  '0a1b2c3d-0000-4000-8000-0000000ca201',
  '0a1b2c3d-0000-4000-8000-0000000a1104',
];

/**
 * `POST /teams/messages` under random and malformed input. Whatever the body, a request without a
 * good Bot Framework token is a 401 that reaches nothing; with one, no body gets a 5xx, and no
 * Update reaches Temporal (a client interceptor counts every call) but one decision by a linked user.
 */
describe('Teams bot endpoint fuzzing', () => {
  const counter = countTemporalCalls();
  let teams: TeamsDouble;
  let issuer: BotFrameworkIssuer;
  let stack: Stack;
  let http: ReturnType<typeof rawHttpClient>;
  /** An action pending review (two approvals needed), so bodies can name one that exists. */
  let pendingId: string;

  beforeAll(async () => {
    teams = await startTeamsDouble({ appId: TEST_TEAMS_APP_ID, appPassword: 'airlock-fuzz-password' });
    issuer = await startBotFrameworkIssuer({ appId: TEST_TEAMS_APP_ID });
    stack = await startStack(await bundleWorkflows(), {
      policyFile: join(__dirname, '..', 'fixtures', 'policy-teams.yaml'),
      teams: { appId: teams.appId, appPassword: teams.appPassword, serviceUrl: teams.serviceUrl, tokenUrl: teams.tokenUrl },
      teamsJwksUrl: issuer.jwksUrl,
      clientInterceptors: [counter.interceptor],
    });
    http = rawHttpClient(stack.baseUrl);
    pendingId = await createPendingAction();
  });
  afterAll(async () => {
    http?.close();
    await stack?.stop();
    await teams?.close();
    await issuer?.stop();
  });

  const createPendingAction = (): Promise<string> => createPendingActionOver(http, stack.keys);

  /** What Teams sends when a user clicks a card button. */
  function genuineInvoke(actionId: string, aadObjectId: string, verb: string = TEAMS_VERBS.approve, reason?: string): Record<string, unknown> {
    return {
      type: 'invoke',
      name: 'adaptiveCard/action',
      id: `f:${randomUUID()}`,
      channelId: 'msteams',
      serviceUrl: teams.serviceUrl,
      from: { id: '29:fuzz', aadObjectId },
      conversation: { id: '19:approvals@thread.tacv2' },
      value: { action: { type: 'Action.Execute', verb, data: { actionId, ...(reason !== undefined ? { reason } : {}) } }, trigger: 'manual' },
    };
  }

  const actionIdValue = (): fc.Arbitrary<string> =>
    fc.oneof(
      { weight: 3, arbitrary: fc.constant(pendingId) },
      { weight: 2, arbitrary: fc.stringMatching(/^[a-z2-9]{16}$/).map((suffix) => `action-s3.copyObject-${suffix}`) },
      oddText,
    );
  const aadObjectId = fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...LINKED_USERS, ...LINKED_USERS.map((id) => id.toUpperCase())) }, oddText);

  /** Invokes as Teams sends them, then a few of their fields broken. */
  function invoke(): fc.Arbitrary<unknown> {
    const verb = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...Object.values(TEAMS_VERBS)) }, oddText);
    const reason = fc.oneof(
      fc.constant(undefined),
      fc.string({ unit: 'grapheme', maxLength: 50 }),
      oddText,
      fc.constantFrom('', '   '),
      fc.constant('r'.repeat(2_001)),
    );
    return fc
      .record({ actionId: actionIdValue(), user: aadObjectId, verb, reason })
      .map(({ actionId, user, verb: v, reason: r }) => genuineInvoke(actionId, user, v, r))
      .chain((value) => mutated(value));
  }

  /** Bodies of every sort: invokes, other activities, any JSON, deep JSON, odd text. */
  const body: fc.Arbitrary<string> = fc.oneof(
    { weight: 8, arbitrary: invoke().map((value) => JSON.stringify(value) ?? 'null') },
    fc
      .constantFrom('message', 'conversationUpdate', 'installationUpdate', 'invoke')
      .map((type) => JSON.stringify({ type, id: 'a1', channelId: 'msteams', serviceUrl: teams.serviceUrl })),
    anyJson.map((value) => JSON.stringify(value) ?? 'null'),
    deepJson,
    oddText,
  );

  interface Sent {
    response: RawResponse;
    calls: TemporalCall[];
    writes: TemporalCall[];
  }

  async function post(text: string, headers: Record<string, string>): Promise<Sent> {
    counter.reset();
    const response = await http.send({ method: 'POST', path: '/teams/messages', headers, body: text });
    return { response, calls: counter.calls(), writes: counter.writes() };
  }

  const good = async (): Promise<string> => `Bearer ${await issuer.signToken({ serviceUrl: teams.serviceUrl })}`;

  it('refuses every request without a good Bot Framework token with 401, whatever it carries, before anything reaches Temporal', async () => {
    const nowS = (): number => Math.floor(Date.now() / 1000);
    /** `bound`: refused only once the body is read (its serviceUrl is not the token's), so a body that is not JSON may be a 4xx first. */
    type Forge = (() => Promise<string | undefined>) & { bound?: true };
    const forgery: fc.Arbitrary<Forge> = fc.oneof(
      fc.constant<Forge>(async () => undefined),
      headerText(200).map<Forge>((text) => async () => text),
      headerText(200).map<Forge>((text) => async () => `Bearer ${text}`),
      fc.constant<Forge>(async () => `Bearer ${await issuer.signToken({ serviceUrl: teams.serviceUrl }, { unsigned: true })}`),
      fc.constant<Forge>(async () => `Bearer ${await issuer.signToken({ serviceUrl: teams.serviceUrl }, { foreignKey: true })}`),
      fc
        .integer({ min: 301, max: 10_000_000 })
        .map<Forge>((ago) => async () => `Bearer ${await issuer.signToken({ serviceUrl: teams.serviceUrl }, { expiresIn: -ago })}`),
      fc
        .integer({ min: 400, max: 10_000_000 })
        .map<Forge>((ahead) => async () => `Bearer ${await issuer.signToken({ serviceUrl: teams.serviceUrl, nbf: nowS() + ahead })}`),
      oddText.map<Forge>((aud) => async () => `Bearer ${await issuer.signToken({ serviceUrl: teams.serviceUrl, aud })}`),
      oddText.map<Forge>((iss) => async () => `Bearer ${await issuer.signToken({ serviceUrl: teams.serviceUrl, iss })}`),
      oddText.map<Forge>((serviceUrl) =>
        Object.assign(async () => `Bearer ${await issuer.signToken({ serviceUrl: `https://evil.example/${serviceUrl}` })}`, { bound: true as const }),
      ),
      fc.constant<Forge>(async () => `Bearer ${await issuer.signToken({})}`),
      // The same claims, MAC'd with HS256: algorithm confusion must not pass for a signature.
      fc.constant<Forge>(async () => {
        const token = await new jose.SignJWT({ iss: BOT_FRAMEWORK_ISSUER, aud: TEST_TEAMS_APP_ID, serviceUrl: teams.serviceUrl, exp: nowS() + 600 })
          .setProtectedHeader({ alg: 'HS256' })
          .sign(new TextEncoder().encode('a-secret-anyone-could-choose-00000'));
        return `Bearer ${token}`;
      }),
      // A good token, altered on the way.
      fc.constant<Forge>(async () => `${await good()}x`),
      fc.constant<Forge>(async () => (await good()).replace('Bearer ', 'Basic ')),
    );
    const genuine = fc.constant(JSON.stringify(genuineInvoke(pendingId, LINKED_USERS[2] ?? '')));
    await fc.assert(
      fc.asyncProperty(fc.oneof(genuine, body), forgery, async (text, forge) => {
        const authorization = await forge();
        const sent = await post(text, { 'content-type': 'application/json', ...(authorization !== undefined ? { authorization } : {}) });
        expect(sent.calls).toEqual([]);
        // 431: a forged header too large for Node's HTTP parser, refused before any route runs.
        if (sent.response.statusCode === 431) return;
        if (forge.bound && sent.response.statusCode !== 401) {
          expect(sent.response.statusCode).toBeGreaterThanOrEqual(400);
          expect(sent.response.statusCode).toBeLessThan(500);
          return;
        }
        expect(sent.response.statusCode).toBe(401);
        expect(errorOf(sent.response.body)?.code).toBe('unauthenticated');
      }),
      fuzzParameters(200),
    );
  });

  it('never answers an authenticated request with a 5xx, and sends no decision but a linked user’s', async () => {
    const request = fc.record({
      text: body,
      type: fc.oneof({ weight: 8, arbitrary: fc.constant<string | undefined>('application/json; charset=utf-8') }, contentType),
    });
    const seen = { answered: 0, decided: 0, refused: 0 };
    await fc.assert(
      fc.asyncProperty(request, async ({ text, type }) => {
        const sent = await post(text, { authorization: await good(), ...(type !== undefined ? { 'content-type': type } : {}) });
        const problem = violation(sent, userOf(text));
        if (problem) throw new Error(`${text.slice(0, 300)}: ${problem}`);
        if (sent.response.statusCode === 200) seen.answered++;
        else seen.refused++;
        if (sent.writes.length > 0) seen.decided++;
      }),
      fuzzParameters(300),
    );
    expect(seen.answered).toBeGreaterThan(0);
    expect(seen.decided).toBeGreaterThan(0);
    expect(seen.refused).toBeGreaterThan(0);
  });

  it('passes a genuine authenticated click on to Temporal, so the counter above is proven to see it', async () => {
    const id = await createPendingAction();
    const sent = await post(JSON.stringify(genuineInvoke(id, LINKED_USERS[0] ?? '')), { authorization: await good(), 'content-type': 'application/json' });
    expect(sent.response.statusCode).toBe(200);
    expect(sent.writes).toEqual([{ kind: 'startUpdate', workflowId: id, name: 'decide' }]);
  });

  /** What must hold for any answer to an authenticated request: undefined when it does, else what went wrong. */
  function violation({ response, calls, writes }: Sent, user: string | undefined): string | undefined {
    if (response.statusCode >= 500 && response.statusCode !== 501) return `answered ${response.statusCode}: ${response.body.slice(0, 300)}`;
    if (response.statusCode >= 400) {
      if (response.statusCode === 501) return calls.length > 0 ? `501, yet Temporal saw ${JSON.stringify(calls)}` : undefined;
      const error = errorOf(response.body);
      if (!error || !/^[a-z][a-z_]*$/.test(error.code)) return `a ${response.statusCode} without { error: { code, message } }: ${response.body.slice(0, 300)}`;
      if (calls.length > 0) return `refused with ${response.statusCode} ${error.code}, yet Temporal saw ${JSON.stringify(calls)}`;
      return undefined;
    }
    if (writes.length === 0) return undefined;
    if (writes.length > 1 || writes.some((write) => write.kind !== 'startUpdate' || write.name !== 'decide' || !ACTION_ID_PATTERN.test(write.workflowId))) {
      return `a Teams activity sent ${JSON.stringify(writes)}`;
    }
    if (!user || !LINKED_USERS.includes(user.toLowerCase())) return `a decision reached Temporal for ${JSON.stringify(user)}, who is linked to no one`;
    return undefined;
  }
});

/** The AAD object id an activity body names, if it has one. */
function userOf(text: string): string | undefined {
  try {
    const activity = JSON.parse(text) as { from?: { aadObjectId?: unknown } } | null;
    return typeof activity?.from?.aadObjectId === 'string' ? activity.from.aadObjectId : undefined;
  } catch {
    return undefined;
  }
}
