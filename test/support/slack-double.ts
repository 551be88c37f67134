import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

/**
 * A local stand-in for Slack's Web API, for tests: a real HTTP server on loopback that answers the
 * few methods Airlock calls the way Slack does (HTTP 200 with `ok: false` for platform errors,
 * HTTP 429 with Retry-After), keeps what was posted, and can be told to fail. It also serves
 * `response_url`s. Not a Slack clone: only what Airlock's code and tests need.
 */

export interface SlackDoubleOptions {
  /** The bot token every call must carry (`Authorization: Bearer …`, or `token` in a form body). */
  token: string;
  /** Channel name (without `#`) → channel id, e.g. `{ 'data-approvals': 'C0APPROVALS' }`. */
  channels: Record<string, string>;
}

/** One version of a message as the double stores it. */
export interface SlackMessage {
  type: 'message';
  channel: string;
  ts: string;
  text?: string | undefined;
  blocks?: unknown[] | undefined;
  /** Set on a reply: the ts of the message it answers in a thread. */
  thread_ts?: string | undefined;
  user: string;
  bot_id: string;
  edited?: { user: string; ts: string } | undefined;
}

export interface SlackEphemeral {
  channel: string;
  user: string;
  text?: string | undefined;
  blocks?: unknown[] | undefined;
}

export interface SlackOpenedView {
  id: string;
  trigger_id: string;
  view: Record<string, unknown>;
}

export interface SlackResponse {
  /** The id in the response URL (`/response/<id>`). */
  id: string;
  body: Record<string, unknown>;
}

/** One Web API call: the method, the parsed body (token removed), and the HTTP status answered. */
export interface SlackCall {
  method: string;
  body: Record<string, unknown>;
  status: number;
  /** The platform error answered (`ok: false`), if any. */
  error?: string | undefined;
}

/**
 * A failure for the next call(s) of a method: `{ status: 429, retryAfter: 1 }` (rate limit),
 * `{ error: 'channel_not_found' }` (platform error), `{ status: 500 }`. `times` defaults to 1.
 */
export interface SlackFault {
  status?: number | undefined;
  retryAfter?: number | undefined;
  error?: string | undefined;
  times?: number | undefined;
}

export interface SlackDouble {
  /** Base URL for WebClient's `slackApiUrl`; ends with `/api/`. */
  apiUrl: string;
  /** Base URL of the server. */
  url: string;
  /** The latest version of each message, in posting order (only one channel's, when given). */
  messages(channelId?: string): SlackMessage[];
  /** One message: its latest version and every version from the post on. Throws if unknown. */
  message(ts: string): { latest: SlackMessage; history: SlackMessage[] };
  ephemerals(): SlackEphemeral[];
  /** Bodies POSTed to response URLs (one URL's, when given its URL or id). */
  responses(urlOrId?: string): Record<string, unknown>[];
  views(): SlackOpenedView[];
  calls(method?: string): SlackCall[];
  failNext(method: string, fault: SlackFault): void;
  /** A new response URL served by the double, as Slack puts in interaction payloads. */
  responseUrl(): string;
  stop(): Promise<void>;
}

const BOT_USER = 'U0AIRLOCKBOT';
const BOT_ID = 'B0AIRLOCKBOT';
/** Form fields that Slack's clients send JSON-encoded. */
const JSON_FIELDS = ['blocks', 'attachments', 'view', 'metadata'];

type Answer = { status: number; body: Record<string, unknown>; headers?: Record<string, string> };

