import { trace } from '@opentelemetry/api';
import Fastify from 'fastify';
import { installRequestTracing } from '../../../api/request-tracing';
import { useInMemoryTracing } from '../../support/in-memory-tracing';

describe('request tracing', () => {
  const { exporter, tracer } = useInMemoryTracing();

  async function app() {
    const server = Fastify();
    installRequestTracing(server, tracer());
    // The handler sees the request's span as the active one, after the body was parsed.
    server.post('/v1/things/:id', async (request) => ({ spanId: trace.getActiveSpan()?.spanContext().spanId, body: request.body }));
    await server.ready();
    return server;
  }

  it('makes one server span per request, active in the handler, named by method and route, without ids or bodies', async () => {
    const server = await app();
    const response = await server.inject({ method: 'POST', url: '/v1/things/secret-id?token=t', payload: { password: 'p' } });
    const [span] = exporter.getFinishedSpans();
    expect(span?.name).toBe('POST /v1/things/:id');
    expect(response.json()).toMatchObject({ spanId: span?.spanContext().spanId });
    expect(span?.attributes).toEqual({ 'http.request.method': 'POST', 'http.route': '/v1/things/:id', 'http.response.status_code': 200 });
    expect(JSON.stringify(span?.attributes)).not.toMatch(/secret-id|token|password/);
    await server.close();
  });

  it("continues a caller's W3C trace context", async () => {
    const server = await app();
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    await server.inject({ method: 'POST', url: '/v1/things/x', headers: { traceparent: `00-${traceId}-00f067aa0ba902b7-01` }, payload: {} });
    const [span] = exporter.getFinishedSpans();
    expect(span?.spanContext().traceId).toBe(traceId);
    expect(span?.parentSpanId).toBe('00f067aa0ba902b7');
    await server.close();
  });
});
