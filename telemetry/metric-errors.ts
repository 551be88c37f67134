import { Counter, type Registry } from 'prom-client';

export const METRIC_ERRORS_NAME = 'airlock_metrics_collect_errors_total';

/**
 * `airlock_metrics_collect_errors_total{series}`: a series that could not be collected or
 * observed this time (Temporal visibility unreachable, the SDK's exporter silent, the audit
 * store unreadable). One per registry, shared by whatever in the process feeds it.
 */
export function metricErrors(registry: Registry): Counter<'series'> {
  const existing = registry.getSingleMetric(METRIC_ERRORS_NAME);
  if (existing) return existing as Counter<'series'>;
  return new Counter({
    name: METRIC_ERRORS_NAME,
    help: 'Times a series could not be collected or observed; the series is then absent or missed this once',
    labelNames: ['series'],
    registers: [registry],
  });
}
