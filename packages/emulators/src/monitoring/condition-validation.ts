import { ApiError, invalidField } from './api-error.js';
import { durationSeconds } from './config-store.js';
import { comparisons } from './filter-grammar.js';
import { FilterError, labelSelector, parseFilter } from './filter.js';
import { ALIGNERS, alignedShape, metricDescriptor, monitoredResource, REDUCERS } from './metric-descriptors.js';

type Duration = { seconds?: string | number; nanos?: number };
export interface Aggregation {
  alignmentPeriod?: Duration;
  perSeriesAligner?: string;
  crossSeriesReducer?: string;
  groupByFields?: string[];
}

/** Metric types a project may define itself; the emulator cannot know them, so it takes them on trust. */
const USER_DEFINED =
  /^(custom\.googleapis\.com|external\.googleapis\.com|workload\.googleapis\.com|prometheus\.googleapis\.com|logging\.googleapis\.com\/user)\//;

/**
 * A condition's filter: parses (the full grammar), names exactly one metric type and, for alert conditions,
 * a resource type ("The filter must specify the metric type and the resource type", alert.proto); the metric
 * and resource must be real ones (metric-descriptors.ts), with the labels the filter names.
 */
export function checkConditionFilter(
  filter: string | undefined,
  field: string,
  opts: { requireResourceType: boolean },
) {
  if (!filter) throw new ApiError('INVALID_ARGUMENT', `Field ${field} is required`);
  if ([...filter].length > 2048) throw invalidField(field, filter, 'a filter may not exceed 2048 characters');
  let parsed;
  try {
    parsed = parseFilter(filter);
  } catch (err) {
    if (err instanceof FilterError) throw invalidField(field, filter, err.reason);
    throw err;
  }
  if (USER_DEFINED.test(parsed.metricType)) return { descriptor: undefined, parsed };
  const descriptor = metricDescriptor(parsed.metricType);
  if (!descriptor) throw invalidField(field, filter, `The metric type "${parsed.metricType}" does not exist`);
  if (opts.requireResourceType && !parsed.resourceType)
    throw invalidField(field, filter, 'the filter must specify the resource type: resource.type = "…"');
  if (parsed.resourceType && !descriptor.resourceTypes.includes(parsed.resourceType))
    throw invalidField(
      field,
      filter,
      `${parsed.metricType} is not written against resource type "${parsed.resourceType}" (it is: ${descriptor.resourceTypes.join(', ')})`,
    );
  const resource = parsed.resourceType ? monitoredResource(parsed.resourceType) : undefined;
  for (const c of comparisons(parsed.tree)) {
    const label = labelSelector(c.selector);
    if (!label) continue;
    const known = label.kind === 'metric' ? descriptor.labels : resource?.labels;
    if (known && !known.includes(label.key))
      throw invalidField(field, filter, `${parsed.metricType} has no ${label.kind} label "${label.key}"`);
  }
  return { descriptor, parsed };
}

/** Aggregations against the metric they apply to: aligner and reducer valid for its kind and value type. */
export function checkAggregations(
  aggregations: Aggregation[] | undefined,
  descriptor: ReturnType<typeof metricDescriptor>,
  field: string,
): void {
  let shape = descriptor ? { kind: descriptor.metricKind, value: descriptor.valueType } : undefined;
  (aggregations ?? []).forEach((a, i) => {
    const at = `${field}[${i}]`;
    const aligner = a.perSeriesAligner ?? 'ALIGN_NONE';
    const reducer = a.crossSeriesReducer ?? 'REDUCE_NONE';
    const period = durationSeconds(a.alignmentPeriod);
    if (aligner !== 'ALIGN_NONE' && !(period !== undefined && period >= 60 && period % 60 === 0))
      throw invalidField(
        `${at}.alignment_period`,
        a.alignmentPeriod ?? null,
        'an aligner needs an alignment period of whole minutes, at least 60s',
      );
    if (reducer !== 'REDUCE_NONE' && aligner === 'ALIGN_NONE')
      throw invalidField(
        `${at}.per_series_aligner`,
        aligner,
        `a cross-series reducer (${reducer}) requires a per-series aligner`,
      );
    for (const g of a.groupByFields ?? [])
      if (!labelSelector(g) && g !== 'resource.type' && g !== 'metric.type')
        throw invalidField(`${at}.group_by_fields`, g, 'expected metric.label.KEY or resource.label.KEY');
    if (!shape) return;
    const rule = ALIGNERS[aligner];
    if (!rule) throw invalidField(`${at}.per_series_aligner`, aligner, 'unknown aligner');
    if (!rule.kinds.includes(shape.kind) || !rule.values.includes(shape.value))
      throw invalidField(
        `${at}.per_series_aligner`,
        aligner,
        `${aligner} is not valid for a ${shape.kind} ${shape.value} metric (${descriptor?.type ?? 'the previous aggregation'})`,
      );
    shape = alignedShape(aligner, shape.kind, shape.value);
    const accepts = REDUCERS[reducer];
    if (!accepts) throw invalidField(`${at}.cross_series_reducer`, reducer, 'unknown reducer');
    if (!accepts.includes(shape.value))
      throw invalidField(`${at}.cross_series_reducer`, reducer, `${reducer} is not valid for ${shape.value} values`);
    if (/COUNT/.test(reducer)) shape = { ...shape, value: 'INT64' };
    else if (/PERCENTILE|MEAN|STDDEV|FRACTION/.test(reducer)) shape = { ...shape, value: 'DOUBLE' };
  });
}

