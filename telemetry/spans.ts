import { type Attributes, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { AIRLOCK_TRACER } from './tracing';

/**
 * Runs `fn` in a child span of the active one. Without a registered tracer provider (tracing off)
 * the span is the API's no-op one. A failure marks the span with its error's name only: messages
 * may quote what an operation was given.
 */
export async function inSpan<T>(name: string, attributes: Attributes, fn: () => Promise<T>, kind: SpanKind = SpanKind.INTERNAL): Promise<T> {
  return trace.getTracer(AIRLOCK_TRACER).startActiveSpan(name, { kind, attributes }, async (span) => {
    try {
      return await fn();
    } catch (err) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.name : 'error' });
      throw err;
    } finally {
      span.end();
    }
  });
}