/** Starts the double on a free loopback port. */
export async function startSlackDouble(options: SlackDoubleOptions): Promise<SlackDouble> {
  const channelIds = new Set(Object.values(options.channels));
  const threads = new Map<string, SlackMessage[]>(); // ts → versions, in insertion (posting) order
  const ephemerals: SlackEphemeral[] = [];
  const views: SlackOpenedView[] = [];
  const responses: SlackResponse[] = [];
  const responseIds = new Set<string>();
  const calls: SlackCall[] = [];
  const faults = new Map<string, SlackFault[]>();
  let sequence = 0;

  const resolveChannel = (channel: unknown): string | undefined => {
    if (typeof channel !== 'string') return undefined;
    if (channelIds.has(channel)) return channel;
    return channel.startsWith('#') ? options.channels[channel.slice(1)] : undefined;
  };
  const nextTs = (): string => `${Math.floor(Date.now() / 1000)}.${String(++sequence).padStart(6, '0')}`;
  const fail = (error: string, extra: Record<string, unknown> = {}): Answer => ({ status: 200, body: { ok: false, error, ...extra } });
  const invalidBlocks = (problems: string[]): Answer => fail('invalid_blocks', { response_metadata: { messages: problems.map((p) => `[ERROR] ${p}`) } });

  const methods: Record<string, (body: Record<string, unknown>) => Answer> = {
    'auth.test': () => ({
      status: 200,
      body: { ok: true, url: 'https://airlock-test.slack.com/', team: 'Airlock Test', team_id: 'T0TEST', user: 'airlock', user_id: BOT_USER, bot_id: BOT_ID },
    }),

    'chat.postMessage': (body) => {
      const channel = resolveChannel(body.channel);
      if (!channel) return fail('channel_not_found');
      if (!body.text && !body.blocks) return fail('no_text');
      const problems = body.blocks === undefined ? [] : blockKitProblems(body.blocks);
      if (problems.length) return invalidBlocks(problems);
      const parent = typeof body.thread_ts === 'string' ? threads.get(body.thread_ts)?.[0] : undefined;
      if (body.thread_ts !== undefined && parent?.channel !== channel) return fail('thread_not_found');
      const message: SlackMessage = {
        type: 'message',
        channel,
        ts: nextTs(),
        ...content(body),
        ...(parent ? { thread_ts: parent.ts } : {}),
        user: BOT_USER,
        bot_id: BOT_ID,
      };
      threads.set(message.ts, [message]);
      return { status: 200, body: { ok: true, channel, ts: message.ts, message } };
    },

    'chat.update': (body) => {
      const channel = resolveChannel(body.channel);
      if (!channel) return fail('channel_not_found');
      const versions = typeof body.ts === 'string' ? threads.get(body.ts) : undefined;
      const latest = versions?.[versions.length - 1];
      if (!versions || !latest || latest.channel !== channel) return fail('message_not_found');
      const problems = body.blocks === undefined ? [] : blockKitProblems(body.blocks);
      if (problems.length) return invalidBlocks(problems);
      const { text, blocks } = content(body);
      const message: SlackMessage = { ...latest, text, blocks, edited: { user: BOT_USER, ts: nextTs() } };
      versions.push(message);
      return { status: 200, body: { ok: true, channel, ts: latest.ts, text: message.text, message } };
    },

    'chat.postEphemeral': (body) => {
      const channel = resolveChannel(body.channel);
      if (!channel) return fail('channel_not_found');
      if (typeof body.user !== 'string') return fail('user_not_in_channel');
      ephemerals.push({ channel, user: body.user, ...content(body) });
      return { status: 200, body: { ok: true, message_ts: nextTs() } };
    },

    'views.open': (body) => {
      if (typeof body.trigger_id !== 'string') return fail('invalid_arguments');
      const view = body.view;
      if (!view || typeof view !== 'object' || Array.isArray(view)) return fail('invalid_arguments');
      const problems = modalProblems(view as Record<string, unknown>);
      if (problems.length) return invalidBlocks(problems);
      const id = `V${String(++sequence).padStart(8, '0')}`;
      views.push({ id, trigger_id: body.trigger_id, view: view as Record<string, unknown> });
      return { status: 200, body: { ok: true, view: { id, ...(view as object) } } };
    },
  };

  const handleApi = (method: string, req: IncomingMessage, raw: string): Answer => {
    const parsed = parseBody(req.headers['content-type'], raw);
    const { token: bodyToken, ...body } = 'body' in parsed ? parsed.body : {};
    const call: SlackCall = { method, body, status: 200 };
    calls.push(call);
    const answer = ((): Answer => {
      if ('error' in parsed) return fail(parsed.error);
      const fault = takeFault(faults, method);
      if (fault) return faultAnswer(fault);
      const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? bodyToken;
      if (bearer === undefined) return fail('not_authed');
      if (bearer !== options.token) return fail('invalid_auth');
      const handler = methods[method];
      return handler ? handler(body) : fail('unknown_method');
    })();
    call.status = answer.status;
    if (answer.body.ok === false && typeof answer.body.error === 'string') call.error = answer.body.error;
    return answer;
  };

  const handleResponseUrl = (id: string, req: IncomingMessage, raw: string): Answer => {
    if (!responseIds.has(id)) return { status: 404, body: { ok: false, error: 'no_such_response_url' } };
    const parsed = parseBody(req.headers['content-type'] ?? 'application/json', raw);
    if ('error' in parsed) return { status: 400, body: { ok: false, error: parsed.error } };
    responses.push({ id, body: parsed.body });
    return { status: 200, body: { ok: true } };
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const path = new URL(req.url ?? '/', 'http://double').pathname;
      const api = /^\/api\/([\w.]+)$/.exec(path);
      const response = /^\/response\/([\w-]+)$/.exec(path);
      let answer: Answer;
      if (req.method !== 'POST') answer = { status: 405, body: { ok: false, error: 'method_not_allowed' } };
      else if (api?.[1]) answer = handleApi(api[1], req, raw);
      else if (response?.[1]) answer = handleResponseUrl(response[1], req, raw);
      else answer = { status: 404, body: { ok: false, error: 'not_found' } };
      res.writeHead(answer.status, { 'content-type': 'application/json; charset=utf-8', ...answer.headers });
      res.end(JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;

  return {
    apiUrl: `${url}/api/`,
    url,
    messages: (channelId) =>
      [...threads.values()]
        .map((versions) => versions[versions.length - 1] as SlackMessage)
        .filter((message) => channelId === undefined || message.channel === channelId)
        .map((message) => structuredClone(message)),
    message: (ts) => {
      const versions = threads.get(ts);
      if (!versions) throw new Error(`the Slack double has no message ${ts}`);
      const history = structuredClone(versions);
      return { latest: history[history.length - 1] as SlackMessage, history };
    },
    ephemerals: () => structuredClone(ephemerals),
    responses: (urlOrId) => {
      const id = urlOrId?.split('/').pop();
      return structuredClone(responses.filter((response) => id === undefined || response.id === id).map((response) => response.body));
    },
    views: () => structuredClone(views),
    calls: (method) => structuredClone(calls.filter((call) => method === undefined || call.method === method)),
    failNext: (method, fault) => {
      const queue = faults.get(method) ?? [];
      for (let i = 0; i < (fault.times ?? 1); i += 1) queue.push(fault);
      faults.set(method, queue);
    },
    responseUrl: () => {
      const id = randomUUID();
      responseIds.add(id);
      return `${url}/response/${id}`;
    },
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections(); // WebClient keeps connections alive
      }),
  };
}