const samePeriods = (a: Aggregation[] = [], b: Aggregation[] = []) =>
  a.length === b.length &&
  a.every(
    (x, i) =>
      durationSeconds(x.alignmentPeriod) === durationSeconds(b[i]!.alignmentPeriod) &&
      JSON.stringify([...(x.groupByFields ?? [])].sort()) === JSON.stringify([...(b[i]!.groupByFields ?? [])].sort()),
  );

interface Threshold {
  filter?: string;
  aggregations?: Aggregation[];
  denominatorFilter?: string;
  denominatorAggregations?: Aggregation[];
  comparison?: string;
  duration?: Duration;
}

/** MetricThreshold (alert.proto): filter, aggregations, optional ratio, comparison and a whole-minute duration. */
export function checkThreshold(t: Threshold, field: string): void {
  const { descriptor } = checkConditionFilter(t.filter, `${field}.filter`, { requireResourceType: true });
  checkAggregations(t.aggregations, descriptor, `${field}.aggregations`);
  if (t.denominatorFilter) {
    const denominator = checkConditionFilter(t.denominatorFilter, `${field}.denominator_filter`, {
      requireResourceType: false,
    });
    checkAggregations(t.denominatorAggregations, denominator.descriptor, `${field}.denominator_aggregations`);
    // "aggregations and denominator_aggregations must use the same alignment period and produce time series that
    // have the same periodicity and labels" (MetricThreshold.denominator_aggregations).
    if (!samePeriods(t.aggregations, t.denominatorAggregations))
      throw invalidField(
        `${field}.denominator_aggregations`,
        t.denominatorAggregations ?? [],
        'must use the same alignment periods and group-by fields as aggregations',
      );
  }
  // "Only COMPARISON_LT and COMPARISON_GT are supported currently" (MetricThreshold.comparison).
  if (t.comparison !== 'COMPARISON_GT' && t.comparison !== 'COMPARISON_LT')
    throw invalidField(
      `${field}.comparison`,
      t.comparison ?? 'COMPARISON_UNSPECIFIED',
      'only COMPARISON_GT and COMPARISON_LT are supported',
    );
  const seconds = durationSeconds(t.duration) ?? 0;
  if (seconds % 60 !== 0)
    throw invalidField(`${field}.duration`, t.duration, 'the duration must be a multiple of 60 seconds');
}

/** MetricAbsence (alert.proto): filter, aggregations, and a duration of at least 120 s, in whole minutes. */
export function checkAbsence(
  a: { filter?: string; aggregations?: Aggregation[]; duration?: Duration },
  field: string,
): void {
  const { descriptor } = checkConditionFilter(a.filter, `${field}.filter`, { requireResourceType: true });
  checkAggregations(a.aggregations, descriptor, `${field}.aggregations`);
  const seconds = durationSeconds(a.duration) ?? 0;
  if (seconds < 120 || seconds % 60 !== 0)
    throw invalidField(`${field}.duration`, a.duration ?? null, 'the duration must be at least 120s, in whole minutes');
}
