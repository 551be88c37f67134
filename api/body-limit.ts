import type { FastifyInstance } from 'fastify';
import { ApiError } from './errors';

/**
 * Fastify reads no body for GET or HEAD, and Node would read and discard whatever was sent. A
 * declared body over the limit is refused up front there too, as on the routes that read one
 * (where Fastify's parser answers 413 itself), so every route keeps the same limit.
 */
export function refuseUnreadOversizedBodies(app: FastifyInstance, bodyLimit: number): void {
  app.addHook('onRequest', async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return;
    const declared = Number(request.headers['content-length']);
    if (declared > bodyLimit) throw new ApiError(413, 'body_too_large', `request body is larger than ${bodyLimit} bytes`);
  });
}
