import type { Tracer } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { Resource } from '@opentelemetry/resources';
import { BatchSpanProcessor, SimpleSpanProcessor, type SpanExporter, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';

/** The tracer every Airlock span is started with (request, one-shot session, AWS call). */
export const AIRLOCK_TRACER = 'airlock';

/** Where traces go and as which service; unset when tracing is off. */
export interface TracingSettings {
  serviceName: string;
  /** The OTLP/HTTP traces URL (`…/v1/traces`). */
  tracesUrl: string;
}

/** The standard OpenTelemetry variables Airlock reads (config/schema.ts). */
export interface TracingEnv {
  OTEL_EXPORTER_OTLP_ENDPOINT?: string | undefined;
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?: string | undefined;
  OTEL_SERVICE_NAME?: string | undefined;
}

/**
 * Tracing is on when an OTLP endpoint is set: the traces endpoint as it is, or the general
 * endpoint with `/v1/traces` appended, as the OpenTelemetry specification says.
 */
export function tracingSettings(env: TracingEnv, defaultServiceName: string): TracingSettings | undefined {
  const tracesUrl =
    env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ??
    (env.OTEL_EXPORTER_OTLP_ENDPOINT ? `${env.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/+$/, '')}/v1/traces` : undefined);
  if (!tracesUrl) return undefined;
  return { serviceName: env.OTEL_SERVICE_NAME ?? defaultServiceName, tracesUrl };
}

/** A process's tracing: what the Temporal interceptors, the API's hooks and the worker's sinks need. */
export interface Tracing {
  tracer: Tracer;
  resource: Resource;
  /** Also the processor of the spans the workflow sandbox hands out through its sink. */
  spanProcessor: SpanProcessor;
  /** Flushes what is buffered and stops exporting. */
  shutdown(): Promise<void>;
}

export interface StartTracingOptions {
  serviceName: string;
  exporter: SpanExporter;
  /** Batch before exporting (production); false exports each span as it ends (tests). */
  batch?: boolean;
}

/**
 * Builds the process's tracer provider and registers it globally, with the AsyncLocalStorage
 * context manager and the W3C trace context propagator, so spans started anywhere in the process
 * (activities, the AWS call) find their parent.
 */
export function startTracing(options: StartTracingOptions): Tracing {
  const resource = Resource.default().merge(new Resource({ 'service.name': options.serviceName }));
  const spanProcessor = options.batch === false ? new SimpleSpanProcessor(options.exporter) : new BatchSpanProcessor(options.exporter);
  const provider = new NodeTracerProvider({ resource, spanProcessors: [spanProcessor] });
  provider.register();
  return { tracer: provider.getTracer(AIRLOCK_TRACER), resource, spanProcessor, shutdown: () => provider.shutdown() };
}

/** Tracing to an OTLP/HTTP collector, or undefined when the settings say it is off. */
export function startOtlpTracing(settings: TracingSettings | undefined): Tracing | undefined {
  if (!settings) return undefined;
  return startTracing({ serviceName: settings.serviceName, exporter: new OTLPTraceExporter({ url: settings.tracesUrl }) });
}
