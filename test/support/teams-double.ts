import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in for the Bot Framework token endpoint and the Bot Connector service, for tests:
 * a real HTTP server on loopback. The token endpoint checks the client credentials and issues
 * opaque tokens; the connector routes check the bearer token, keep every activity posted or
 * updated, and can be told to fail. Not a Teams clone: only what Airlock's code and tests need.
 */

export interface TeamsDoubleOptions {
  appId: string;
  appPassword: string;
  /** Lifetime of issued tokens, seconds (default 3600). */
  tokenLifetimeSeconds?: number;
}

/** One version of an activity as the double stores it. */
export interface TeamsActivity {
  id: string;
  conversationId: string;
  /** Set on a reply: the activity it answers. */
  replyToId?: string;
  type: string;
  text?: string;
  summary?: string;
  attachments?: { contentType: string; content: Record<string, unknown> }[];
  entities?: Record<string, unknown>[];
}

/** One connector or token call: method, path, and the HTTP status answered. */
export interface TeamsCall {
  method: string;
  path: string;
  status: number;
}

/** A failure for the next call(s) to the connector: `{ status: 429, retryAfter: 1 }`, `{ status: 403 }`. `times` defaults to 1. */
export interface TeamsFault {
  status: number;
  retryAfter?: number;
  times?: number;
}

export interface TeamsDouble {
  /** Bot Connector base URL (what Teams sends as an activity's `serviceUrl`); ends with `/`. */
  serviceUrl: string;
  /** OAuth2 token endpoint for the bot's client credentials. */
  tokenUrl: string;
  appId: string;
  appPassword: string;
  /** The latest version of each top-level activity (not replies), in posting order; one conversation's when given. */
  activities(conversationId?: string): TeamsActivity[];
  /** One activity: its latest version and every version from the post on. Throws if unknown. */
  activity(id: string): { latest: TeamsActivity; history: TeamsActivity[] };
  /** The Adaptive Card of an activity's latest version (its first attachment). Throws if none. */
  card(id: string): Record<string, unknown>;
  /** Replies to an activity, in order. */
  replies(activityId: string): TeamsActivity[];
  /** Every PUT, in order. */
  updates(): TeamsActivity[];
  calls(): TeamsCall[];
  /** Tokens issued so far. */
  tokensIssued(): number;
  /** Makes the next connector call(s) fail. */
  fail(fault: TeamsFault): void;
  /** Resolves once `predicate` holds, polling; rejects after `timeoutMs`. */
  waitFor<T>(predicate: () => T | undefined | false, timeoutMs?: number): Promise<T>;
  close(): Promise<void>;
}

