/** p50/p90/p99/max of a set of measurements, in milliseconds. */
export interface LatencySummary {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

/**
 * Nearest-rank percentile (0 < p ≤ 100): the smallest measured value with at least p % of values at or
 * below it, so every figure shown is a request that really happened. Infinity stands for a request that
 * never finished and sorts last. Undefined for no values.
 */
export function percentile(values: readonly number[], p: number): number | undefined {
  if (!(p > 0 && p <= 100)) throw new RangeError(`percentile must be in (0, 100], got ${p}`);
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.ceil((p / 100) * sorted.length) - 1];
}

export function summarize(values: readonly number[]): LatencySummary | undefined {
  if (values.length === 0) return undefined;
  return {
    count: values.length,
    p50: percentile(values, 50)!,
    p90: percentile(values, 90)!,
    p99: percentile(values, 99)!,
    max: Math.max(...values),
  };
}

export function median(values: readonly number[]): number | undefined {
  return percentile(values, 50);
}
