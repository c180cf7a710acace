import { describe, expect, it } from 'vitest';
import { bucketBounds, distributionPercentile, type LatencyDistribution } from '../../src/lib/stats/distribution.js';
import { percentile, summarize } from '../../src/lib/diagnose/percentiles.js';

describe('percentiles of measured requests', () => {
  it('are nearest-rank: every figure is a request that happened', () => {
    const ms = [12, 3, 7, 40, 5, 9, 8, 6, 10, 4];
    expect(percentile(ms, 50)).toBe(7);
    expect(percentile(ms, 90)).toBe(12);
    expect(percentile(ms, 99)).toBe(40);
    expect(percentile(ms, 100)).toBe(40);
    expect(percentile([250], 50)).toBe(250);
  });

  it('put requests that never finished last', () => {
    expect(percentile([10, Infinity, 20], 50)).toBe(20);
    expect(percentile([10, Infinity, 20], 99)).toBe(Infinity);
  });

  it('need something to measure and a percentile in range', () => {
    expect(percentile([], 50)).toBeUndefined();
    expect(summarize([])).toBeUndefined();
    expect(() => percentile([1], 0)).toThrow(RangeError);
    expect(() => percentile([1], 101)).toThrow(RangeError);
  });

  it('summarize p50/p90/p99/max over 100 requests', () => {
    const ms = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(summarize(ms)).toEqual({ count: 100, p50: 50, p90: 90, p99: 99, max: 100 });
  });
});

describe('percentiles read from a Cloud Monitoring distribution', () => {
  const lb = { kind: 'exponential', numFiniteBuckets: 66, growthFactor: 1.4, scale: 1 } as const;

  it('uses the API’s bucket numbering: underflow, finite buckets, overflow', () => {
    expect(bucketBounds(lb, 0)).toEqual([0, 1]);
    expect(bucketBounds(lb, 1)).toEqual([1, 1.4]);
    expect(bucketBounds(lb, 67)[1]).toBe(Infinity);
    expect(bucketBounds({ kind: 'explicit', bounds: [0, 100, 1000] }, 2)).toEqual([100, 1000]);
    expect(bucketBounds({ kind: 'linear', numFiniteBuckets: 10, width: 50, offset: 0 }, 3)).toEqual([100, 150]);
  });

  it('interpolate inside the bucket holding the rank, and say which bucket that is', () => {
    const d: LatencyDistribution = {
      count: 100,
      meanMs: 0,
      layout: { kind: 'explicit', bounds: [0, 100, 200, 1000] },
      bucketCounts: [0, 50, 40, 10, 0],
    };
    expect(distributionPercentile(d, 50)).toEqual({ valueMs: 100, lowMs: 0, highMs: 100 });
    expect(distributionPercentile(d, 70)).toEqual({ valueMs: 150, lowMs: 100, highMs: 200 });
    expect(distributionPercentile(d, 99)).toEqual({ valueMs: 920, lowMs: 200, highMs: 1000 });
    expect(distributionPercentile({ ...d, count: 0, bucketCounts: [0, 0, 0, 0, 0] }, 99)).toBeUndefined();
  });

  it('never invents a value past the last finite bucket', () => {
    const d: LatencyDistribution = {
      count: 2,
      meanMs: 0,
      layout: { kind: 'explicit', bounds: [0, 100] },
      bucketCounts: [0, 1, 1],
    };
    expect(distributionPercentile(d, 99)).toEqual({ valueMs: 100, lowMs: 100, highMs: Infinity });
  });
});
