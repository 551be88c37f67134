import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { TEAMS_VERBS, type TeamsVerb } from '../../channels/teams/card';
import { TEAMS_REFUSAL_TEXT, TEAMS_TEXT } from '../../channels/teams/inbound/texts';
import { RefusalCode } from '../../domain/types';
import { startBotFrameworkIssuer, TEST_TEAMS_APP_ID, type BotFrameworkIssuer, type TokenOptions } from '../support/bot-framework-tokens';
import { eventually } from '../support/eventually';
import { acceptedUpdates, fetchHistory } from '../support/history';
import { bundleWorkflows, startStack, type Stack } from '../support/stack';
import { startTeamsDouble, type TeamsDouble } from '../support/teams-double';
import { countTemporalCalls } from '../support/temporal-calls';
import { objectExists, testS3 } from '../support/test-aws';
import { requestCopy } from '../support/copy-request';

const CONVERSATION = '19:approvals@thread.tacv2';
/** Azure AD object ids, as test/fixtures/policy-teams.yaml maps them. */
const AAD = {
  alice: '0a1b2c3d-0000-4000-8000-00000000a11c',
  bob: '0a1b2c3d-0000-4000-8000-000000000b0b',
  carol: '0a1b2c3d-0000-4000-8000-0000000ca201',
  mallory: '0a1b2c3d-0000-4000-8000-0000000a1104',
  stranger: '0a1b2c3d-0000-4000-8000-00000000dead',
} as const;
type TeamsUser = keyof typeof AAD;

interface InvokeOptions {
  reason?: string;
  /** The invoke activity's id; a retried delivery reuses it. */
  activityId?: string;
  /** `null`: no Authorization header. */
  authorization?: string | null;
  token?: TokenOptions & { claims?: Record<string, unknown> };
  serviceUrl?: string;
}

/**
 * Reviewers in Teams, inbound: card clicks arrive at POST /teams/messages as `adaptiveCard/action`
 * invokes carrying Bot Framework tokens (signed by a local key the API trusts in tests only), become
 * `decide` Updates, and are answered with the refreshed card; the posted card follows in the double.
 */
