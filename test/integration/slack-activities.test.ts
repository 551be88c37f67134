import { ApplicationFailure } from '@temporalio/common';
import { createSlackActivities, type SlackActivities } from '../../channels/slack/outbound/activities';
import { slackClient } from '../../channels/slack/client';
import { rejectReasonModal } from '../../channels/slack/inbound/reject-modal';
import { SlackFailureType } from '../../domain/failure-types';
import { ActionStatus, type ActionState, type JsonObject } from '../../domain/types';
import { startSlackDouble, type SlackDouble } from '../support/slack-double';

const TOKEN = 'xoxb-test-token-for-slack-activities';
const CHANNEL_ID = 'C0APPROVALS';
const LINKS = { namespace: 'default', temporalUiUrl: 'http://127.0.0.1:8233' };

let sequence = 0;
function state(overrides: Partial<ActionState> = {}, params: JsonObject = { sourceBucket: 'airlock-src', destinationKey: 'exports/b.csv' }): ActionState {
  const actionId = `action-s3.copyObject-${String(++sequence).padStart(16, '0')}`;
  return {
    actionId,
    status: ActionStatus.PendingReview,
    request: {
      actionId,
      action: 's3.copyObject',
      params,
      justification: 'Finance needs the report <!channel>',
      requester: { id: 'etl-bot', source: 'api' },
      requestedAt: '2026-11-21T13:00:00.000Z',
    },
    policy: {
      effect: 'review',
      ruleId: 'review-exports',
      reason: 'Data leaves its home bucket',
      risk: 'high',
      policyHash: 'sha256:x',
      review: { approverGroups: ['data-owners'], eligibleApprovers: ['alice', 'bob'], quorum: 1, timeoutMs: 3_600_000, channels: ['slack:#data-approvals'] },
    },
    operation: { idempotent: true, summary: 'copy s3://airlock-src/a.csv to s3://airlock-exports/b.csv' },
    votes: [],
    deadline: '2026-11-21T14:00:00.000Z',
    updatedAt: '2026-11-21T13:00:00.000Z',
    ...overrides,
  };
}

/** The failure an activity call rejected with. */
async function failureOf(promise: Promise<unknown>): Promise<ApplicationFailure> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ApplicationFailure);
  return err as ApplicationFailure;
}

