import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Client } from '@temporalio/client';
import { operation } from '../access';
import { health } from '../response-schemas';
import { json } from '../route-responses';
import { temporalReachable } from '../temporal-reachable';

/** Liveness plus a bounded Temporal reachability check, for load balancers and `npm start`. */
export async function healthRoutes(scope: FastifyInstance, deps: { client: Client }): Promise<void> {
  const app = scope.withTypeProvider<ZodTypeProvider>();
  // Not rate limited: load balancers poll it, and a refused health check would take a healthy instance out of rotation.
  app.get(
    '/healthz',
    {
      config: { rateLimit: false },
      schema: {
        ...operation({
          id: 'health',
          tag: 'service',
          summary: 'Liveness and Temporal reachability',
          description: 'For load balancers and `npm start`. Not rate limited.',
        }),
        response: { 200: json('Up, and Temporal answers', health), 503: json('Up, but Temporal cannot be reached', health) },
      },
    },
    async (_request, reply) => {
      if (await temporalReachable(deps.client)) return { status: 'ok' as const, temporal: 'ok' as const };
      return reply.status(503).send({ status: 'degraded', temporal: 'unreachable' });
    },
  );
}