describe('Teams card clicks', () => {
  let teams: TeamsDouble;
  let issuer: BotFrameworkIssuer;
  let stack: Stack;
  const counter = countTemporalCalls();
  const s3 = testS3();

  beforeAll(async () => {
    teams = await startTeamsDouble({ appId: TEST_TEAMS_APP_ID, appPassword: 'airlock-test-app-password' });
    issuer = await startBotFrameworkIssuer({ appId: TEST_TEAMS_APP_ID });
    stack = await startStack(await bundleWorkflows(), {
      policyFile: join(__dirname, '..', 'fixtures', 'policy-teams.yaml'),
      teams: { appId: teams.appId, appPassword: teams.appPassword, serviceUrl: teams.serviceUrl, tokenUrl: teams.tokenUrl },
      teamsJwksUrl: issuer.jwksUrl,
      clientInterceptors: [counter.interceptor],
    });
  });
  afterAll(async () => {
    await stack?.stop();
    await teams?.close();
    await issuer?.stop();
    s3.destroy();
  });

  async function request(as: string, folder: string) {
    const submitted = await requestCopy(stack, s3, as, { folder, justification: 'Finance needs the report' });
    expect(submitted.response.statusCode).toBe(202);
    return submitted;
  }

  /** The card activity about an action, once the workflow has posted it. */
  const postedCard = (actionId: string) => eventually(() => teams.activities(CONVERSATION).find((activity) => JSON.stringify(activity).includes(actionId)));

  /** What Teams sends when `user` clicks an `Action.Execute` on the card, with a Bot Framework token. */
  async function invoke(user: TeamsUser, actionId: string, verb: TeamsVerb, options: InvokeOptions = {}) {
    const serviceUrl = options.serviceUrl ?? teams.serviceUrl;
    const activity = {
      type: 'invoke',
      name: 'adaptiveCard/action',
      id: options.activityId ?? `f:${randomUUID()}`,
      channelId: 'msteams',
      serviceUrl,
      timestamp: new Date().toISOString(),
      from: { id: `29:${user}`, name: user, aadObjectId: AAD[user] },
      conversation: { id: CONVERSATION, conversationType: 'channel' },
      recipient: { id: `28:${TEST_TEAMS_APP_ID}` },
      value: {
        action: { type: 'Action.Execute', verb, data: { actionId, ...(options.reason !== undefined ? { reason: options.reason } : {}) } },
        trigger: 'manual',
      },
    };
    const authorization =
      options.authorization === undefined
        ? `Bearer ${await issuer.signToken({ serviceUrl: teams.serviceUrl, ...options.token?.claims }, options.token)}`
        : options.authorization;
    const response = await fetch(`${stack.baseUrl}/teams/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8', ...(authorization !== null ? { authorization } : {}) },
      body: JSON.stringify(activity),
    });
    const text = await response.text();
    return {
      status: response.status,
      body: text ? (JSON.parse(text) as { statusCode?: number; type?: string; value?: unknown; error?: { code: string } }) : undefined,
    };
  }

  const cardText = (body: { value?: unknown } | undefined) => JSON.stringify(body?.value);
  const decideUpdates = async (id: string) => acceptedUpdates(await fetchHistory(stack.client, id), 'decide');

  it('approves by card: the invoke answers with the refreshed card, the posted card follows to the end', async () => {
    const { id, destinationKey } = await request('etl-bot', 'exports');
    const posted = await postedCard(id);

    const activityId = `f:${randomUUID()}`;
    const approved = await invoke('alice', id, TEAMS_VERBS.approve, { activityId, reason: 'Board pack' });
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({ statusCode: 200, type: 'application/vnd.microsoft.card.adaptive' });
    expect(cardText(approved.body)).toContain(TEAMS_TEXT.approved);
    expect(cardText(approved.body)).toContain('1 of 1 approval: alice');

    await stack.client.workflow.getHandle(id).result();
    await expect(objectExists(s3, 'airlock-exports', destinationKey)).resolves.toBe(true);
    await eventually(() => JSON.stringify(teams.card(posted.id)).includes('Executed'));

    // Bot Framework redelivers an invoke it got no answer to: the same id is the same vote, not a second one.
    const retried = await invoke('alice', id, TEAMS_VERBS.approve, { activityId, reason: 'Board pack' });
    expect(retried.body).toMatchObject({ statusCode: 200, type: 'application/vnd.microsoft.card.adaptive' });
    const votes = await decideUpdates(id);
    expect(votes).toEqual([expect.objectContaining({ reviewer: 'alice', verdict: 'approve', channel: 'teams', comment: 'Board pack' })]);

    const refreshed = await invoke('bob', id, TEAMS_VERBS.refresh);
    expect(refreshed.body).toMatchObject({ statusCode: 200, type: 'application/vnd.microsoft.card.adaptive' });
    expect(cardText(refreshed.body)).toContain('Executed');
    expect(cardText(refreshed.body)).not.toContain('Action.Execute');
  });

  it('rejects by card with a reason, after one approval; the card is updated after each vote', async () => {
    const { id, destinationKey } = await request('etl-bot', 'quorum-2');
    const posted = await postedCard(id);

    const first = await invoke('alice', id, TEAMS_VERBS.approve);
    expect(cardText(first.body)).toContain('1 of 2 approvals: alice');
    await eventually(() => JSON.stringify(teams.card(posted.id)).includes('1 of 2 approvals: alice'));

    const noReason = await invoke('bob', id, TEAMS_VERBS.reject, { reason: '   ' });
    expect(noReason.body).toMatchObject({ statusCode: 200, type: 'application/vnd.microsoft.card.adaptive' });
    expect(cardText(noReason.body)).toContain(TEAMS_TEXT.reasonRequired);
    expect(await decideUpdates(id)).toHaveLength(1);

    const rejected = await invoke('bob', id, TEAMS_VERBS.reject, { reason: 'Not for the board' });
    expect(cardText(rejected.body)).toContain(TEAMS_TEXT.rejected);
    await expect(stack.client.workflow.getHandle(id).result()).resolves.toMatchObject({ status: 'rejected' });
    await eventually(() => {
      const card = JSON.stringify(teams.card(posted.id));
      return card.includes('Rejected') && !card.includes('Action.Execute');
    });
    await expect(objectExists(s3, 'airlock-exports', destinationKey)).resolves.toBe(false);
    expect(await decideUpdates(id)).toEqual([
      expect.objectContaining({ reviewer: 'alice', verdict: 'approve', channel: 'teams' }),
      expect.objectContaining({ reviewer: 'bob', verdict: 'reject', channel: 'teams', comment: 'Not for the board' }),
    ]);

    const late = await invoke('carol', id, TEAMS_VERBS.approve);
    expect(cardText(late.body)).toContain(TEAMS_REFUSAL_TEXT[RefusalCode.ActionClosed]);
  });

  it('refuses the requester, a non-approver and an unlinked user, back to them, with no vote recorded', async () => {
    const { id } = await request('alice', 'exports');
    await postedCard(id);

    const own = await invoke('alice', id, TEAMS_VERBS.approve);
    expect(own.body).toMatchObject({ statusCode: 200, type: 'application/vnd.microsoft.card.adaptive' });
    expect(cardText(own.body)).toContain(TEAMS_REFUSAL_TEXT[RefusalCode.SelfApproval]);

    const outsider = await invoke('mallory', id, TEAMS_VERBS.approve);
    expect(cardText(outsider.body)).toContain(TEAMS_REFUSAL_TEXT[RefusalCode.NotAnApprover]);

    const stranger = await invoke('stranger', id, TEAMS_VERBS.approve);
    expect(cardText(stranger.body)).toContain(TEAMS_TEXT.notLinked(AAD.stranger));

    expect(await decideUpdates(id)).toEqual([]);
    const state = await stack.call('alice', 'GET', `/v1/actions/${id}`);
    expect(state.json().status).toBe('pending_review');
  });

  it.each<[string, InvokeOptions]>([
    ['no Authorization header', { authorization: null }],
    ['a bearer that is not a JWT', { authorization: 'Bearer nonsense' }],
    ['an unsigned token', { token: { unsigned: true } }],
    ['a token signed by another key', { token: { foreignKey: true } }],
    ['an expired token', { token: { expiresIn: -3600 } }],
    ['a token for another app', { token: { claims: { aud: 'another-app' } } }],
    ['a token from another issuer', { token: { claims: { iss: 'https://evil.example' } } }],
    ['a token for another serviceUrl', { serviceUrl: 'https://evil.example/' }],
  ])('answers %s with 401 and sends no Update', async (_name, options) => {
    const { id } = await request('etl-bot', 'exports');
    await postedCard(id);
    counter.reset();
    const response = await invoke('bob', id, TEAMS_VERBS.approve, options);
    expect(response.status).toBe(401);
    expect(response.body?.error?.code).toBe('unauthenticated');
    expect(counter.calls().filter((call) => call.workflowId === id)).toEqual([]);
    expect(await decideUpdates(id)).toEqual([]);
  });

  it('acknowledges other activities and does nothing', async () => {
    const token = await issuer.signToken({ serviceUrl: teams.serviceUrl });
    counter.reset();
    const response = await fetch(`${stack.baseUrl}/teams/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ type: 'conversationUpdate', id: 'x', channelId: 'msteams', serviceUrl: teams.serviceUrl }),
    });
    expect(response.status).toBe(200);
    expect(counter.writes()).toEqual([]);
  });
});
