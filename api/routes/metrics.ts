import type { FastifyInstance, FastifySchema } from 'fastify';
import { bearerMatches } from '../../telemetry/metrics-token';
import type { ApiMetrics } from '../metrics';
import { operation } from '../access';
import { errorResponses, text } from '../route-responses';

export interface MetricsRouteOptions {
  metrics: ApiMetrics;
  /** When set, scrapes must send `Authorization: Bearer <token>`. */
  token?: string;
}

/**
 * `GET /metrics`, and the hook that counts every answer to `POST /v1/actions`. Called on the root
 * instance, before the routes, so the hook sees refusals from anywhere on the way (rate limit,
 * body limit, authentication, validation, Temporal unavailable), not only the handler's own.
 * Unauthenticated unless a token is set: its labels hold action names and outcomes, nothing more.
 */
export function installMetrics(app: FastifyInstance, options: MetricsRouteOptions): void {
  const { metrics, token } = options;
  app.addHook('onSend', async (request, reply, payload) => {
    if (request.method === 'POST' && request.routeOptions.url === '/v1/actions') {
      metrics.recordRequest((request.body as { action?: unknown } | undefined)?.action, answeredOutcome(payload, reply.statusCode));
    }
    return payload;
  });
  // Not rate limited, like /healthz: a refused scrape is a gap in every graph.
  const schema: FastifySchema = {
    ...operation({
      id: 'metrics',
      tag: 'service',
      summary: 'Prometheus metrics',
      description:
        "The API's series in the Prometheus text format, e.g. `airlock_action_requests_total` by action and outcome. " +
        'Registered only when metrics are on. Not rate limited.',
      note: 'Access: no API key; when the operator sets a metrics token, `Authorization: Bearer <metrics token>`.',
    }),
    // Either no credentials or the metrics token, as the operator configured it.
    security: token ? [{ metricsToken: [] }] : [],
    response: { 200: text('The metrics', 'text/plain'), ...(token ? errorResponses({ 401: ['unauthenticated'] }) : {}) },
  };
  app.get('/metrics', { config: { rateLimit: false }, schema }, async (request, reply) => {
    if (token && !bearerMatches(request.headers.authorization, token)) {
      return reply
        .status(401)
        .header('www-authenticate', 'Bearer')
        .send({ error: { code: 'unauthenticated', message: 'a metrics token is required' } });
    }
    return reply.type(metrics.registry.contentType).send(await metrics.scrape());
  });
}

/**
 * What an answer said: the action's `status` on success, the error `code` of a refusal (every
 * error body is `{ error: { code } }`), else `http_<status>`.
 */
export function answeredOutcome(payload: unknown, statusCode: number): string {
  if (typeof payload === 'string') {
    try {
      const body = JSON.parse(payload) as { status?: unknown; error?: { code?: unknown } };
      if (statusCode < 400 && typeof body.status === 'string') return body.status;
      if (typeof body.error?.code === 'string') return body.error.code;
    } catch {
      // not JSON: fall through
    }
  }
  return `http_${statusCode}`;
}
