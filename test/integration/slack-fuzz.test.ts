import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import fc from 'fast-check';
import { SLACK_APPROVE_ACTION, SLACK_REASON_BLOCK, SLACK_REASON_INPUT, SLACK_REJECT_ACTION, SLACK_REJECT_MODAL } from '../../channels/slack/action-ids';
import { ACTION_ID_PATTERN } from '../../domain/action-id';
import { SLACK_BODY_LIMIT } from '../../channels/slack/inbound/interactions';
import { signSlackRequest } from '../../channels/slack/inbound/signature';
import {
  anyJson,
  contentType,
  deepJson,
  errorOf,
  fuzzParameters,
  headerText,
  invalidUtf8,
  jsonWithLoneSurrogateEscapes,
  mutated,
  oddText,
} from '../support/fuzz';
import { createPendingAction as createPendingActionOver } from '../support/pending-action';
import { rawHttpClient, type RawResponse } from '../support/raw-http';
import { startSlackDouble, type SlackDouble } from '../support/slack-double';
import { bundleWorkflows, startStack, type Stack } from '../support/stack';
import { countTemporalCalls, type TemporalCall } from '../support/temporal-calls';

const SIGNING_SECRET = 'slack-fuzz-signing-secret';
const BOT_TOKEN = 'xoxb-fuzz-token';
const APPROVALS_CHANNEL = 'C0APPROVALS';
/** Slack user ids the test policy (policy-slack.yaml) links to reviewers; any other id is a stranger. */
const LINKED_USERS = ['U0TALICE', 'U0TBOB', 'U0TCAROL', 'U0TMALLORY'];

/**
 * `POST /slack/interactions` under random and malformed input. Unsigned, wrongly signed and stale
 * requests are a 401 whatever they carry; correctly signed but malformed payloads are never a 5xx;
 * and no Update reaches Temporal (a client interceptor counts every call) unless the request was
 * a genuine decision by a linked Slack user.
 */
