import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { join } from 'node:path';
import { signCallback } from '../../channels/callback/outbound/activities';
import { SLACK_APPROVE_ACTION, SLACK_REASON_BLOCK, SLACK_REASON_INPUT, SLACK_REJECT_ACTION, SLACK_REJECT_MODAL } from '../../channels/slack/action-ids';
import { signSlackRequest } from '../../channels/slack/inbound/signature';
import { eventually } from '../support/eventually';
import { acceptedUpdates, fetchHistory } from '../support/history';
import { startSlackDouble, type SlackDouble } from '../support/slack-double';
import type { HttpResponse } from '../support/http-call';
import { bundleWorkflows, startStack, TEST_CALLBACK_SECRET, type Stack } from '../support/stack';
import { objectExists, readObject, testS3 } from '../support/test-aws';
import { requestCopy } from '../support/copy-request';

const SIGNING_SECRET = 'slack-signing-secret-for-tests';
const BOT_TOKEN = 'xoxb-test-token';
const APPROVALS_CHANNEL = 'C0APPROVALS';
const SLACK_USERS = { alice: 'U0TALICE', bob: 'U0TBOB', carol: 'U0TCAROL', mallory: 'U0TMALLORY' } as const;

/**
 * Reviewers in Slack: the request is posted with Block Kit, clicks arrive signed at
 * /slack/interactions, and the message follows the action to its end. Real WebClient, local double.
 */