/**
 * Problems Slack would answer `invalid_blocks` for, from the Block Kit limits Airlock's messages
 * and modals can reach. Tests use it directly to hold renderings to the same limits.
 */
export function blockKitProblems(blocks: unknown, maxBlocks = 50): string[] {
  if (!Array.isArray(blocks)) return ['blocks must be an array [json-pointer:/blocks]'];
  const problems: string[] = [];
  const problem = (path: string, text: string): void => {
    problems.push(`${text} [json-pointer:/blocks${path}]`);
  };
  if (blocks.length > maxBlocks) problem('', `no more than ${maxBlocks} items allowed`);
  const blockIds = new Set<string>();
  blocks.forEach((block: unknown, i) => {
    if (!isObject(block) || typeof block.type !== 'string') return problem(`/${i}`, 'must be an object with a type');
    if (typeof block.block_id === 'string') {
      if (block.block_id.length > 255) problem(`/${i}/block_id`, 'must be at most 255 characters');
      if (blockIds.has(block.block_id)) problem(`/${i}/block_id`, 'must be unique');
      blockIds.add(block.block_id);
    }
    switch (block.type) {
      case 'header':
        textProblem(block.text, 150, `/${i}/text`, problem, 'plain_text');
        break;
      case 'section': {
        const fields = block.fields;
        if (block.text === undefined && fields === undefined) problem(`/${i}`, 'must have text or fields');
        if (block.text !== undefined) textProblem(block.text, 3000, `/${i}/text`, problem);
        if (fields !== undefined) {
          if (!Array.isArray(fields) || fields.length === 0 || fields.length > 10) problem(`/${i}/fields`, 'must have 1 to 10 items');
          else fields.forEach((field: unknown, j) => textProblem(field, 2000, `/${i}/fields/${j}`, problem));
        }
        break;
      }
      case 'context':
        if (!Array.isArray(block.elements) || block.elements.length === 0 || block.elements.length > 10) problem(`/${i}/elements`, 'must have 1 to 10 items');
        break;
      case 'actions': {
        const elements = block.elements;
        if (!Array.isArray(elements) || elements.length === 0 || elements.length > 25) {
          problem(`/${i}/elements`, 'must have 1 to 25 items');
          break;
        }
        const actionIds = new Set<string>();
        elements.forEach((element: unknown, j) => {
          if (!isObject(element)) return problem(`/${i}/elements/${j}`, 'must be an object');
          if (element.type === 'button') {
            textProblem(element.text, 75, `/${i}/elements/${j}/text`, problem, 'plain_text');
            if (typeof element.value === 'string' && element.value.length > 2000) problem(`/${i}/elements/${j}/value`, 'must be at most 2000 characters');
          }
          if (typeof element.action_id === 'string') {
            if (element.action_id.length > 255) problem(`/${i}/elements/${j}/action_id`, 'must be at most 255 characters');
            if (actionIds.has(element.action_id)) problem(`/${i}/elements/${j}/action_id`, 'must be unique in the block');
            actionIds.add(element.action_id);
          }
        });
        break;
      }
      case 'input':
        textProblem(block.label, 2000, `/${i}/label`, problem, 'plain_text');
        if (!isObject(block.element)) problem(`/${i}/element`, 'is required');
        else if (typeof block.element.max_length === 'number' && block.element.max_length > 3000) problem(`/${i}/element/max_length`, 'must be at most 3000');
        break;
      case 'divider':
        break;
      default:
        break; // other block types: not checked
    }
  });
  return problems;
}

