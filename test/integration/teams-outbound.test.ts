import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { TEAMS_VERBS } from '../../channels/teams/card';
import { eventually } from '../support/eventually';
import { fetchHistory, scheduledActivities } from '../support/history';
import { bundleWorkflows, startStack, type Stack } from '../support/stack';
import { startTeamsDouble, type TeamsDouble } from '../support/teams-double';
import { putObject, readObject, testS3 } from '../support/test-aws';

const CONVERSATION = '19:approvals@thread.tacv2';

/**
 * Reviewers in Teams, outbound: the worker posts the review as an Adaptive Card through the Bot
 * Connector (a local double), updates it in place after each vote, and shows the end without buttons.
 * Votes arrive through the API here; card clicks (POST /teams/messages) have their own tests.
 */
describe('Teams review card', () => {
  let teams: TeamsDouble;
  let stack: Stack;
  const s3 = testS3();

  beforeAll(async () => {
    teams = await startTeamsDouble({ appId: 'airlock-test-app', appPassword: 'airlock-test-app-password' });
    stack = await startStack(await bundleWorkflows(), {
      policyFile: join(__dirname, '..', 'fixtures', 'policy-teams.yaml'),
      teams: { appId: teams.appId, appPassword: teams.appPassword, serviceUrl: teams.serviceUrl, tokenUrl: teams.tokenUrl },
    });
  });
  afterAll(async () => {
    await stack?.stop();
    await teams?.close();
    s3.destroy();
  });

  async function request(keyPrefix: string) {
    const sourceKey = `src/${randomUUID()}.csv`;
    const destinationKey = `${keyPrefix}/${randomUUID()}.csv`;
    await putObject(s3, 'airlock-src', sourceKey, 'id\n1\n');
    const response = await stack.call('etl-bot', 'POST', '/v1/actions', {
      action: 's3.copyObject',
      params: { sourceBucket: 'airlock-src', sourceKey, destinationBucket: 'airlock-exports', destinationKey },
      justification: 'Finance needs the report [click](https://evil.example)',
    });
    expect(response.statusCode).toBe(202);
    return { id: response.json().id as string, destinationKey };
  }

  /** The card activity about an action, once the workflow has posted it. */
  const postedCard = (actionId: string) => eventually(() => teams.activities(CONVERSATION).find((activity) => JSON.stringify(activity).includes(actionId)));

  const vote = (reviewer: string, id: string, decision: 'approve' | 'reject', comment?: string) =>
    stack.call(reviewer, 'POST', `/v1/actions/${id}/decisions`, { decision, ...(comment ? { comment } : {}) });

  it('posts the card, updates it in place after a vote, and ends without buttons', async () => {
    const { id, destinationKey } = await request('quorum-2');
    const posted = await postedCard(id);
    expect(posted.attachments?.[0]?.contentType).toBe('application/vnd.microsoft.card.adaptive');
    const first = JSON.stringify(teams.card(posted.id));
    for (const expected of [
      'etl-bot',
      's3.copyObject',
      destinationKey,
      'review-two-owners',
      '0 of 2 approvals',
      TEAMS_VERBS.approve,
      TEAMS_VERBS.reject,
      TEAMS_VERBS.refresh,
    ]) {
      expect(first).toContain(expected);
    }

    expect((await vote('alice', id, 'approve', 'fine')).statusCode).toBe(200);
    const afterAlice = await eventually(() => {
      const card = JSON.stringify(teams.card(posted.id));
      return card.includes('1 of 2 approvals: alice') ? card : undefined;
    });
    expect(afterAlice).toContain(TEAMS_VERBS.approve); // still open
    expect(teams.activities(CONVERSATION).filter((activity) => JSON.stringify(activity).includes(id))).toHaveLength(1); // same activity

    expect((await vote('carol', id, 'approve')).statusCode).toBe(200);
    await stack.client.workflow.getHandle(id).result();
    const final = await eventually(() => {
      const card = JSON.stringify(teams.card(posted.id));
      return card.includes('Executed') ? card : undefined;
    });
    expect(final).toContain('alice, carol');
    expect(final).not.toContain('Action.Execute'); // no buttons, no refresh once closed
    expect(final).not.toContain('Input.Text');
    expect(teams.updates().every((update) => update.id === posted.id || !JSON.stringify(update).includes(id))).toBe(true);
    expect(await readObject(s3, 'airlock-exports', destinationKey)).toBe('id\n1\n');

    const state = (await stack.call('bob', 'GET', `/v1/actions/${id}`)).json();
    expect(state.notifications).toEqual([
      expect.objectContaining({ target: `teams:${CONVERSATION}`, status: 'sent', ref: { channel: CONVERSATION, ts: posted.id } }),
    ]);
    const history = await fetchHistory(stack.client, id);
    expect(scheduledActivities(history)).toEqual(expect.arrayContaining(['postTeamsReview', 'updateTeamsReview']));
    const markers = (history.events ?? []).filter((event) => event.markerRecordedEventAttributes?.markerName === 'core_patch');
    expect(markers.length).toBeGreaterThan(0);
  });

  it('shows a rejection and its reason', async () => {
    const { id } = await request('reports');
    const posted = await postedCard(id);
    expect((await vote('bob', id, 'reject', 'No data processing agreement')).statusCode).toBe(200);
    const final = await eventually(() => {
      const card = JSON.stringify(teams.card(posted.id));
      return card.includes('Rejected by bob') ? card : undefined;
    });
    expect(final).toContain('No data processing agreement');
    expect(final).not.toContain(TEAMS_VERBS.approve);
  });

  it('retries a 429 from the connector and still posts the card', async () => {
    teams.fail({ status: 429, retryAfter: 1 });
    const { id } = await request('reports');
    const posted = await postedCard(id);
    expect(posted.id).toBeTruthy();
    expect(
      teams
        .calls()
        .filter((call) => call.path.includes('/v3/conversations/'))
        .map((call) => call.status),
    ).toContain(429);
    const state = (await stack.call('bob', 'GET', `/v1/actions/${id}`)).json();
    expect(state.notifications).toEqual([expect.objectContaining({ target: `teams:${CONVERSATION}`, status: 'sent' })]);
  });
});
