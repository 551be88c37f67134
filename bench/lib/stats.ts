/** Percentiles of a set of samples, in the samples' unit. */
export interface Percentiles {
  samples: number;
  p50: number;
  p95: number;
  p99: number;
  min: number;
  max: number;
  mean: number;
}

/**
 * Nearest-rank percentiles (no interpolation): p99 of 100 samples is the 99th smallest, so with
 * fewer than 100 samples it is the maximum. Throws on no samples: a figure of nothing is a bug.
 */
export function percentiles(values: readonly number[]): Percentiles {
  if (values.length === 0) throw new Error('no samples');
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (p: number): number => sorted[Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length))) - 1] ?? Number.NaN;
  return {
    samples: sorted.length,
    p50: rank(50),
    p95: rank(95),
    p99: rank(99),
    min: sorted[0] ?? Number.NaN,
    max: sorted[sorted.length - 1] ?? Number.NaN,
    mean: sorted.reduce((sum, value) => sum + value, 0) / sorted.length,
  };
}

/** The p50 of each named series; NaN for a series with no samples. */
export function medians<K extends string>(series: Record<K, number[]>): Record<K, number> {
  const entries = Object.entries<number[]>(series).map(([key, values]) => [key, values.length > 0 ? percentiles(values).p50 : Number.NaN]);
  return Object.fromEntries(entries) as Record<K, number>; // the keys of `series`, each once
}
