import Fastify, { type FastifyInstance } from 'fastify';
import { SLACK_APPROVE_ACTION, SLACK_REASON_BLOCK, SLACK_REASON_INPUT, SLACK_REJECT_ACTION, SLACK_REJECT_MODAL } from '../../../../channels/slack/action-ids';
import { rejectReasonModal } from '../../../../channels/slack/inbound/reject-modal';
import type { ActionsPort } from '../../../../domain/actions-port';
import { ActionRefusedError } from '../../../../domain/errors';
import {
  slackInteractionRoutes,
  type EphemeralMessage,
  type SlackInteractionApi,
  type SlackInteractionDeps,
} from '../../../../channels/slack/inbound/interactions';
import { signSlackRequest } from '../../../../channels/slack/inbound/signature';
import { parsePolicy } from '../../../../policy';
import { RefusalCode, type ActionState, type DecideInput } from '../../../../domain/types';

const SECRET = 'unit-test-signing-secret';
const ACTION_ID = 'action-s3.copyObject-abcdefghijkmnpqr';
const CHANNEL = 'C0APPROVALS';
const MESSAGE_TS = '1750000000.000100';
const RESPONSE_URL = 'https://hooks.slack.test/actions/T0TEST/1/abc';
const USERS = { alice: 'U0TALICE', bob: 'U0TBOB', stranger: 'U0TSTRANGER' } as const;

const policy = parsePolicy(
  `version: 1
identities:
  alice: { slack: ${USERS.alice} }
  bob: { slack: ${USERS.bob} }
groups:
  data-owners: [alice, bob]
rules: []
`,
  'slack-interactions.yaml',
);

type Decide = (actionId: string, decision: DecideInput, updateId?: string) => Promise<ActionState>;

interface Harness {
  url: string;
  decide: jest.MockedFunction<Decide>;
  posts: { url: string; message: EphemeralMessage }[];
  viewsOpen: jest.Mock;
  postEphemeral: jest.Mock;
  app: FastifyInstance;
}

const apps: FastifyInstance[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
});

