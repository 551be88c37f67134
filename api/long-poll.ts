import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** How a long poll ended: the thing waited for happened, or the time ran out, the client left, or the API is closing. */
export type LongPollEnd = 'done' | 'timeout' | 'disconnected' | 'shutdown';

/** Aborts when the API starts to close, so a graceful shutdown does not wait out every long poll in flight. */
export function shutdownSignal(app: FastifyInstance): AbortSignal {
  const controller = new AbortController();
  app.addHook('preClose', async () => controller.abort());
  return controller.signal;
}

/**
 * Runs `wait` with a signal that aborts after `seconds`, when the client disconnects, or on
 * `shutdown`, and says which ended it. Nothing is written to the socket meanwhile, so its idle
 * timeout (the server's `connectionTimeout`, which would drop the connection without an answer)
 * is lengthened by the wait; Node sets it again once the response is sent.
 */
export async function longPoll(
  request: FastifyRequest,
  reply: FastifyReply,
  seconds: number,
  shutdown: AbortSignal,
  wait: (signal: AbortSignal) => Promise<void>,
): Promise<LongPollEnd> {
  const socket = request.raw.socket;
  if (socket.destroyed) return 'disconnected';
  const disconnected = new AbortController();
  // The response's `close`, not the request's: it fires when the connection goes away (or once the
  // answer is sent), whereas when a request's `close` fires has changed between Node versions.
  const onClose = (): void => disconnected.abort();
  reply.raw.once('close', onClose);
  const timeout = AbortSignal.timeout(seconds * 1000);
  const idleTimeout = request.server.server.timeout;
  if (idleTimeout > 0) socket.setTimeout(idleTimeout + seconds * 1000);
  const signal = AbortSignal.any([timeout, disconnected.signal, shutdown]);
  try {
    await wait(signal);
  } finally {
    reply.raw.off('close', onClose);
  }
  if (!signal.aborted) return 'done';
  if (disconnected.signal.aborted) return 'disconnected';
  if (shutdown.aborted) return 'shutdown';
  return timeout.aborted ? 'timeout' : 'done';
}
