import { context, isSpanContextValid, trace } from '@opentelemetry/api';

/** The ids of the active span, for a log line: how an operator goes from a log line to its trace. */
export function traceLogFields(): { trace_id?: string; span_id?: string } {
  const span = trace.getSpan(context.active());
  const ids = span?.spanContext();
  if (!ids || !isSpanContextValid(ids)) return {};
  return { trace_id: ids.traceId, span_id: ids.spanId };
}
