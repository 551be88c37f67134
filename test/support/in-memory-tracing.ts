import type { Tracer } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { startTracing, type Tracing } from '../../telemetry/tracing';

/**
 * Tracing for the enclosing `describe` block, each span exported to memory as it ends: the
 * provider is registered before its tests, the exporter emptied before each, shut down after.
 */
export function useInMemoryTracing(): { exporter: InMemorySpanExporter; tracer: () => Tracer } {
  const exporter = new InMemorySpanExporter();
  let tracing: Tracing | undefined;
  beforeAll(() => {
    tracing = startTracing({ serviceName: 'airlock-unit', exporter, batch: false });
  });
  afterAll(() => tracing?.shutdown());
  beforeEach(() => exporter.reset());
  return {
    exporter,
    tracer: () => {
      if (!tracing) throw new Error('tracing starts in beforeAll');
      return tracing.tracer;
    },
  };
}