describe('Slack interactions fuzzing', () => {
  const counter = countTemporalCalls();
  let slack: SlackDouble;
  let stack: Stack;
  let http: ReturnType<typeof rawHttpClient>;
  /** An action pending review (two approvals needed), so payloads can name one that exists. */
  let pendingId: string;
  /** Where the handler posts its ephemeral replies: the double, never anywhere else. */
  let responseUrl: string;

  beforeAll(async () => {
    slack = await startSlackDouble({ token: BOT_TOKEN, channels: { 'data-approvals': APPROVALS_CHANNEL } });
    stack = await startStack(await bundleWorkflows(), {
      policyFile: join(__dirname, '..', 'fixtures', 'policy-slack.yaml'),
      slack: { botToken: BOT_TOKEN, apiUrl: slack.apiUrl, signingSecret: SIGNING_SECRET },
      clientInterceptors: [counter.interceptor],
    });
    http = rawHttpClient(stack.baseUrl);
    responseUrl = slack.responseUrl();
    pendingId = await createPendingAction();
  });
  afterAll(async () => {
    http?.close();
    await stack?.stop();
    await slack?.stop();
  });

  const createPendingAction = (): Promise<string> => createPendingActionOver(http, stack.keys);

  /** What Slack sends for a click: every field right or wrong independently. */
  /** Action ids a payload may name: the pending action, well-formed unknown ones, and anything. */
  function actionIdValue(): fc.Arbitrary<string> {
    return fc.oneof(
      { weight: 3, arbitrary: fc.constant(pendingId) },
      { weight: 2, arbitrary: fc.stringMatching(/^[a-z2-9]{16}$/).map((suffix) => `action-s3.copyObject-${suffix}`) },
      oddText,
    );
  }

  /** Slack user ids: the linked reviewers, and strangers of any sort. */
  const slackUserId = fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...LINKED_USERS) }, oddText);

  /** A click as Slack sends it (approve, reject or another button), then a few of its fields broken. */
  function click(): fc.Arbitrary<unknown> {
    const genuine = fc
      .record({
        user: slackUserId,
        actionId: actionIdValue(),
        button: fc.oneof({ weight: 4, arbitrary: fc.constantFrom(SLACK_APPROVE_ACTION, SLACK_REJECT_ACTION) }, fc.constantFrom('airlock_maybe', ''), oddText),
        actionTs: fc.oneof({ weight: 4, arbitrary: fc.constant(`${Date.now() / 1000}`) }, oddText, fc.constant('1'.repeat(50_000))),
        responseUrl: fc.oneof(
          { weight: 6, arbitrary: fc.constant(responseUrl) },
          // Never a reachable host other than the double: the handler posts to this URL.
          fc.constantFrom('', 'not a url', 'ftp://127.0.0.1/x', 'javascript:alert(1)', 'http://127.0.0.1:1/closed-port'),
        ),
      })
      .map(({ user, actionId, button, actionTs, responseUrl: url }) => ({
        ...genuineClick(actionId, user, button),
        response_url: url,
        actions: [{ type: 'button', action_id: button, block_id: 'airlock_actions', value: actionId, action_ts: actionTs }],
      }));
    return genuine.chain((value) => mutated(value));
  }

  /** The reject-reason modal submitted as Slack sends it, then a few of its fields broken. */
  function reasonSubmission(): fc.Arbitrary<unknown> {
    const reason = fc.oneof(
      { weight: 3, arbitrary: fc.string({ unit: 'grapheme', maxLength: 50 }) },
      oddText,
      fc.constantFrom('', '   ', '\n\t'),
      fc.constant('r'.repeat(2_001)),
      jsonWithLoneSurrogateEscapes.map((escapes) => JSON.parse(`"${escapes}"`) as string),
    );
    const metadata = (actionId: string): fc.Arbitrary<string> =>
      fc.oneof(
        { weight: 3, arbitrary: fc.constant(JSON.stringify({ actionId, channel: APPROVALS_CHANNEL, ts: '1750000000.000100' })) },
        fc.constant(JSON.stringify({ actionId, messageRef: { channel: APPROVALS_CHANNEL, ts: '1750000000.000100' } })),
        fc.constant(actionId),
        anyJson.map((value) => JSON.stringify(value)),
        deepJson,
        oddText,
      );
    const genuine = fc
      .record({ user: slackUserId, actionId: actionIdValue(), reason, viewId: fc.oneof(fc.constant(`V${randomUUID().slice(0, 8)}`), oddText) })
      .chain(({ user, actionId, reason: text, viewId }) =>
        metadata(actionId).map((privateMetadata) => ({
          type: 'view_submission',
          user: { id: user, team_id: 'T0TEST' },
          team: { id: 'T0TEST' },
          view: {
            id: viewId,
            callback_id: SLACK_REJECT_MODAL,
            private_metadata: privateMetadata,
            state: { values: { [SLACK_REASON_BLOCK]: { [SLACK_REASON_INPUT]: { type: 'plain_text_input', value: text } } } },
          },
        })),
      );
    return genuine.chain((value) => mutated(value));
  }

  /** Form bodies: a `payload` of any sort, other fields, bad percent-encoding, invalid UTF-8. */
  function formBody(): fc.Arbitrary<string | Buffer> {
    const payload = fc.oneof(
      { weight: 3, arbitrary: click().map((value) => JSON.stringify(value)) },
      { weight: 3, arbitrary: reasonSubmission().map((value) => JSON.stringify(value)) },
      anyJson.map((value) => JSON.stringify(value)),
      oddText,
      deepJson,
      // Deep nesting inside an otherwise plausible payload (spliced as text: too deep to stringify).
      fc.tuple(fc.oneof(click(), reasonSubmission()), deepJson).map(([value, deep]) => withDeepField(value, deep)),
    );
    return fc.oneof(
      { weight: 12, arbitrary: payload.map((text) => `payload=${encodeForm(text)}`) },
      fc.tuple(payload, payload).map(([first, second]) => `payload=${encodeForm(first)}&payload=${encodeForm(second)}`),
      fc.tuple(oddText, oddText).map(([name, value]) => `${encodeForm(name)}=${encodeForm(value)}`),
      fc.constantFrom('', 'payload', 'payload=', 'payload=%', 'payload=%zz', 'payload=%ff%fe', '&&&', '=', 'payload=%7B%22type%22%3A'),
      oddText,
      invalidUtf8.map((bytes) => Buffer.concat([Buffer.from('payload=%7B%22type%22%3A%22'), bytes, Buffer.from('%22%7D')])),
      invalidUtf8.map((bytes) => Buffer.concat([Buffer.from('payload='), bytes])),
    );
  }

  interface Sent {
    response: RawResponse;
    calls: TemporalCall[];
    writes: TemporalCall[];
  }

  async function post(body: string | Buffer, headers: Record<string, string>): Promise<Sent> {
    counter.reset();
    // The handler starts the Update (if any) before it acknowledges, so the record is complete here.
    const response = await http.send({ method: 'POST', path: '/slack/interactions', headers, body });
    return { response, calls: counter.calls(), writes: counter.writes() };
  }

  function signed(body: string | Buffer, timestamp = Date.now() / 1000): Record<string, string> {
    return { 'content-type': 'application/x-www-form-urlencoded', ...signSlackRequest(body, SIGNING_SECRET, timestamp) };
  }

  /** What must hold for any answer: undefined when it does, else what went wrong. */
  function violation({ response, calls, writes }: Sent, payloadUser: string | undefined): string | undefined {
    if (response.statusCode >= 500) return `answered ${response.statusCode}: ${response.body.slice(0, 300)}`;
    if (response.statusCode >= 400) {
      const error = errorOf(response.body);
      if (!error || !/^[a-z][a-z_]*$/.test(error.code)) return `a ${response.statusCode} without { error: { code, message } }: ${response.body.slice(0, 300)}`;
      if (calls.length > 0) return `refused with ${response.statusCode} ${error.code}, yet Temporal saw ${JSON.stringify(calls)}`;
      return undefined;
    }
    if (writes.length === 0) return undefined;
    if (writes.length > 1 || writes.some((write) => write.kind !== 'startUpdate' || write.name !== 'decide' || !ACTION_ID_PATTERN.test(write.workflowId))) {
      return `a Slack interaction sent ${JSON.stringify(writes)}`;
    }
    if (!payloadUser || !LINKED_USERS.includes(payloadUser))
      return `a decision reached Temporal for Slack user ${JSON.stringify(payloadUser)}, who is linked to no one`;
    return undefined;
  }

  function expectNoViolation(sent: Sent, payloadUser: string | undefined, what: string): void {
    const problem = violation(sent, payloadUser);
    if (problem) throw new Error(`${what.slice(0, 300)}: ${problem}`);
  }

  it('refuses unsigned, wrongly signed and stale requests with 401, whatever they carry, before anything reaches Temporal', async () => {
    const nowSeconds = (): number => Date.now() / 1000;
    const forgery = fc.oneof(
      fc.constant((_body: string | Buffer): Record<string, string> => ({})),
      headerText(100).map((signature) => (_body: string | Buffer) => ({
        'x-slack-request-timestamp': String(Math.floor(nowSeconds())),
        'x-slack-signature': signature,
      })),
      headerText(100).map((timestamp) => (body: string | Buffer) => ({
        ...signSlackRequest(body, SIGNING_SECRET, nowSeconds()),
        'x-slack-request-timestamp': timestamp,
      })),
      fc.constant((body: string | Buffer) => ({ 'x-slack-signature': signSlackRequest(body, SIGNING_SECRET, nowSeconds())['x-slack-signature'] })),
      fc.string({ minLength: 1 }).map((secret) => (body: string | Buffer) => signSlackRequest(body, `${secret}-not-the-secret`, nowSeconds())),
      fc
        .oneof(fc.integer({ min: 301, max: 10_000_000 }), fc.integer({ min: -10_000_000, max: -301 }))
        .map((skew) => (body: string | Buffer) => signSlackRequest(body, SIGNING_SECRET, nowSeconds() + skew)),
      // Signed, then the body changed on the way.
      fc.constant((body: string | Buffer) => signSlackRequest(Buffer.concat([Buffer.from(body), Buffer.from('&x=1')]), SIGNING_SECRET, nowSeconds())),
      fc.constant((body: string | Buffer) => {
        const headers = signSlackRequest(body, SIGNING_SECRET, nowSeconds());
        return { ...headers, 'x-slack-signature': headers['x-slack-signature'].toUpperCase() };
      }),
      fc.constant((body: string | Buffer) => {
        const headers = signSlackRequest(body, SIGNING_SECRET, nowSeconds());
        return { ...headers, 'x-slack-signature': headers['x-slack-signature'].replace('v0=', 'v1=') };
      }),
    );
    // A genuine click by a linked reviewer on a pending action, so the signature is all that stops it.
    const genuine = fc.constant(`payload=${encodeForm(JSON.stringify(genuineClick(pendingId, 'U0TCAROL')))}`);
    await fc.assert(
      fc.asyncProperty(fc.oneof(genuine, formBody()), forgery, async (body, forge) => {
        const sent = await post(body, { 'content-type': 'application/x-www-form-urlencoded', ...forge(body) });
        expectNoViolation(sent, undefined, readable(body));
        // Over the body limit, the size is refused before the signature is looked at.
        const tooLarge = Buffer.byteLength(body) > SLACK_BODY_LIMIT;
        expect(sent.response.statusCode).toBe(tooLarge ? 413 : 401);
        expect(tooLarge ? ['body_too_large'] : ['invalid_signature', 'stale_request']).toContain(errorOf(sent.response.body)?.code);
        expect(sent.calls).toEqual([]);
      }),
      fuzzParameters(200),
    );
  });

  it('never answers a correctly signed request with a 5xx, and sends no decision for an invalid one', async () => {
    const request = fc.record({
      body: formBody(),
      contentType: fc.oneof({ weight: 8, arbitrary: fc.constant<string | undefined>('application/x-www-form-urlencoded') }, contentType),
    });
    // How far the runs got, so generators that never get past the parser would fail the test too.
    const seen = { acknowledged: 0, decided: 0, refused: 0 };
    await fc.assert(
      fc.asyncProperty(request, async ({ body, contentType: type }) => {
        const headers: Record<string, string> = signed(body);
        delete headers['content-type'];
        const sent = await post(body, { ...headers, ...(type !== undefined ? { 'content-type': type } : {}) });
        expectNoViolation(sent, payloadUserOf(body), readable(body));
        // The signature is right: whatever else is wrong, it must not be refused as unsigned.
        expect(sent.response.statusCode).not.toBe(401);
        if (sent.response.statusCode === 200) seen.acknowledged++;
        else seen.refused++;
        if (sent.writes.length > 0) seen.decided++;
      }),
      fuzzParameters(400),
    );
    expect(seen.acknowledged).toBeGreaterThan(0);
    expect(seen.decided).toBeGreaterThan(0);
    expect(seen.refused).toBeGreaterThan(0);
  });

  it('passes a genuine signed click on to Temporal, so the counter above is proven to see it', async () => {
    const id = await createPendingAction();
    const body = `payload=${encodeForm(JSON.stringify(genuineClick(id, 'U0TALICE')))}`;
    const sent = await post(body, signed(body));
    expect(sent.response.statusCode).toBe(200);
    expect(sent.writes).toEqual([{ kind: 'startUpdate', workflowId: id, name: 'decide' }]);
    const read = await http.send({ method: 'GET', path: `/v1/actions/${id}`, headers: { authorization: `Bearer ${stack.keys.bob}` } });
    expect(JSON.parse(read.body).votes).toEqual([expect.objectContaining({ reviewer: 'alice', verdict: 'approve', channel: 'slack' })]);
  });

  it('refuses a signed form body over the Slack limit with 413 body_too_large', async () => {
    const sizes = fc.integer({ min: SLACK_BODY_LIMIT + 1, max: 2 * SLACK_BODY_LIMIT });
    await fc.assert(
      fc.asyncProperty(sizes, fc.boolean(), async (size, chunked) => {
        const body = `payload=${encodeForm(JSON.stringify(genuineClick(pendingId, 'U0TALICE')))}&padding=${'x'.repeat(size)}`;
        const sent = await post(body, { ...signed(body), ...(chunked ? { 'transfer-encoding': 'chunked' } : {}) });
        expect(sent.response.statusCode).toBe(413);
        expect(errorOf(sent.response.body)?.code).toBe('body_too_large');
        expect(sent.calls).toEqual([]);
      }),
      fuzzParameters(10),
    );
  });

  // Found by the property above: the signature was checked on text decoded from the body, which
  // differs from the signed bytes wherever they are not UTF-8, so a genuine signature was refused.
  it('checks the signature on the bytes received, even when they are not valid UTF-8', async () => {
    const body = Buffer.from([...Buffer.from('payload='), 0x80, 0xff]);
    const sent = await post(body, signed(body));
    expect(sent.response.statusCode).toBe(400);
    expect(errorOf(sent.response.body)?.code).toBe('invalid_payload');
    expect(sent.calls).toEqual([]);
  });

  /** What Slack sends when a user clicks one of Airlock's buttons (Approve, by default). */
  function genuineClick(actionId: string, slackUserId: string, button = SLACK_APPROVE_ACTION): Record<string, unknown> {
    return {
      type: 'block_actions',
      user: { id: slackUserId, team_id: 'T0TEST' },
      team: { id: 'T0TEST' },
      trigger_id: `trigger-${randomUUID()}`,
      response_url: responseUrl,
      container: { type: 'message', message_ts: '1750000000.000100', channel_id: APPROVALS_CHANNEL },
      channel: { id: APPROVALS_CHANNEL, name: 'data-approvals' },
      message: { ts: '1750000000.000100' },
      actions: [{ type: 'button', action_id: button, block_id: 'airlock_actions', value: actionId, action_ts: `${Date.now() / 1000}` }],
    };
  }
});

