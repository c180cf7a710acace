/** How a Cloud Monitoring distribution's buckets are laid out (the API's BucketOptions, as plain data). */
export type BucketLayout =
  | { kind: 'exponential'; numFiniteBuckets: number; growthFactor: number; scale: number }
  | { kind: 'linear'; numFiniteBuckets: number; width: number; offset: number }
  | { kind: 'explicit'; bounds: number[] };

/** A latency histogram: bucket 0 is underflow, the last is overflow (as the API counts them). */
export interface LatencyDistribution {
  count: number;
  meanMs: number;
  layout: BucketLayout;
  bucketCounts: number[];
}

/** A percentile read from buckets: an estimate inside [lowMs, highMs), the bucket that holds it. */
export interface BucketPercentile {
  valueMs: number;
  lowMs: number;
  highMs: number;
}

/** Lower and upper bound of bucket `i` (underflow starts at 0 ms; overflow ends at +∞). */
export function bucketBounds(layout: BucketLayout, i: number): [number, number] {
  const finite = layout.kind === 'explicit' ? layout.bounds.length - 1 : layout.numFiniteBuckets;
  const edge = (k: number): number => {
    // Edge k is the lower bound of bucket k+1.
    if (layout.kind === 'exponential') return layout.scale * layout.growthFactor ** k;
    if (layout.kind === 'linear') return layout.offset + layout.width * k;
    return layout.bounds[k]!;
  };
  if (i <= 0) return [0, edge(0)];
  if (i > finite) return [edge(finite), Number.POSITIVE_INFINITY];
  return [edge(i - 1), edge(i)];
}

/**
 * The p-th percentile (0–100) of a distribution, interpolated linearly inside its bucket, as
 * Prometheus' histogram_quantile does. Resolution is the bucket's width: for the LB's ×1.4 buckets,
 * within 40 %. In the overflow bucket the estimate is its lower bound.
 */
export function distributionPercentile(d: LatencyDistribution, p: number): BucketPercentile | undefined {
  if (d.count <= 0) return undefined;
  const rank = Math.max(1, Math.ceil((p / 100) * d.count));
  let seen = 0;
  for (let i = 0; i < d.bucketCounts.length; i++) {
    const inBucket = d.bucketCounts[i] ?? 0;
    if (inBucket === 0 || seen + inBucket < rank) {
      seen += inBucket;
      continue;
    }
    const [lowMs, highMs] = bucketBounds(d.layout, i);
    const valueMs = Number.isFinite(highMs) ? lowMs + ((highMs - lowMs) * (rank - seen)) / inBucket : lowMs;
    return { valueMs, lowMs, highMs };
  }
  return undefined;
}

/** Adds histograms with the same layout, e.g. points from several alignment windows. */
export function mergeDistributions(a: LatencyDistribution, b: LatencyDistribution): LatencyDistribution {
  const count = a.count + b.count;
  const length = Math.max(a.bucketCounts.length, b.bucketCounts.length);
  return {
    count,
    meanMs: count === 0 ? 0 : (a.meanMs * a.count + b.meanMs * b.count) / count,
    layout: a.layout,
    bucketCounts: Array.from({ length }, (_, i) => (a.bucketCounts[i] ?? 0) + (b.bucketCounts[i] ?? 0)),
  };
}