/** The Slack activities called directly (no worker), with the real WebClient, against a local double. */
describe('Slack activities against the Slack double', () => {
  let slack: SlackDouble;
  let activities: SlackActivities;

  beforeAll(async () => {
    slack = await startSlackDouble({ token: TOKEN, channels: { 'data-approvals': CHANNEL_ID } });
    activities = createSlackActivities({ slack: { botToken: TOKEN, apiUrl: slack.apiUrl }, links: LINKS });
  });
  afterAll(async () => {
    await slack?.stop();
  });

  it('posts the review by channel name, returns the channel id and ts, and updates it in place', async () => {
    const pending = state();
    const ref = await activities.postSlackReview({ state: pending, channel: '#data-approvals' });
    expect(ref.conversation).toBe(CHANNEL_ID);
    expect(ref.messageId).toMatch(/^\d+\.\d{6}$/);

    const posted = slack.message(ref.messageId).latest;
    expect(JSON.stringify(posted.blocks)).toContain(pending.actionId);
    expect(JSON.stringify(posted.blocks)).toContain('airlock_approve');
    expect(JSON.stringify(posted.blocks)).not.toContain('<!channel>');

    const approved: ActionState = {
      ...pending,
      status: ActionStatus.Succeeded,
      votes: [{ reviewer: 'alice', verdict: 'approve', channel: 'slack', at: '2026-11-21T13:05:00.000Z' }],
      result: {
        summary: 'copied 1 object',
        outputs: {},
        session: { roleArn: 'arn:aws:iam::123456789012:role/x', roleSessionName: 's', sourceIdentity: 'etl-bot' },
        completedAt: 'x',
      },
    };
    await activities.updateSlackReview({ state: approved, ref });

    const { latest, history } = slack.message(ref.messageId);
    expect(history).toHaveLength(2);
    expect(JSON.stringify(history[0]?.blocks)).toContain('airlock_approve');
    expect(JSON.stringify(latest.blocks)).toContain('Executed: approved by alice');
    expect(JSON.stringify(latest.blocks)).not.toContain('airlock_approve');
    expect(slack.messages(CHANNEL_ID).map((message) => message.ts)).toContain(ref.messageId);

    // WebClient sends a form body with blocks as a JSON string and the token only in the header.
    const [call] = slack.calls('chat.postMessage').slice(-1);
    expect(call).toMatchObject({ status: 200, body: { channel: '#data-approvals', blocks: expect.any(Array) } });
    expect(JSON.stringify(slack.calls())).not.toContain(TOKEN);
  });

  it('posts to a channel id, and Slack accepts a message with 15 params and a 5000-character value', async () => {
    const params: JsonObject = {};
    for (let i = 1; i <= 15; i += 1) params[`param${i}`] = i === 7 ? 'x'.repeat(5000) : `value-${i}`;
    const ref = await activities.postSlackReview({ state: state({}, params), channel: CHANNEL_ID });
    expect(ref.conversation).toBe(CHANNEL_ID);
    expect(JSON.stringify(slack.message(ref.messageId).latest.blocks)).toContain('param15');
  });

  it('surfaces a 429 as a retryable SlackRateLimited with Retry-After as the next delay, without retrying itself', async () => {
    const pending = state();
    const before = slack.calls('chat.postMessage').length;
    slack.failNext('chat.postMessage', { status: 429, retryAfter: 2 });

    const failure = await failureOf(activities.postSlackReview({ state: pending, channel: '#data-approvals' }));
    expect(failure).toMatchObject({ type: SlackFailureType.RateLimited, nonRetryable: false, nextRetryDelay: '2s' });
    expect(
      slack
        .calls('chat.postMessage')
        .slice(before)
        .map((call) => call.status),
    ).toEqual([429]);

    // What Temporal's retry then does: the next attempt goes through.
    const ref = await activities.postSlackReview({ state: pending, channel: '#data-approvals' });
    expect(
      slack
        .calls('chat.postMessage')
        .slice(before)
        .map((call) => call.status),
    ).toEqual([429, 200]);
    expect(slack.message(ref.messageId).history).toHaveLength(1);
  });

  it('makes channel_not_found non-retryable, naming the Slack error', async () => {
    const failure = await failureOf(activities.postSlackReview({ state: state(), channel: '#no-such-channel' }));
    expect(failure).toMatchObject({ type: SlackFailureType.Permanent, nonRetryable: true });
    expect(failure.message).toContain('channel_not_found');
  });

  it('makes a wrong token a non-retryable invalid_auth, without the token in the message', async () => {
    const wrong = 'xoxb-wrong-token-0123456789';
    const misconfigured = createSlackActivities({ slack: { botToken: wrong, apiUrl: slack.apiUrl }, links: LINKS });
    const failure = await failureOf(misconfigured.postSlackReview({ state: state(), channel: CHANNEL_ID }));
    expect(failure).toMatchObject({ type: SlackFailureType.Permanent, nonRetryable: true });
    expect(failure.message).toContain('invalid_auth');
    expect(failure.message).not.toContain(wrong);
  });

  it('updates a message and threads a notice under it by the ref an older worker recorded ({ channel, ts })', async () => {
    const ref = await activities.postSlackReview({ state: state(), channel: CHANNEL_ID });
    const recorded = { channel: ref.conversation, ts: ref.messageId };
    await activities.updateSlackReview({ state: state({ status: ActionStatus.Expired }), ref: recorded });
    expect(slack.message(ref.messageId).history).toHaveLength(2);
    const notice = await activities.postSlackNotice({ ref: recorded, notice: { kind: 'reminder', actionId: 'a', mention: [], approvals: 0, quorum: 1 } });
    expect(notice.conversation).toBe(CHANNEL_ID);
    expect(slack.calls('chat.postMessage').slice(-1)[0]).toMatchObject({ status: 200, body: { channel: CHANNEL_ID, thread_ts: ref.messageId } });
  });

  it('retries a 500 as SlackUnavailable, one HTTP call per attempt', async () => {
    const before = slack.calls('chat.update').length;
    const ref = await activities.postSlackReview({ state: state(), channel: CHANNEL_ID });
    slack.failNext('chat.update', { status: 500 });
    const failure = await failureOf(activities.updateSlackReview({ state: state(), ref }));
    expect(failure).toMatchObject({ type: SlackFailureType.Unavailable, nonRetryable: false });
    expect(failure.message).toContain('HTTP 500');
    expect(
      slack
        .calls('chat.update')
        .slice(before)
        .map((call) => call.status),
    ).toEqual([500]);
  });

  it('makes an update of an unknown message non-retryable message_not_found', async () => {
    const failure = await failureOf(activities.updateSlackReview({ state: state(), ref: { conversation: CHANNEL_ID, messageId: '1.000001' } }));
    expect(failure).toMatchObject({ type: SlackFailureType.Permanent, nonRetryable: true });
    expect(failure.message).toContain('message_not_found');
  });

  it('injects platform errors on demand, for a count of calls', async () => {
    slack.failNext('chat.postMessage', { error: 'is_archived', times: 2 });
    for (let i = 0; i < 2; i += 1) {
      expect((await failureOf(activities.postSlackReview({ state: state(), channel: CHANNEL_ID }))).message).toContain('is_archived');
    }
    await expect(activities.postSlackReview({ state: state(), channel: CHANNEL_ID })).resolves.toMatchObject({ conversation: CHANNEL_ID });
  });

  it('retries when Slack cannot be reached', async () => {
    const closed = await startSlackDouble({ token: TOKEN, channels: {} });
    await closed.stop();
    const unreachable = createSlackActivities({ slack: { botToken: TOKEN, apiUrl: closed.apiUrl }, links: LINKS });
    const failure = await failureOf(unreachable.postSlackReview({ state: state(), channel: CHANNEL_ID }));
    expect(failure).toMatchObject({ type: SlackFailureType.Unavailable, nonRetryable: false });
    expect(failure.message).not.toContain(TOKEN);
  });

  it('fails non-retryably when Slack is not configured', async () => {
    const unconfigured = createSlackActivities({ links: LINKS });
    const failure = await failureOf(unconfigured.postSlackReview({ state: state(), channel: CHANNEL_ID }));
    expect(failure).toMatchObject({ type: SlackFailureType.NotConfigured, nonRetryable: true });
    await expect(unconfigured.updateSlackReview({ state: state(), ref: { conversation: CHANNEL_ID, messageId: '1.1' } })).rejects.toMatchObject({
      type: SlackFailureType.NotConfigured,
    });
  });
});

