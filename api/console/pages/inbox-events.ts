import { PassThrough } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { ApiError } from '../../errors';
import type { ConsoleContext } from '../plugin';
import type { PendingReviews } from './pending-reviews';

export interface InboxEventsOptions {
  /** A comment line this often keeps proxies and the server's idle timeout (30 s) from closing a quiet stream. */
  heartbeatMs: number;
  /** Live inboxes one sign-in may keep open (a few tabs); more are refused `429 too_many_streams`. */
  maxStreamsPerSession: number;
}

const DEFAULTS: InboxEventsOptions = { heartbeatMs: 15_000, maxStreamsPerSession: 4 };

/**
 * `GET /console/inbox/events`: a server-sent event stream telling an open inbox when to fetch its
 * list again. Each event is `inbox` with `{ version }`: the first at once, then one whenever the
 * shared poller sees the pending reviews or their votes change. What a person may see is decided
 * by the fragment they then fetch, never by the stream, which carries nothing but the version.
 */
export async function inboxEvents(
  app: FastifyInstance,
  context: Pick<ConsoleContext, 'requireSession' | 'session'>,
  pending: PendingReviews,
  options: Partial<InboxEventsOptions> = {},
): Promise<void> {
  const { heartbeatMs, maxStreamsPerSession } = { ...DEFAULTS, ...options };
  const openPerSession = new Map<string, number>();
  const streams = new Set<PassThrough>();
  // A stream never ends by itself: end them all, or closing the API would wait for every browser.
  app.addHook('preClose', async () => {
    for (const stream of streams) stream.end();
    pending.close();
  });

  app.get('/console/inbox/events', { preHandler: context.requireSession }, async (request, reply) => {
    const session = context.session(request);
    const open = openPerSession.get(session.sid) ?? 0;
    if (open >= maxStreamsPerSession) throw new ApiError(429, 'too_many_streams', `at most ${maxStreamsPerSession} live inboxes per sign-in`);
    const first = await pending.current();

    const stream = new PassThrough();
    streams.add(stream);
    openPerSession.set(session.sid, open + 1);
    const write = (text: string): void => {
      if (!stream.writableEnded) stream.write(text);
    };
    const event = (version: string): void => write(`event: inbox\ndata: ${JSON.stringify({ version })}\n\n`);
    const unsubscribe = pending.subscribe(event);
    const heartbeat = setInterval(() => write(': heartbeat\n\n'), heartbeatMs);
    // The sign-in ends: so does its stream (the browser's next fetch of the list is refused, and it reloads).
    const expiry = setTimeout(() => stream.end(), Math.min(Math.max(0, session.expiresAt - Date.now()), 2 ** 31 - 1));
    let closed = false;
    reply.raw.once('close', () => {
      if (closed) return;
      closed = true;
      unsubscribe();
      clearInterval(heartbeat);
      clearTimeout(expiry);
      streams.delete(stream);
      const left = (openPerSession.get(session.sid) ?? 1) - 1;
      if (left > 0) openPerSession.set(session.sid, left);
      else openPerSession.delete(session.sid);
      stream.end();
    });

    write('retry: 5000\n\n');
    event(first.version);
    return reply.header('content-type', 'text/event-stream; charset=utf-8').header('cache-control', 'no-store').header('x-accel-buffering', 'no').send(stream);
  });
}
