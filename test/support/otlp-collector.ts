import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { readBody } from './read-body';

/** One span as a collector received it, with the `service.name` of the resource it came under. */
export interface CollectedSpan {
  service: string;
  traceId: string;
  spanId: string;
  /** Undefined for a trace's root. */
  parentSpanId: string | undefined;
  name: string;
  /** OTLP's numbering: 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  kind: number;
  attributes: Record<string, unknown>;
  events: { name: string; attributes: Record<string, unknown> }[];
  status: { code?: number; message?: string };
}

/** A local OTLP/HTTP traces receiver: what a process exports to `endpoint`, kept in memory. */
export interface OtlpCollector {
  /** For OTEL_EXPORTER_OTLP_ENDPOINT: the processes post to `<endpoint>/v1/traces`. */
  endpoint: string;
  spans(): readonly CollectedSpan[];
  /** Every request body received, as sent (decompressed): what left the processes, whole. */
  bodies(): readonly string[];
  /** Requests it could not take (wrong path, encoding or body), each with why: a test expects none. */
  refused(): readonly string[];
  stop(): Promise<void>;
}

// The OTLP/JSON shapes (opentelemetry-proto, JSON mapping) the collector reads.
interface OtlpAnyValue {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: string | number;
  doubleValue?: number;
  bytesValue?: string;
  arrayValue?: { values?: OtlpAnyValue[] };
  kvlistValue?: { values?: OtlpKeyValue[] };
}
interface OtlpKeyValue {
  key: string;
  value?: OtlpAnyValue;
}
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind?: number;
  attributes?: OtlpKeyValue[];
  events?: { name: string; attributes?: OtlpKeyValue[] }[];
  status?: { code?: number; message?: string };
}
interface ExportTraceServiceRequest {
  resourceSpans?: { resource?: { attributes?: OtlpKeyValue[] }; scopeSpans?: { spans?: OtlpSpan[] }[] }[];
}

/**
 * Starts an OTLP/HTTP receiver on a free loopback port. It takes `POST /v1/traces` in the JSON
 * encoding, the one `@opentelemetry/exporter-trace-otlp-http` sends (`Content-Type:
 * application/json`, hex ids), gzipped or not; anything else is answered 4xx and listed in
 * `refused()`, so a change of encoding fails a test instead of losing its spans.
 */
export async function startOtlpCollector(): Promise<OtlpCollector> {
  const spans: CollectedSpan[] = [];
  const bodies: string[] = [];
  const refused: string[] = [];
  const server = createServer((request, response) => {
    void readBody(request).then(
      (raw) => {
        const refuse = (status: number, why: string): void => {
          refused.push(`${request.method} ${request.url}: ${why}`);
          response.writeHead(status, { 'content-type': 'text/plain' }).end(why);
        };
        if (request.method !== 'POST' || request.url !== '/v1/traces') return refuse(404, 'not POST /v1/traces');
        const type = request.headers['content-type'] ?? '';
        if (!type.startsWith('application/json')) return refuse(415, `encoding ${type || 'unnamed'}; this collector reads OTLP/JSON`);
        let text: string;
        let decoded: ExportTraceServiceRequest;
        try {
          text = (request.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw).toString('utf8');
          decoded = JSON.parse(text) as ExportTraceServiceRequest;
        } catch (err) {
          return refuse(400, `unreadable body: ${err instanceof Error ? err.message : String(err)}`);
        }
        bodies.push(text);
        spans.push(...collectedSpans(decoded));
        // An ExportTraceServiceResponse with nothing rejected.
        response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      },
      () => response.destroy(),
    );
  });
  await new Promise<void>((resolveListen, rejectListen) => {
    server.once('error', rejectListen);
    server.listen(0, '127.0.0.1', () => resolveListen());
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    spans: () => spans,
    bodies: () => bodies,
    refused: () => refused,
    stop: () =>
      new Promise<void>((resolveClose) => {
        server.close(() => resolveClose());
        server.closeAllConnections();
      }),
  };
}

function collectedSpans(request: ExportTraceServiceRequest): CollectedSpan[] {
  return (request.resourceSpans ?? []).flatMap((resourceSpans) => {
    const service = String(attributeMap(resourceSpans.resource?.attributes)['service.name'] ?? '');
    return (resourceSpans.scopeSpans ?? []).flatMap((scope) =>
      (scope.spans ?? []).map((span): CollectedSpan => ({
        service,
        traceId: span.traceId,
        spanId: span.spanId,
        // A root has none, or (some encoders) an empty one.
        parentSpanId: span.parentSpanId || undefined,
        name: span.name,
        kind: span.kind ?? 0,
        attributes: attributeMap(span.attributes),
        events: (span.events ?? []).map((event) => ({ name: event.name, attributes: attributeMap(event.attributes) })),
        status: span.status ?? {},
      })),
    );
  });
}

function attributeMap(attributes: OtlpKeyValue[] | undefined): Record<string, unknown> {
  return Object.fromEntries((attributes ?? []).map((attribute) => [attribute.key, attribute.value ? anyValue(attribute.value) : undefined]));
}

function anyValue(value: OtlpAnyValue): unknown {
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.boolValue !== undefined) return value.boolValue;
  if (value.intValue !== undefined) return Number(value.intValue);
  if (value.doubleValue !== undefined) return value.doubleValue;
  if (value.bytesValue !== undefined) return value.bytesValue;
  if (value.arrayValue) return (value.arrayValue.values ?? []).map(anyValue);
  if (value.kvlistValue) return attributeMap(value.kvlistValue.values);
  return undefined;
}
