import type { FastifyInstance } from 'fastify';
import type { Client } from '@temporalio/client';
import { temporalReachable } from '../temporal-reachable';

/** Liveness plus a bounded Temporal reachability check, for load balancers and `npm start`. */
export async function healthRoutes(app: FastifyInstance, deps: { client: Client }): Promise<void> {
  // Not rate limited: load balancers poll it, and a refused health check would take a healthy instance out of rotation.
  app.get('/healthz', { config: { rateLimit: false } }, async (_request, reply) => {
    if (await temporalReachable(deps.client)) return { status: 'ok', temporal: 'ok' };
    return reply.status(503).send({ status: 'degraded', temporal: 'unreachable' });
  });
}