/** A bare Fastify app with only the plugin, listening on a free port; no Temporal. */
async function start(overrides: Partial<SlackInteractionDeps> & { withoutSlack?: boolean } = {}): Promise<Harness> {
  const decide = jest.fn<Promise<ActionState>, Parameters<Decide>>(async () => ({}) as ActionState);
  const posts: Harness['posts'] = [];
  const viewsOpen = jest.fn(async () => ({ ok: true }));
  const postEphemeral = jest.fn(async () => ({ ok: true }));
  const slack: SlackInteractionApi = { views: { open: viewsOpen }, chat: { postEphemeral } };
  const { withoutSlack, ...deps } = overrides;
  const app = Fastify({ logger: false });
  apps.push(app);
  await app.register(slackInteractionRoutes, {
    actions: { decide } satisfies Pick<ActionsPort, 'decide'>,
    policy: () => policy,
    signingSecret: SECRET,
    ...(withoutSlack ? {} : { slack }),
    postToResponseUrl: async (url, message) => {
      posts.push({ url, message });
    },
    ...deps,
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { url: `http://127.0.0.1:${port}/slack/interactions`, decide, posts, viewsOpen, postEphemeral, app };
}

interface SendOptions {
  rawBody?: string;
  timestamp?: number;
  signature?: string;
  headers?: Record<string, string>;
  omit?: ('x-slack-signature' | 'x-slack-request-timestamp')[];
  contentType?: string;
}

async function send(h: Harness, payload: object, options: SendOptions = {}) {
  const rawBody = options.rawBody ?? `payload=${encodeURIComponent(JSON.stringify(payload))}`;
  const signed: Record<string, string> = { ...signSlackRequest(rawBody, SECRET, options.timestamp ?? Math.floor(Date.now() / 1000)) };
  if (options.signature !== undefined) signed['x-slack-signature'] = options.signature;
  for (const name of options.omit ?? []) delete signed[name];
  const response = await fetch(h.url, {
    method: 'POST',
    headers: { 'content-type': options.contentType ?? 'application/x-www-form-urlencoded', ...signed, ...options.headers },
    body: rawBody,
  });
  const text = await response.text();
  return { status: response.status, text, json: () => JSON.parse(text) as Record<string, unknown> };
}

function click(user: string, actionIdName: string, overrides: Record<string, unknown> = {}) {
  return {
    type: 'block_actions',
    user: { id: user, username: 'someone', team_id: 'T0TEST' },
    team: { id: 'T0TEST', domain: 'test' },
    api_app_id: 'A0TEST',
    token: 'legacy-verification-token',
    trigger_id: '1234.5678.trigger',
    response_url: RESPONSE_URL,
    container: { type: 'message', message_ts: MESSAGE_TS, channel_id: CHANNEL, is_ephemeral: false },
    channel: { id: CHANNEL, name: 'data-approvals' },
    message: { ts: MESSAGE_TS, type: 'message', blocks: [] },
    state: { values: {} },
    actions: [
      {
        type: 'button',
        action_id: actionIdName,
        block_id: 'airlock_actions',
        value: ACTION_ID,
        action_ts: '1750000001.234567',
        text: { type: 'plain_text', text: 'Approve' },
      },
    ],
    ...overrides,
  };
}

function submission(user: string, reason: string | null, overrides: Record<string, unknown> = {}) {
  return {
    type: 'view_submission',
    user: { id: user, username: 'someone', team_id: 'T0TEST' },
    team: { id: 'T0TEST', domain: 'test' },
    api_app_id: 'A0TEST',
    trigger_id: '1234.5678.trigger',
    view: {
      id: 'V0MODAL1',
      team_id: 'T0TEST',
      type: 'modal',
      hash: '1750000002.abcdef',
      callback_id: SLACK_REJECT_MODAL,
      // Whatever the real modal carries back, so the two stay in step.
      private_metadata: rejectReasonModal(ACTION_ID, { channel: CHANNEL, ts: MESSAGE_TS }).private_metadata,
      state: { values: { [SLACK_REASON_BLOCK]: { [SLACK_REASON_INPUT]: { type: 'plain_text_input', value: reason } } } },
      ...overrides,
    },
    response_urls: [],
  };
}

/** Polls until `probe` is true (background work after the acknowledgement). */
async function eventually(probe: () => boolean, timeoutMs = 3_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('POST /slack/interactions: signature', () => {
  it('refuses a forged signature with 401 and sends no Update', async () => {
    const h = await start();
    const response = await send(h, click(USERS.alice, SLACK_APPROVE_ACTION), { signature: `v0=${'0'.repeat(64)}` });
    expect(response.status).toBe(401);
    expect(response.json()).toEqual({ error: { code: 'invalid_signature', message: expect.any(String) } });
    expect(h.decide).not.toHaveBeenCalled();
  });

  it('refuses a body signed with another secret', async () => {
    const h = await start();
    const rawBody = `payload=${encodeURIComponent(JSON.stringify(click(USERS.alice, SLACK_APPROVE_ACTION)))}`;
    const headers = signSlackRequest(rawBody, 'not-the-secret', Math.floor(Date.now() / 1000));
    const response = await send(h, {}, { rawBody, signature: headers['x-slack-signature'] });
    expect(response.status).toBe(401);
    expect(h.decide).not.toHaveBeenCalled();
  });

  it('refuses stale and future timestamps with 401 stale_request', async () => {
    const h = await start();
    const now = Math.floor(Date.now() / 1000);
    for (const timestamp of [now - 600, now + 600]) {
      const response = await send(h, click(USERS.alice, SLACK_APPROVE_ACTION), { timestamp });
      expect(response.status).toBe(401);
      expect(response.json()).toMatchObject({ error: { code: 'stale_request' } });
    }
    expect(h.decide).not.toHaveBeenCalled();
  });

  it('checks the window against the injected clock', async () => {
    const h = await start({ now: () => 1_000_000_000_000 });
    const response = await send(h, click(USERS.alice, SLACK_APPROVE_ACTION), { timestamp: 1_000_000_000 - 299 });
    expect(response.status).toBe(200);
    expect(h.decide).toHaveBeenCalledTimes(1);
  });

  it('refuses missing signature headers', async () => {
    const h = await start();
    for (const omit of [['x-slack-signature'], ['x-slack-request-timestamp'], ['x-slack-signature', 'x-slack-request-timestamp']] as const) {
      const response = await send(h, click(USERS.alice, SLACK_APPROVE_ACTION), { omit: [...omit] });
      expect(response.status).toBe(401);
      expect(response.json()).toMatchObject({ error: { code: 'invalid_signature' } });
    }
    expect(h.decide).not.toHaveBeenCalled();
  });

  it('refuses a body changed after signing', async () => {
    const h = await start();
    const rawBody = `payload=${encodeURIComponent(JSON.stringify(click(USERS.bob, SLACK_APPROVE_ACTION)))}`;
    const signature = signSlackRequest(rawBody, SECRET, Math.floor(Date.now() / 1000))['x-slack-signature'];
    const tampered = rawBody.replace(USERS.bob, USERS.alice);
    const response = await send(h, {}, { rawBody: tampered, signature });
    expect(response.status).toBe(401);
    expect(h.decide).not.toHaveBeenCalled();
  });

  it('accepts only form-encoded bodies (charset allowed), and limits their size', async () => {
    const h = await start();
    const withCharset = await send(h, click(USERS.alice, SLACK_APPROVE_ACTION), { contentType: 'application/x-www-form-urlencoded; charset=utf-8' });
    expect(withCharset.status).toBe(200);
    const json = await send(h, {}, { rawBody: JSON.stringify(click(USERS.alice, SLACK_APPROVE_ACTION)), contentType: 'application/json' });
    expect(json.status).toBe(415);
    const huge = await send(h, {}, { rawBody: `payload=${'x'.repeat(300 * 1024)}` });
    expect(huge.status).toBe(413);
    expect(h.decide).toHaveBeenCalledTimes(1);
  });

  it('keeps its form parser to itself: the rest of the app still parses JSON', async () => {
    const app = Fastify({ logger: false });
    apps.push(app);
    await app.register(slackInteractionRoutes, { actions: { decide: jest.fn() }, policy: () => policy, signingSecret: SECRET });
    app.post('/echo', async (request) => request.body);
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const response = await fetch(`http://127.0.0.1:${port}/echo`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":1}' });
    expect(await response.json()).toEqual({ a: 1 });
    const form = await fetch(`http://127.0.0.1:${port}/echo`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'a=1',
    });
    expect(form.status).toBe(415);
  });
});

describe('POST /slack/interactions: payloads', () => {
  const malformed: [string, string][] = [
    ['no payload field', 'nothing=here'],
    ['an empty body', ''],
    ['payload that is not JSON', 'payload=%7Bnot-json'],
    ['block_actions without its fields', `payload=${encodeURIComponent(JSON.stringify({ type: 'block_actions' }))}`],
    ['an unknown payload type', `payload=${encodeURIComponent(JSON.stringify({ ...click(USERS.alice, SLACK_APPROVE_ACTION), type: 'shortcut' }))}`],
    ['an unknown action_id', `payload=${encodeURIComponent(JSON.stringify(click(USERS.alice, 'something_else')))}`],
    ['no actions', `payload=${encodeURIComponent(JSON.stringify(click(USERS.alice, SLACK_APPROVE_ACTION, { actions: [] })))}`],
    [
      'a button value that is not an action id',
      `payload=${encodeURIComponent(JSON.stringify(click(USERS.alice, SLACK_APPROVE_ACTION, { actions: [{ action_id: SLACK_APPROVE_ACTION, value: '../etc', action_ts: '1.2' }] })))}`,
    ],
    [
      'a response_url that is not http(s)',
      `payload=${encodeURIComponent(JSON.stringify(click(USERS.alice, SLACK_APPROVE_ACTION, { response_url: 'file:///etc/passwd' })))}`,
    ],
    ['an unknown modal', `payload=${encodeURIComponent(JSON.stringify(submission(USERS.alice, 'no', { callback_id: 'other_modal' })))}`],
    [
      'modal metadata without an action id',
      `payload=${encodeURIComponent(JSON.stringify(submission(USERS.alice, 'no', { private_metadata: '{"channel":"C1"}' })))}`,
    ],
    ['a modal without the reason input', `payload=${encodeURIComponent(JSON.stringify(submission(USERS.alice, 'no', { state: { values: {} } })))}`],
  ];

  it.each(malformed)('answers 400 invalid_payload for %s, without an Update', async (_name, rawBody) => {
    const h = await start();
    const response = await send(h, {}, { rawBody });
    expect(response.status).toBe(400);
    expect(response.json()).toMatchObject({ error: { code: 'invalid_payload' } });
    expect(h.decide).not.toHaveBeenCalled();
    expect(h.viewsOpen).not.toHaveBeenCalled();
  });
});

describe('POST /slack/interactions: Approve', () => {
  it('sends the decide Update as the mapped identity, deduplicated by user and action_ts', async () => {
    const h = await start();
    const response = await send(h, click(USERS.alice, SLACK_APPROVE_ACTION));
    expect(response.status).toBe(200);
    expect(response.text).toBe('');
    expect(h.decide).toHaveBeenCalledTimes(1);
    expect(h.decide).toHaveBeenCalledWith(ACTION_ID, { reviewer: 'alice', verdict: 'approve', channel: 'slack' }, `slack:${USERS.alice}:1750000001.234567`);
    expect(h.posts).toEqual([]); // success shows in the message itself, updated by the workflow
  });

  it('sends no Update for a Slack user the policy does not know, and tells them privately', async () => {
    const h = await start();
    const response = await send(h, click(USERS.stranger, SLACK_APPROVE_ACTION));
    expect(response.status).toBe(200);
    expect(h.decide).not.toHaveBeenCalled();
    await eventually(() => h.posts.length > 0);
    expect(h.posts).toEqual([
      {
        url: RESPONSE_URL,
        message: { response_type: 'ephemeral', replace_original: false, text: expect.stringContaining('not linked to an Airlock identity') },
      },
    ]);
  });

  it.each([
    [RefusalCode.SelfApproval, /own request/],
    [RefusalCode.NotAnApprover, /not an approver/],
    [RefusalCode.AlreadyVoted, /already voted/],
    [RefusalCode.ActionClosed, /closed/],
    [RefusalCode.NotPendingReview, /no longer pending/],
  ])('explains a %s refusal to the clicking user only', async (code, sentence) => {
    const h = await start();
    h.decide.mockRejectedValueOnce(new ActionRefusedError(code, `refused: ${code}`));
    const response = await send(h, click(USERS.alice, SLACK_APPROVE_ACTION));
    expect(response.status).toBe(200);
    await eventually(() => h.posts.length > 0);
    expect(h.posts).toHaveLength(1);
    expect(h.posts[0]?.url).toBe(RESPONSE_URL);
    expect(h.posts[0]?.message).toMatchObject({ response_type: 'ephemeral', replace_original: false });
    expect(h.posts[0]?.message.text).toMatch(sentence);
  });

  it('sends the clicking user of a step-up rule to the action in the console, where a fresh sign-in can decide', async () => {
    const h = await start({ consoleUrl: 'https://airlock.example.com' });
    h.decide.mockRejectedValueOnce(new ActionRefusedError(RefusalCode.StepUpRequired, 'this rule asks for a recent sign-in'));
    expect((await send(h, click(USERS.alice, SLACK_APPROVE_ACTION))).status).toBe(200);
    await eventually(() => h.posts.length > 0);
    const [actionId] = h.decide.mock.calls[0] ?? [];
    expect(h.posts[0]?.message.text).toMatch(/recent sign-in/);
    expect(h.posts[0]?.message.text).toContain(`https://airlock.example.com/console/actions/${String(actionId)}`);
  });

  it('answers 200 and says something went wrong when the decision fails unexpectedly', async () => {
    const h = await start();
    h.decide.mockRejectedValueOnce(new Error('connection reset'));
    const response = await send(h, click(USERS.alice, SLACK_APPROVE_ACTION));
    expect(response.status).toBe(200);
    await eventually(() => h.posts.length > 0);
    expect(h.posts[0]?.message.text).toMatch(/something went wrong/i);
  });

  it('acknowledges in time when the workflow is slow, and posts a late refusal to response_url', async () => {
    const h = await start({ ackTimeoutMs: 50 });
    let refuse: (err: unknown) => void = () => undefined;
    h.decide.mockImplementationOnce(() => new Promise<ActionState>((_resolve, reject) => (refuse = reject)));
    const started = Date.now();
    const response = await send(h, click(USERS.alice, SLACK_APPROVE_ACTION));
    expect(response.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(h.posts).toEqual([]);
    refuse(new ActionRefusedError(RefusalCode.AlreadyVoted, 'already voted'));
    await eventually(() => h.posts.length > 0);
    expect(h.posts[0]?.message.text).toMatch(/already voted/);
  });

  it('survives a response_url that cannot be reached', async () => {
    const h = await start({ postToResponseUrl: async () => Promise.reject(new Error('ECONNREFUSED')) });
    h.decide.mockRejectedValueOnce(new ActionRefusedError(RefusalCode.SelfApproval, 'own request'));
    const response = await send(h, click(USERS.alice, SLACK_APPROVE_ACTION));
    expect(response.status).toBe(200);
  });
});

describe('POST /slack/interactions: Reject and the reason modal', () => {
  it('opens the reason modal for the action and decides nothing yet', async () => {
    const h = await start();
    const response = await send(h, click(USERS.bob, SLACK_REJECT_ACTION));
    expect(response.status).toBe(200);
    expect(h.decide).not.toHaveBeenCalled();
    expect(h.viewsOpen).toHaveBeenCalledTimes(1);
    expect(h.viewsOpen).toHaveBeenCalledWith({ trigger_id: '1234.5678.trigger', view: rejectReasonModal(ACTION_ID, { channel: CHANNEL, ts: MESSAGE_TS }) });
  });

  it('tells the user when no Slack client is configured', async () => {
    const h = await start({ withoutSlack: true });
    const response = await send(h, click(USERS.bob, SLACK_REJECT_ACTION));
    expect(response.status).toBe(200);
    await eventually(() => h.posts.length > 0);
    expect(h.posts[0]?.message.text).toMatch(/not fully configured/);
    expect(h.decide).not.toHaveBeenCalled();
  });

  it('tells the user when the modal cannot be opened', async () => {
    const h = await start();
    h.viewsOpen.mockRejectedValueOnce(new Error('An API error occurred: expired_trigger_id'));
    const response = await send(h, click(USERS.bob, SLACK_REJECT_ACTION));
    expect(response.status).toBe(200);
    await eventually(() => h.posts.length > 0);
    expect(h.posts[0]?.message.text).toMatch(/could not open the rejection form/);
  });

  it('does not open the modal for a Slack user the policy does not know', async () => {
    const h = await start();
    await send(h, click(USERS.stranger, SLACK_REJECT_ACTION));
    await eventually(() => h.posts.length > 0);
    expect(h.viewsOpen).not.toHaveBeenCalled();
  });

  it('rejects with the reason on submission, and closes the modal', async () => {
    const h = await start();
    const response = await send(h, submission(USERS.bob, '  No data processing agreement  '));
    expect(response.status).toBe(200);
    expect(response.json()).toEqual({ response_action: 'clear' });
    expect(h.decide).toHaveBeenCalledTimes(1);
    expect(h.decide).toHaveBeenCalledWith(
      ACTION_ID,
      { reviewer: 'bob', verdict: 'reject', comment: 'No data processing agreement', channel: 'slack' },
      `slack:${USERS.bob}:V0MODAL1`,
    );
  });

  it('shows a refusal inside the modal', async () => {
    const h = await start();
    h.decide.mockRejectedValueOnce(new ActionRefusedError(RefusalCode.ActionClosed, 'the action has already finished'));
    const response = await send(h, submission(USERS.bob, 'Too late?'));
    expect(response.status).toBe(200);
    expect(response.json()).toEqual({ response_action: 'errors', errors: { [SLACK_REASON_BLOCK]: expect.stringMatching(/closed/) } });
  });

  it('asks for a reason rather than sending an empty one', async () => {
    const h = await start();
    for (const reason of [null, '', '   ']) {
      const response = await send(h, submission(USERS.bob, reason));
      expect(response.json()).toEqual({ response_action: 'errors', errors: { [SLACK_REASON_BLOCK]: expect.stringMatching(/why/) } });
    }
    const tooLong = await send(h, submission(USERS.bob, 'x'.repeat(2_001)));
    expect(tooLong.json()).toMatchObject({ response_action: 'errors' });
    expect(h.decide).not.toHaveBeenCalled();
  });

  it('refuses a submission from an unlinked Slack user inside the modal', async () => {
    const h = await start();
    const response = await send(h, submission(USERS.stranger, 'No'));
    expect(response.json()).toEqual({ response_action: 'errors', errors: { [SLACK_REASON_BLOCK]: expect.stringContaining('not linked') } });
    expect(h.decide).not.toHaveBeenCalled();
  });

  it('closes the modal in time when the workflow is slow, and tells the user a late refusal in the channel', async () => {
    const h = await start({ ackTimeoutMs: 50 });
    let refuse: (err: unknown) => void = () => undefined;
    h.decide.mockImplementationOnce(() => new Promise<ActionState>((_resolve, reject) => (refuse = reject)));
    const response = await send(h, submission(USERS.bob, 'No'));
    expect(response.json()).toEqual({ response_action: 'clear' });
    refuse(new ActionRefusedError(RefusalCode.NotAnApprover, 'not an approver'));
    await eventually(() => h.postEphemeral.mock.calls.length > 0);
    expect(h.postEphemeral).toHaveBeenCalledWith({ channel: CHANNEL, user: USERS.bob, text: expect.stringMatching(/not an approver/) });
  });
});
