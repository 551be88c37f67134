import Fastify, { type FastifyInstance } from 'fastify';
import { longPoll, shutdownSignal, type LongPollEnd } from '../../../api/long-poll';

/**
 * The long poll's lifecycle on a real Fastify server and real sockets: it outlasts the server's
 * idle timeout, and ends when its work is done, when its time is up, when the client leaves, or
 * when the server closes. (Temporal's side is in test/integration/long-poll.test.ts.)
 */
describe('longPoll', () => {
  let app: FastifyInstance;
  let baseUrl: string;
  const ends: LongPollEnd[] = [];

  beforeEach(async () => {
    ends.length = 0;
    // An idle timeout of 1 s: a wait longer than that must not lose its connection.
    app = Fastify({ connectionTimeout: 1000 });
    const shutdown = shutdownSignal(app);
    app.get<{ Querystring: { seconds: string; doneAfterMs?: string } }>('/wait', async (request, reply) => {
      const doneAfterMs = request.query.doneAfterMs === undefined ? undefined : Number(request.query.doneAfterMs);
      const end = await longPoll(request, reply, Number(request.query.seconds), shutdown, (signal) => work(signal, doneAfterMs));
      ends.push(end);
      return { end };
    });
    baseUrl = await app.listen({ host: '127.0.0.1', port: 0 });
  });
  afterEach(async () => {
    await app.close();
  });

  it("answers after its time is up, past the server's idle timeout", async () => {
    const response = await fetch(`${baseUrl}/wait?seconds=2`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ end: 'timeout' });
  });

  it('answers as soon as what it waits for is done', async () => {
    const response = await fetch(`${baseUrl}/wait?seconds=30&doneAfterMs=100`);
    expect(await response.json()).toEqual({ end: 'done' });
  });

  it('stops waiting when the client disconnects', async () => {
    const client = new AbortController();
    const request = fetch(`${baseUrl}/wait?seconds=30`, { signal: client.signal });
    setTimeout(() => client.abort(), 300);
    await expect(request).rejects.toThrow();
    await waitUntil(() => ends.length > 0);
    expect(ends).toEqual(['disconnected']);
  });

  it('ends every wait when the server closes, and answers it', async () => {
    const request = fetch(`${baseUrl}/wait?seconds=30`);
    await new Promise((resolve) => setTimeout(resolve, 200));
    await app.close();
    const response = await request;
    expect(await response.json()).toEqual({ end: 'shutdown' });
  });
});

/** Stands for Temporal's long poll: resolves after `doneAfterMs` (the workflow closed), or when aborted. */
function work(signal: AbortSignal, doneAfterMs: number | undefined): Promise<void> {
  return new Promise((resolve) => {
    const timer = doneAfterMs === undefined ? undefined : setTimeout(resolve, doneAfterMs);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** Polls a condition of the test's own making, within a generous bound. */
async function waitUntil(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met within 10 s');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