describe('Slack review flow', () => {
  let slack: SlackDouble;
  let stack: Stack;
  const s3 = testS3();

  beforeAll(async () => {
    slack = await startSlackDouble({ token: BOT_TOKEN, channels: { 'data-approvals': APPROVALS_CHANNEL } });
    stack = await startStack(await bundleWorkflows(), {
      policyFile: join(__dirname, '..', 'fixtures', 'policy-slack.yaml'),
      slack: { botToken: BOT_TOKEN, apiUrl: slack.apiUrl, signingSecret: SIGNING_SECRET },
    });
  });
  afterAll(async () => {
    await stack?.stop();
    await slack?.stop();
    s3.destroy();
  });

  async function request(as: string, folder: string, extra: object = {}) {
    const submitted = await requestCopy(stack, s3, as, { folder, justification: 'Finance needs the report <!channel>', extra });
    expect(submitted.response.statusCode).toBe(202);
    return submitted;
  }

  /** The Slack message about an action, once the workflow has posted it. */
  async function postedMessage(actionId: string) {
    return eventually(() => slack.messages(APPROVALS_CHANNEL).find((message) => JSON.stringify(message.blocks).includes(actionId)));
  }

  /** Sends what Slack sends when a user clicks a button, signed like Slack signs it. */
  async function click(
    user: keyof typeof SLACK_USERS,
    actionId: string,
    actionIdName: string,
    ts: string,
    options: { signature?: string; timestamp?: number } = {},
  ) {
    const payload = {
      type: 'block_actions',
      user: { id: SLACK_USERS[user], username: user, team_id: 'T0TEST' },
      team: { id: 'T0TEST' },
      api_app_id: 'A0TEST',
      trigger_id: `trigger-${randomUUID()}`,
      response_url: slack.responseUrl(),
      container: { type: 'message', message_ts: ts, channel_id: APPROVALS_CHANNEL },
      channel: { id: APPROVALS_CHANNEL, name: 'data-approvals' },
      message: { ts },
      actions: [{ type: 'button', action_id: actionIdName, block_id: 'airlock_actions', value: actionId, action_ts: `${Date.now() / 1000}` }],
    };
    return sendInteraction(payload, options);
  }

  async function submitReason(user: keyof typeof SLACK_USERS, actionId: string, ts: string, reason: string) {
    const payload = {
      type: 'view_submission',
      user: { id: SLACK_USERS[user], username: user, team_id: 'T0TEST' },
      team: { id: 'T0TEST' },
      api_app_id: 'A0TEST',
      view: {
        id: `V${randomUUID().slice(0, 8)}`,
        callback_id: SLACK_REJECT_MODAL,
        private_metadata: JSON.stringify({ actionId, channel: APPROVALS_CHANNEL, ts }),
        state: { values: { [SLACK_REASON_BLOCK]: { [SLACK_REASON_INPUT]: { type: 'plain_text_input', value: reason } } } },
      },
    };
    return sendInteraction(payload);
  }

  async function sendInteraction(payload: object, options: { signature?: string; timestamp?: number; rawBody?: string } = {}): Promise<HttpResponse> {
    const rawBody = options.rawBody ?? `payload=${encodeURIComponent(JSON.stringify(payload))}`;
    const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
    const headers = signSlackRequest(rawBody, SIGNING_SECRET, timestamp);
    return stack.call(null, 'POST', '/slack/interactions', rawBody, {
      ...headers,
      ...(options.signature ? { 'x-slack-signature': options.signature } : {}),
      'content-type': 'application/x-www-form-urlencoded',
    });
  }

  async function statusOf(id: string): Promise<string> {
    return (await stack.call('bob', 'GET', `/v1/actions/${id}`)).json().status;
  }

  it('posts the request with who, what, why, risk and buttons, and approves by two clicks', async () => {
    const { id, destinationKey } = await request('etl-bot', 'quorum-2');
    const posted = await postedMessage(id);
    const shown = JSON.stringify(posted.blocks);
    for (const expected of [
      'etl-bot',
      's3.copyObject',
      destinationKey,
      'airlock-src',
      'Finance needs the report',
      'review-two-owners',
      SLACK_APPROVE_ACTION,
      SLACK_REJECT_ACTION,
    ]) {
      expect(shown).toContain(expected);
    }
    expect(shown).not.toContain('<!channel>'); // agent text cannot ping the channel

    expect((await click('alice', id, SLACK_APPROVE_ACTION, posted.ts)).statusCode).toBe(200);
    await eventually(() => slack.message(posted.ts).history.length >= 2 || undefined);
    expect(JSON.stringify(slack.message(posted.ts).latest.blocks)).toContain('alice');

    expect((await click('carol', id, SLACK_APPROVE_ACTION, posted.ts)).statusCode).toBe(200);
    await stack.client.workflow.getHandle(id).result();
    const final = await eventually(() => {
      const latest = JSON.stringify(slack.message(posted.ts).latest);
      return latest.includes('Executed') ? latest : undefined;
    });
    expect(final).toContain('alice');
    expect(final).toContain('carol');
    expect(final).not.toContain(SLACK_APPROVE_ACTION); // no buttons once closed
    expect(await readObject(s3, 'airlock-exports', destinationKey)).toBe('id\n1\n');
    const votes = (await stack.call('bob', 'GET', `/v1/actions/${id}`)).json().votes;
    expect(votes.map((vote: { reviewer: string; channel: string }) => `${vote.reviewer}@${vote.channel}`)).toEqual(['alice@slack', 'carol@slack']);
  });

  it('rejects through the reason modal and shows who rejected and why', async () => {
    const { id, destinationKey } = await request('etl-bot', 'reports');
    const posted = await postedMessage(id);
    expect((await click('bob', id, SLACK_REJECT_ACTION, posted.ts)).statusCode).toBe(200);
    const modal = await eventually(() => slack.views().find((view) => JSON.stringify(view).includes(id)));
    expect(JSON.stringify(modal)).toContain(SLACK_REASON_INPUT);
    expect(await statusOf(id)).toBe('pending_review'); // opening the modal decides nothing

    const submitted = await submitReason('bob', id, posted.ts, 'No data processing agreement');
    expect(submitted.statusCode).toBe(200);
    expect(await statusOf(id)).toBe('rejected');
    const final = await eventually(() => {
      const latest = JSON.stringify(slack.message(posted.ts).latest);
      return latest.includes('Rejected') ? latest : undefined;
    });
    expect(final).toContain('bob');
    expect(final).toContain('No data processing agreement');
    expect(await objectExists(s3, 'airlock-exports', destinationKey)).toBe(false);
  });

  it('refuses forged, stale and malformed interactions without sending an Update', async () => {
    const { id } = await request('etl-bot', 'quorum-2');
    const posted = await postedMessage(id);
    const forged = await click('alice', id, SLACK_APPROVE_ACTION, posted.ts, { signature: `v0=${'0'.repeat(64)}` });
    expect(forged.statusCode).toBe(401);
    const stale = await click('alice', id, SLACK_APPROVE_ACTION, posted.ts, { timestamp: Math.floor(Date.now() / 1000) - 600 });
    expect(stale.statusCode).toBe(401);
    for (const rawBody of ['payload=%7Bnot-json', 'nothing=here', `payload=${encodeURIComponent(JSON.stringify({ type: 'block_actions' }))}`]) {
      expect((await sendInteraction({}, { rawBody })).statusCode).toBe(400);
    }
    expect(acceptedUpdates(await fetchHistory(stack.client, id), 'decide')).toEqual([]);
    expect(await statusOf(id)).toBe('pending_review');
  });

  it('counts a double click once and tells the reviewer privately', async () => {
    const { id } = await request('etl-bot', 'quorum-2');
    const posted = await postedMessage(id);
    expect((await click('bob', id, SLACK_APPROVE_ACTION, posted.ts)).statusCode).toBe(200);
    const before = slack.responses().length;
    expect((await click('bob', id, SLACK_APPROVE_ACTION, posted.ts)).statusCode).toBe(200);
    const reply = await eventually(() =>
      slack
        .responses()
        .slice(before)
        .find((response) => JSON.stringify(response).includes('already')),
    );
    expect(reply).toMatchObject({ response_type: 'ephemeral' });
    expect(acceptedUpdates(await fetchHistory(stack.client, id), 'decide')).toHaveLength(1);
  });

  it('refuses the requester approving in Slack, and explains why only to them', async () => {
    const { id } = await request('alice', 'reports');
    const posted = await postedMessage(id);
    const before = slack.responses().length;
    expect((await click('alice', id, SLACK_APPROVE_ACTION, posted.ts)).statusCode).toBe(200);
    const reply = await eventually(() => slack.responses().slice(before)[0]);
    expect(reply).toMatchObject({ response_type: 'ephemeral' });
    expect(JSON.stringify(reply).toLowerCase()).toMatch(/own request|requester/);
    expect(acceptedUpdates(await fetchHistory(stack.client, id), 'decide')).toEqual([]);
    expect(await statusOf(id)).toBe('pending_review');
  });

  it('retries a 429 from Slack and still delivers the message', async () => {
    slack.failNext('chat.postMessage', { status: 429, retryAfter: 1 });
    const { id } = await request('etl-bot', 'reports');
    const posted = await postedMessage(id);
    expect(posted.ts).toBeTruthy();
    const attempts = slack.calls('chat.postMessage').filter((call) => JSON.stringify(call.body).includes(id));
    expect(attempts.map((call) => call.status)).toEqual([429, 200]);
    const state = (await stack.call('bob', 'GET', `/v1/actions/${id}`)).json();
    expect(state.notifications).toEqual([expect.objectContaining({ target: 'slack:#data-approvals', status: 'sent' })]);
  });

  it('records a permanent Slack error on the action and keeps the request open for the API', async () => {
    const { id } = await request('etl-bot', 'broken-channel');
    const notifications = await eventually(async () => {
      const state = (await stack.call('bob', 'GET', `/v1/actions/${id}`)).json();
      return state.notifications?.length ? state.notifications : undefined;
    });
    expect(notifications).toEqual([
      expect.objectContaining({
        target: 'slack:#no-such-channel',
        status: 'failed',
        error: expect.objectContaining({ message: expect.stringContaining('channel_not_found') }),
      }),
    ]);
    expect(await statusOf(id)).toBe('pending_review');
    expect((await stack.call('bob', 'POST', `/v1/actions/${id}/decisions`, { decision: 'approve' })).statusCode).toBe(200);
    expect((await stack.client.workflow.getHandle(id).result()).status).toBe('succeeded');
  });

  it('calls the requester back with the signed outcome, retrying until the receiver answers', async () => {
    const receiver = await startCallbackReceiver(2);
    stack.allowCallbacksTo(receiver.url);
    try {
      const { id } = await request('etl-bot', 'reports', { callbackUrl: `${receiver.url}/airlock` });
      const posted = await postedMessage(id);
      await click('carol', id, SLACK_APPROVE_ACTION, posted.ts);
      const delivered = await eventually(() => receiver.accepted[0], 30_000);
      expect(receiver.attempts).toBe(3);
      const [, t, v1] = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(delivered.signature) ?? [];
      expect(signCallback(delivered.body, TEST_CALLBACK_SECRET, Number(t))).toBe(`t=${t},v1=${v1}`);
      expect(JSON.parse(delivered.body)).toMatchObject({ id, status: 'succeeded', votes: [{ reviewer: 'carol', channel: 'slack' }] });
      // The receiver has the body before the activity that sent it returns and the workflow records it.
      const notifications = await eventually(async () => {
        const state = (await stack.call('bob', 'GET', `/v1/actions/${id}`)).json();
        return (state.notifications as { target: string }[]).some((n) => n.target === 'callback') ? state.notifications : undefined;
      });
      expect(notifications).toEqual(expect.arrayContaining([expect.objectContaining({ target: 'callback', status: 'sent' })]));
    } finally {
      await receiver.stop();
    }
  });

  it.each([
    ['whose host is not allow-listed', () => 'https://169.254.169.254/latest/meta-data'],
    // Loopback receivers are allowed by port: the API's own port (or the Temporal UI's) is not one.
    ['on another port of an allowed loopback host', () => `${stack.baseUrl}/v1/actions`],
  ])('refuses a callback URL %s', async (_case, callbackUrl) => {
    const response = await stack.call('etl-bot', 'POST', '/v1/actions', {
      action: 's3.copyObject',
      params: { sourceBucket: 'airlock-src', sourceKey: 'a.csv', destinationBucket: 'airlock-exports', destinationKey: 'b.csv' },
      justification: 'Callback to somewhere else',
      callbackUrl: callbackUrl(),
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.code).toBe('invalid_callback_url');
  });
});

/** Polls until `probe` returns something, or fails after the timeout. */
/** A requester's webhook receiver on loopback that answers 503 a few times before accepting. */
async function startCallbackReceiver(failuresFirst: number) {
  const accepted: { body: string; signature: string }[] = [];
  let attempts = 0;
  const server: Server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      attempts += 1;
      if (attempts <= failuresFirst) {
        res.writeHead(503).end();
        return;
      }
      accepted.push({ body: Buffer.concat(chunks).toString('utf8'), signature: String(req.headers['airlock-signature']) });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    accepted,
    get attempts() {
      return attempts;
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
