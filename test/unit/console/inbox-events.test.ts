import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import pino from 'pino';
import type { ActionListFilter, ActionRead, ActionSummary } from '../../../domain/actions-port';
import { ApiError, installErrorHandling } from '../../../api/errors';
import { inboxEvents } from '../../../api/console/pages/inbox-events';
import { PendingReviews } from '../../../api/console/pages/pending-reviews';
import type { ConsoleSession } from '../../../api/console/session';
import { session } from './support';

/** No pending actions at all: the stream's first event, its heartbeats, its limits and its end are what is tested. */
const noActions = {
  list: async (_filter: ActionListFilter): Promise<ActionSummary[]> => [],
  get: async (id: string): Promise<ActionRead> => {
    throw new Error(`no ${id}`);
  },
};

/** The session guard reduced to a header naming the session id. */
const context = {
  async requireSession(request: FastifyRequest): Promise<void> {
    const sid = request.headers['x-sid'];
    if (typeof sid !== 'string') throw new ApiError(401, 'unauthenticated', 'sign in to the console first');
    const ttl = Number(request.headers['x-ttl-ms'] ?? 3_600_000);
    request.consoleSession = session({ sid, expiresAt: Date.now() + ttl });
  },
  session(request: FastifyRequest): ConsoleSession {
    if (!request.consoleSession) throw new Error('no session');
    return request.consoleSession;
  },
};

describe('GET /console/inbox/events', () => {
  let server: FastifyInstance;
  let base: string;
  let pending: PendingReviews;

  beforeEach(async () => {
    server = Fastify({ logger: false });
    installErrorHandling(server);
    pending = new PendingReviews(noActions, pino({ level: 'silent' }), { intervalMs: 50 });
    await inboxEvents(server, context, pending, { heartbeatMs: 30, maxStreamsPerSession: 2 });
    base = await server.listen({ host: '127.0.0.1', port: 0 });
  });
  afterEach(async () => {
    await server.close();
  });

  async function open(sid: string, signal: AbortSignal): Promise<Response> {
    return fetch(`${base}/console/inbox/events`, { headers: { accept: 'text/event-stream', 'x-sid': sid }, signal });
  }

  async function readUntil(response: Response, done: (text: string) => boolean): Promise<string> {
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let text = '';
    while (!done(text)) {
      const { value, done: ended } = await reader.read();
      if (ended) break;
      text += decoder.decode(value, { stream: true });
    }
    reader.releaseLock();
    return text;
  }

  it('sends the version at once, then heartbeats, and listens to the poller while open', async () => {
    const abort = new AbortController();
    const response = await open('s1', abort.signal);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const text = await readUntil(response, (seen) => seen.includes(': heartbeat'));
    expect(text).toMatch(/^retry: 5000\n\nevent: inbox\ndata: \{"version":"[0-9a-f]{16}"\}\n\n/);
    expect(pending.listening).toBe(1);
    abort.abort();
    await waitUntil(() => pending.listening === 0);
  });

  it('caps the streams of one sign-in, and counts a closed one out', async () => {
    const first = new AbortController();
    const second = new AbortController();
    expect((await open('s1', first.signal)).status).toBe(200);
    expect((await open('s1', second.signal)).status).toBe(200);
    const third = await open('s1', new AbortController().signal);
    expect(third.status).toBe(429);
    expect(await third.json()).toMatchObject({ error: { code: 'too_many_streams' } });
    // Another sign-in has its own.
    const other = new AbortController();
    expect((await open('s2', other.signal)).status).toBe(200);
    first.abort();
    await waitUntil(() => pending.listening === 2);
    const again = new AbortController();
    expect((await open('s1', again.signal)).status).toBe(200);
    for (const controller of [second, other, again]) controller.abort();
  });

  it('ends the stream when the sign-in does', async () => {
    const response = await fetch(`${base}/console/inbox/events`, { headers: { 'x-sid': 's1', 'x-ttl-ms': '150' } });
    const text = await readUntil(response, () => false);
    expect(text).toContain('event: inbox');
    await waitUntil(() => pending.listening === 0);
  });

  it('refuses a request without a session', async () => {
    const response = await fetch(`${base}/console/inbox/events`);
    expect(response.status).toBe(401);
  });

  it('ends open streams when the server closes, so closing does not wait for browsers', async () => {
    const response = await open('s1', new AbortController().signal);
    await readUntil(response, (seen) => seen.includes('event: inbox'));
    const started = Date.now();
    await server.close();
    expect(Date.now() - started).toBeLessThan(2000);
    expect(pending.listening).toBe(0);
    await expect(readUntil(response, () => false)).resolves.toEqual(expect.any(String));
  });
});

async function waitUntil(done: () => boolean): Promise<void> {
  const deadline = Date.now() + 2000;
  while (!done()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
