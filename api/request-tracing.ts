import { context, propagation, type Span, SpanKind, SpanStatusCode, trace, type Tracer } from '@opentelemetry/api';
import type { FastifyInstance, FastifyRequest } from 'fastify';

const spans = new WeakMap<FastifyRequest, Span>();

/**
 * A server span per HTTP request (`POST /v1/actions`), continuing a caller's W3C `traceparent`
 * when it sends one. Opened on request, it becomes the active span when the handler runs (a
 * callback `preHandler` hook: the handler, and the Temporal client calls it makes, run inside
 * `done`), and ends with the response. Every log line of the request from then on carries its
 * `trace_id` and `span_id`. Attributes name the method, route and status only:
 * never a header, a query or a body.
 */
export function installRequestTracing(app: FastifyInstance, tracer: Tracer): void {
  app.addHook('onRequest', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unknown route';
    const parent = propagation.extract(context.active(), request.headers);
    const span = tracer.startSpan(
      `${request.method} ${route}`,
      { kind: SpanKind.SERVER, attributes: { 'http.request.method': request.method, 'http.route': route } },
      parent,
    );
    spans.set(request, span);
    // Bound to the request's loggers, as `actionId` is (log-context.ts): "request completed" is
    // written after the response, where no span is active any more.
    const { traceId, spanId } = span.spanContext();
    const log = request.log.child({ trace_id: traceId, span_id: spanId });
    request.log = log;
    reply.log = log;
    context.with(trace.setSpan(parent, span), done);
  });
  app.addHook('preHandler', (request, _reply, done) => {
    const span = spans.get(request);
    if (!span) return done();
    context.with(trace.setSpan(context.active(), span), done);
  });
  app.addHook('onResponse', (request, reply, done) => {
    const span = spans.get(request);
    if (span) {
      span.setAttribute('http.response.status_code', reply.statusCode);
      if (reply.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
      spans.delete(request);
    }
    done();
  });
}