/** What the interactions handler uses: views.open, chat.postEphemeral, response URLs, JSON bodies. */
describe('the Slack double', () => {
  let slack: SlackDouble;
  beforeAll(async () => {
    slack = await startSlackDouble({ token: TOKEN, channels: { 'data-approvals': CHANNEL_ID } });
  });
  afterAll(async () => {
    await slack?.stop();
  });

  it('records opened views, ephemeral messages and auth.test', async () => {
    const client = slackClient({ botToken: TOKEN, apiUrl: slack.apiUrl });
    const opened = await client.views.open({ trigger_id: 'trigger-1', view: rejectReasonModal('action-x', { channel: CHANNEL_ID, ts: '1.000001' }) });
    expect(opened.view?.id).toMatch(/^V/);
    expect(slack.views()).toEqual([
      expect.objectContaining({ id: opened.view?.id, trigger_id: 'trigger-1', view: expect.objectContaining({ callback_id: 'airlock_reject_modal' }) }),
    ]);

    await client.chat.postEphemeral({ channel: CHANNEL_ID, user: 'U0TBOB', text: 'You already voted' });
    expect(slack.ephemerals()).toEqual([{ channel: CHANNEL_ID, user: 'U0TBOB', text: 'You already voted' }]);

    await expect(client.auth.test()).resolves.toMatchObject({ ok: true, bot_id: expect.any(String) });
  });

  it('accepts JSON bodies with a bearer token, and refuses a missing one', async () => {
    const post = (headers: Record<string, string>) =>
      fetch(`${slack.apiUrl}chat.postMessage`, {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
        body: JSON.stringify({ channel: CHANNEL_ID, text: 'hello', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'hello' } }] }),
      }).then((response) => response.json() as Promise<{ ok: boolean; channel?: string; ts: string; error?: string }>);
    const sent = await post({ authorization: `Bearer ${TOKEN}` });
    expect(sent).toMatchObject({ ok: true, channel: CHANNEL_ID });
    expect(slack.message(sent.ts).latest.blocks).toEqual([{ type: 'section', text: { type: 'mrkdwn', text: 'hello' } }]);
    expect(await post({})).toEqual({ ok: false, error: 'not_authed' });
  });

  it('answers invalid_blocks for blocks past Block Kit limits', async () => {
    const client = slackClient({ botToken: TOKEN, apiUrl: slack.apiUrl });
    const tooLong = [{ type: 'section' as const, text: { type: 'mrkdwn' as const, text: 'x'.repeat(3001) } }];
    await expect(client.chat.postMessage({ channel: CHANNEL_ID, text: 'x', blocks: tooLong })).rejects.toMatchObject({
      data: { error: 'invalid_blocks' },
    });
  });

  it('serves response URLs and keeps what is posted to each', async () => {
    const url = slack.responseUrl();
    const other = slack.responseUrl();
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ response_type: 'ephemeral', text: 'You cannot approve your own request' }),
    });
    expect(response.status).toBe(200);
    expect(slack.responses(url)).toEqual([{ response_type: 'ephemeral', text: 'You cannot approve your own request' }]);
    expect(slack.responses(other)).toEqual([]);
    expect(slack.responses()).toHaveLength(1);
    expect((await fetch(`${slack.url}/response/unknown`, { method: 'POST', body: '{}' })).status).toBe(404);
  });
});
