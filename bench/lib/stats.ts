// Small order statistics for repeated noisy measurements.

export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** (max - min) / median: how far apart the rounds landed, as a fraction. */
export function relativeSpread(values: readonly number[]): number {
  if (values.length < 2) return 0;
  return (Math.max(...values) - Math.min(...values)) / median(values);
}

/** Nearest-rank percentile of values already sorted ascending. */
export function percentileOfSorted(sorted: ArrayLike<number>, fraction: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1))];
}

export interface LatencySummary {
  avgMs: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

/** Sorts `latenciesMs` in place and summarizes it. */
export function summarizeLatencies(latenciesMs: Float64Array): LatencySummary {
  const sorted = latenciesMs.sort();
  let sum = 0;
  for (let i = 0; i < sorted.length; i++) sum += sorted[i];
  return {
    avgMs: sum / sorted.length,
    p50Ms: percentileOfSorted(sorted, 0.5),
    p99Ms: percentileOfSorted(sorted, 0.99),
    maxMs: sorted[sorted.length - 1],
  };
}