/** The payload as JSON text, with an `extra` field holding deeply nested JSON text (too deep to stringify). */
function withDeepField(value: unknown, deep: string): string {
  const text = JSON.stringify(value) ?? 'null';
  if (!text.startsWith('{')) return `{"extra":${deep},"payload":${text}}`;
  return text === '{}' ? `{"extra":${deep}}` : `{"extra":${deep},${text.slice(1)}`;
}

/** Form-encodes any string, lone surrogates included (as U+FFFD), byte by byte. */
function encodeForm(text: string): string {
  return [...Buffer.from(text, 'utf8')].map((byte) => `%${byte.toString(16).padStart(2, '0')}`).join('');
}

/** A form body as a failure message shows it: its payload decoded, when it has one. */
function readable(body: string | Buffer): string {
  return new URLSearchParams(body.toString()).get('payload') ?? body.toString();
}

/** The Slack user id a form body's payload names, if it has one (the handler may decide only for a linked one). */
function payloadUserOf(body: string | Buffer): string | undefined {
  try {
    const payload = JSON.parse(new URLSearchParams(body.toString()).get('payload') ?? 'null') as { user?: { id?: unknown } } | null;
    return typeof payload?.user?.id === 'string' ? payload.user.id : undefined;
  } catch {
    return undefined;
  }
}