/** Starts the double on 127.0.0.1 with a random port. */
export async function startTeamsDouble(options: TeamsDoubleOptions): Promise<TeamsDouble> {
  const tokens = new Set<string>();
  const histories = new Map<string, TeamsActivity[]>();
  const order: string[] = [];
  const updates: TeamsActivity[] = [];
  const calls: TeamsCall[] = [];
  const faults: TeamsFault[] = [];

  const answer = (req: IncomingMessage, res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void => {
    calls.push({ method: req.method ?? '', path: req.url ?? '', status });
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };

  const issueToken = (req: IncomingMessage, res: ServerResponse, raw: string): void => {
    const form = new URLSearchParams(raw);
    if (form.get('grant_type') !== 'client_credentials' || form.get('scope') !== 'https://api.botframework.com/.default') {
      answer(req, res, 400, { error: 'invalid_request', error_description: 'grant_type and scope are required' });
      return;
    }
    if (form.get('client_id') !== options.appId || form.get('client_secret') !== options.appPassword) {
      answer(req, res, 401, { error: 'invalid_client', error_description: 'AADSTS7000215: Invalid client secret provided.' });
      return;
    }
    const token = `teams-double-token-${randomUUID()}`;
    tokens.add(token);
    const lifetime = options.tokenLifetimeSeconds ?? 3600;
    answer(req, res, 200, { token_type: 'Bearer', expires_in: lifetime, ext_expires_in: lifetime, access_token: token });
  };

  const connector = (req: IncomingMessage, res: ServerResponse, raw: string): void => {
    const match = /^\/v3\/conversations\/([^/]+)\/activities(?:\/([^/]+))?$/.exec(req.url ?? '');
    if (!match?.[1]) {
      answer(req, res, 404, { error: { code: 'NotFound', message: 'no such route' } });
      return;
    }
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (!bearer || !tokens.has(bearer)) {
      answer(req, res, 401, { message: 'Authorization has been denied for this request.' });
      return;
    }
    const fault = faults[0];
    if (fault) {
      if ((fault.times ?? 1) <= 1) faults.shift();
      else fault.times = (fault.times ?? 1) - 1;
      answer(
        req,
        res,
        fault.status,
        { error: { code: 'Fault', message: `injected HTTP ${fault.status}` } },
        fault.retryAfter !== undefined ? { 'retry-after': String(fault.retryAfter) } : {},
      );
      return;
    }
    const conversationId = decodeURIComponent(match[1]);
    const activityId = match[2] ? decodeURIComponent(match[2]) : undefined;
    let body: Omit<TeamsActivity, 'id' | 'conversationId'>;
    try {
      body = JSON.parse(raw) as Omit<TeamsActivity, 'id' | 'conversationId'>;
    } catch {
      answer(req, res, 400, { error: { code: 'BadSyntax', message: 'body is not JSON' } });
      return;
    }
    if (req.method === 'POST') {
      const id = `1${Date.now()}${Math.floor(Math.random() * 1000)}`;
      const activity: TeamsActivity = { ...body, id, conversationId, ...(activityId ? { replyToId: activityId } : {}) };
      histories.set(id, [activity]);
      order.push(id);
      answer(req, res, 201, { id });
      return;
    }
    if (req.method === 'PUT' && activityId) {
      const history = histories.get(activityId);
      if (!history || history[0]?.conversationId !== conversationId) {
        answer(req, res, 404, { error: { code: 'ActivityNotFoundInConversation', message: 'no such activity' } });
        return;
      }
      const activity: TeamsActivity = { ...body, id: activityId, conversationId, ...(history[0].replyToId ? { replyToId: history[0].replyToId } : {}) };
      history.push(activity);
      updates.push(activity);
      answer(req, res, 200, { id: activityId });
      return;
    }
    answer(req, res, 405, { error: { code: 'MethodNotAllowed', message: 'only POST and PUT' } });
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      if (req.method === 'POST' && req.url === '/oauth2/token') issueToken(req, res, raw);
      else connector(req, res, raw);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const latest = (id: string): TeamsActivity => {
    const history = histories.get(id);
    const last = history?.[history.length - 1];
    if (!history || !last) throw new Error(`teams double: no activity ${id}`);
    return last;
  };

  return {
    serviceUrl: `${base}/`,
    tokenUrl: `${base}/oauth2/token`,
    appId: options.appId,
    appPassword: options.appPassword,
    activities: (conversationId) =>
      order.map(latest).filter((activity) => !activity.replyToId && (conversationId === undefined || activity.conversationId === conversationId)),
    activity: (id) => ({ latest: latest(id), history: [...(histories.get(id) ?? [])] }),
    card: (id) => {
      const content = latest(id).attachments?.[0]?.content;
      if (!content) throw new Error(`teams double: activity ${id} has no card`);
      return content;
    },
    replies: (activityId) => order.map(latest).filter((activity) => activity.replyToId === activityId),
    updates: () => [...updates],
    calls: () => [...calls],
    tokensIssued: () => tokens.size,
    fail: (fault) => {
      faults.push({ ...fault });
    },
    async waitFor<T>(predicate: () => T | undefined | false, timeoutMs = 15_000): Promise<T> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const value = predicate();
        if (value) return value;
        if (Date.now() > deadline) throw new Error('teams double: timed out waiting');
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
