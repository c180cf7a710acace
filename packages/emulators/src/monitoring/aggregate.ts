import { addDistributions, type DistributionValue, type StoredPoint, type StoredSeries } from './lb-metrics.js';

/** A request the stand-in refuses, with the gRPC status the real API would use. */
export class AggregationError extends Error {
  constructor(
    readonly code: 'INVALID_ARGUMENT' | 'UNIMPLEMENTED',
    message: string,
  ) {
    super(message);
  }
}

export interface AggregationRequest {
  alignmentPeriodMs?: number;
  perSeriesAligner?: string;
  crossSeriesReducer?: string;
  groupByFields?: string[];
}

const SUMMING_ALIGNERS = new Set(['ALIGN_DELTA', 'ALIGN_SUM']);

/**
 * `ListTimeSeries`'s interval, aligner and reducer over DELTA series: the aligners and reducers that
 * keep distributions whole (ALIGN_DELTA/ALIGN_SUM, REDUCE_SUM). Others are refused, not approximated.
 */
export function aggregate(
  series: StoredSeries[],
  interval: { startMs: number; endMs: number },
  agg: AggregationRequest,
): StoredSeries[] {
  const aligner = agg.perSeriesAligner ?? 'ALIGN_NONE';
  const reducer = agg.crossSeriesReducer ?? 'REDUCE_NONE';
  if (aligner !== 'ALIGN_NONE' && !SUMMING_ALIGNERS.has(aligner))
    throw new AggregationError('UNIMPLEMENTED', `the stand-in does not implement ${aligner}`);
  if (reducer !== 'REDUCE_NONE' && reducer !== 'REDUCE_SUM')
    throw new AggregationError('UNIMPLEMENTED', `the stand-in does not implement ${reducer}`);
  // ALIGN_DELTA and ALIGN_SUM are for DELTA (and CUMULATIVE) metrics (Aggregation.Aligner, common.proto).
  if (aligner !== 'ALIGN_NONE' && series.some((s) => s.metricKind === 'GAUGE' && s.valueType === 'BOOL'))
    throw new AggregationError('INVALID_ARGUMENT', `${aligner} is not valid for a GAUGE BOOL metric`);
  if (reducer !== 'REDUCE_NONE' && aligner === 'ALIGN_NONE')
    throw new AggregationError('INVALID_ARGUMENT', 'a cross-series reducer requires a per-series aligner');
  if (aligner !== 'ALIGN_NONE' && !((agg.alignmentPeriodMs ?? 0) >= 60_000))
    throw new AggregationError('INVALID_ARGUMENT', 'the alignment period must be at least 60 seconds');

  const inInterval = series
    .map((s) => ({ ...s, points: s.points.filter((p) => p.endMs > interval.startMs && p.endMs <= interval.endMs) }))
    .filter((s) => s.points.length > 0);
  const aligned =
    aligner === 'ALIGN_NONE'
      ? inInterval
      : inInterval.map((s) => ({ ...s, points: align(s.points, interval.endMs, agg.alignmentPeriodMs!) }));
  const reduced = reducer === 'REDUCE_NONE' ? aligned : sumAcross(aligned, agg.groupByFields ?? []);
  // The API lists points newest first.
  return reduced.map((s) => ({ ...s, points: [...s.points].sort((a, b) => b.endMs - a.endMs) }));
}

/** Sums points into periods counted back from the interval's end. */
function align(points: StoredPoint[], endMs: number, periodMs: number): StoredPoint[] {
  const windows = new Map<number, StoredPoint>();
  for (const p of points) {
    const k = Math.floor((endMs - p.endMs) / periodMs);
    const existing = windows.get(k);
    if (existing) existing.value = add(existing.value, p.value);
    else windows.set(k, { startMs: endMs - (k + 1) * periodMs, endMs: endMs - k * periodMs, value: p.value });
  }
  return [...windows.values()];
}

function sumAcross(series: StoredSeries[], groupBy: string[]): StoredSeries[] {
  const groups = new Map<string, StoredSeries>();
  for (const s of series) {
    const kept = keptLabels(s, groupBy);
    const key = JSON.stringify(kept);
    let group = groups.get(key);
    if (!group) {
      group = {
        ...s,
        metric: { type: s.metric.type, labels: kept.metric },
        resource: { type: s.resource.type, labels: kept.resource },
        points: [],
      };
      groups.set(key, group);
    }
    for (const p of s.points) {
      const same = group.points.find((q) => q.endMs === p.endMs);
      if (same) same.value = add(same.value, p.value);
      else group.points.push({ ...p });
    }
  }
  return [...groups.values()];
}

function keptLabels(s: StoredSeries, groupBy: string[]) {
  const metric: Record<string, string> = {};
  const resource: Record<string, string> = {};
  for (const field of groupBy) {
    const m = /^(metric|resource)\.labels?\.([A-Za-z0-9_]+)$/.exec(field);
    if (!m) continue;
    const [, kind, key] = m as unknown as [string, 'metric' | 'resource', string];
    const value = s[kind].labels[key];
    if (value !== undefined) (kind === 'metric' ? metric : resource)[key] = value;
  }
  return { metric, resource };
}

const add = (a: StoredPoint['value'], b: StoredPoint['value']) =>
  typeof a === 'object' ? addDistributions(a, b as DistributionValue) : (a as number) + (b as number);
