import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { context, trace } from '@opentelemetry/api';
import { loadConfig } from '../../../config/load';
import { inSpan } from '../../../telemetry/spans';
import { traceLogFields } from '../../../telemetry/trace-log';
import { startOtlpTracing, tracingSettings } from '../../../telemetry/tracing';
import { createWorkerLog } from '../../../workers/log';
import { useInMemoryTracing } from '../../support/in-memory-tracing';

describe('tracing settings', () => {
  it('is off without an OTLP endpoint', () => {
    expect(tracingSettings({}, 'airlock-api')).toBeUndefined();
    expect(tracingSettings({ OTEL_SERVICE_NAME: 'named' }, 'airlock-api')).toBeUndefined();
  });

  it('sends to <endpoint>/v1/traces, or to the traces endpoint as given, as the default service unless named', () => {
    expect(tracingSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }, 'airlock-api')).toEqual({
      serviceName: 'airlock-api',
      tracesUrl: 'http://collector:4318/v1/traces',
    });
    expect(tracingSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/', OTEL_SERVICE_NAME: 'airlock-worker-eu' }, 'airlock-worker')).toEqual({
      serviceName: 'airlock-worker-eu',
      tracesUrl: 'http://collector:4318/v1/traces',
    });
    expect(
      tracingSettings(
        { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://traces.example/otlp' },
        'airlock-worker',
      ),
    ).toEqual({ serviceName: 'airlock-worker', tracesUrl: 'https://traces.example/otlp' });
  });

  it('reads the standard variables through the config schema, refusing an endpoint that is no URL', () => {
    const config = loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318', OTEL_SERVICE_NAME: 'airlock-api-2' });
    expect(tracingSettings(config, 'airlock-api')).toEqual({ serviceName: 'airlock-api-2', tracesUrl: 'http://127.0.0.1:4318/v1/traces' });
    expect(() => loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'not a url' })).toThrow(/OTEL_EXPORTER_OTLP_ENDPOINT/);
  });
});

describe('spans and log lines with tracing on', () => {
  const { exporter, tracer } = useInMemoryTracing();

  it('nests inSpan spans under the active one and marks a failure with its name only', async () => {
    await tracer().startActiveSpan('parent', async (parent) => {
      await inSpan('ok', { 'airlock.operation': 's3.copyObject' }, () => Promise.resolve(1));
      await expect(inSpan('fails', {}, () => Promise.reject(new TypeError('secret-ish detail')))).rejects.toThrow(TypeError);
      parent.end();
    });
    const [ok, fails, parent] = exporter.getFinishedSpans();
    expect([ok?.name, fails?.name, parent?.name]).toEqual(['ok', 'fails', 'parent']);
    expect(ok?.parentSpanId).toBe(parent?.spanContext().spanId);
    expect(ok?.attributes).toEqual({ 'airlock.operation': 's3.copyObject' });
    expect(fails?.status).toEqual({ code: 2, message: 'TypeError' });
    expect(JSON.stringify([fails?.attributes, fails?.events, fails?.status])).not.toContain('secret-ish');
    expect(ok?.resource.attributes['service.name']).toBe('airlock-unit');
  });

  it('gives worker log lines the active span ids, and none outside a span', () => {
    const lines: Record<string, unknown>[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>);
        done();
      },
    });
    const log = createWorkerLog({ level: 'info', sensitiveParams: new Set(), destination, traceIds: true });
    log.info('outside');
    const span = tracer().startSpan('activity');
    context.with(trace.setSpan(context.active(), span), () => {
      expect(traceLogFields()).toEqual({ trace_id: span.spanContext().traceId, span_id: span.spanContext().spanId });
      log.info('inside');
    });
    span.end();
    expect(lines[0]).not.toHaveProperty('trace_id');
    expect(lines[1]).toMatchObject({ msg: 'inside', trace_id: span.spanContext().traceId, span_id: span.spanContext().spanId });
  });
});

describe('OTLP export', () => {
  it('posts the spans to <endpoint>/v1/traces, named as the service', async () => {
    const received: { url: string; body: string }[] = [];
    const server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      request.on('end', () => {
        received.push({ url: request.url ?? '', body });
        response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const tracing = startOtlpTracing(tracingSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}` }, 'airlock-worker'));
    if (!tracing) throw new Error('tracing should be on');
    tracing.tracer.startSpan('exported').end();
    await tracing.shutdown(); // flushes the batch
    server.close();
    expect(received.map((request) => request.url)).toEqual(['/v1/traces']);
    expect(received[0]?.body).toContain('exported');
    expect(received[0]?.body).toContain('airlock-worker');
  });
});