/** A modal as views.open checks it: title, buttons, metadata, and its blocks (up to 100). */
export function modalProblems(view: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const problem = (path: string, text: string): void => {
    problems.push(`${text} [json-pointer:/view${path}]`);
  };
  if (view.type !== 'modal') problem('/type', 'must be modal');
  textProblem(view.title, 24, '/title', problem, 'plain_text');
  if (view.submit !== undefined) textProblem(view.submit, 24, '/submit', problem, 'plain_text');
  if (view.close !== undefined) textProblem(view.close, 24, '/close', problem, 'plain_text');
  if (typeof view.private_metadata === 'string' && view.private_metadata.length > 3000) problem('/private_metadata', 'must be at most 3000 characters');
  if (typeof view.callback_id === 'string' && view.callback_id.length > 255) problem('/callback_id', 'must be at most 255 characters');
  return [...problems, ...blockKitProblems(view.blocks, 100)];
}

function textProblem(text: unknown, max: number, path: string, problem: (path: string, text: string) => void, only?: 'plain_text'): void {
  if (!isObject(text) || typeof text.text !== 'string' || (text.type !== 'plain_text' && text.type !== 'mrkdwn')) {
    problem(path, 'must be a text object');
  } else if (only && text.type !== only) {
    problem(`${path}/type`, `must be ${only}`);
  } else if (text.text.length === 0 || text.text.length > max) {
    problem(`${path}/text`, `must be 1 to ${max} characters`);
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** What a message carries: text and blocks, as given. */
function content(body: Record<string, unknown>): { text?: string; blocks?: unknown[] } {
  return {
    ...(typeof body.text === 'string' ? { text: body.text } : {}),
    ...(Array.isArray(body.blocks) ? { blocks: body.blocks } : {}),
  };
}

/**
 * A Web API body: JSON, or form-urlencoded as WebClient sends it, where objects (blocks, view)
 * are JSON strings inside the form. Those are decoded so tests see structures, not strings.
 */
function parseBody(contentType: string | undefined, raw: string): { body: Record<string, unknown> } | { error: string } {
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase();
  if (raw === '') return { body: {} };
  if (type === 'application/json') {
    try {
      const body: unknown = JSON.parse(raw);
      return isObject(body) ? { body } : { error: 'invalid_json' };
    } catch {
      return { error: 'invalid_json' };
    }
  }
  if (type === 'application/x-www-form-urlencoded') {
    const body: Record<string, unknown> = Object.fromEntries(new URLSearchParams(raw));
    for (const name of JSON_FIELDS) {
      const value = body[name];
      if (typeof value !== 'string') continue;
      try {
        body[name] = JSON.parse(value);
      } catch {
        // left as a string: the method answers invalid_blocks / invalid_arguments, as Slack would
      }
    }
    return { body };
  }
  return { error: type ? 'invalid_post_type' : 'missing_post_type' };
}

function takeFault(faults: Map<string, SlackFault[]>, method: string): SlackFault | undefined {
  return faults.get(method)?.shift();
}

function faultAnswer(fault: SlackFault): Answer {
  if (fault.error) return { status: fault.status ?? 200, body: { ok: false, error: fault.error } };
  const status = fault.status ?? 500;
  if (status === 429) {
    return { status, body: { ok: false, error: 'ratelimited' }, headers: { 'retry-after': String(fault.retryAfter ?? 1) } };
  }
  return { status, body: { ok: false, error: status >= 500 ? 'internal_error' : 'request_failed' } };
}
