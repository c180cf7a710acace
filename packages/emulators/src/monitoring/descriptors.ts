import { InvalidRequest, type ParsedFilter } from './filter.js';
import { metricDescriptor, monitoredResource } from './metric-descriptors.js';

/**
 * Refuses a filter that no series of its metric could match: a resource type the metric is not written against,
 * or a label neither the metric nor its resource defines (the labels are metric-descriptors.ts's, from Google's
 * pages). The API answers such a filter with 400 INVALID_ARGUMENT and this message (seen for metric/resource
 * mismatches in prometheus-community/stackdriver_exporter#104); it documents no separate answer for an unknown
 * label, so the stand-in gives the same one rather than an empty list that would hide a misspelt label.
 */
export function checkFilterAgainstDescriptors(filter: ParsedFilter): void {
  const descriptor = metricDescriptor(filter.metricType);
  if (!descriptor) return;
  const types = filter.resourceType ? [filter.resourceType] : descriptor.resourceTypes;
  const valid =
    types.every((t) => descriptor.resourceTypes.includes(t)) &&
    filter.labels.every(({ kind, key }) =>
      kind === 'metric'
        ? descriptor.labels.includes(key)
        : types.every((t) => monitoredResource(t)?.labels.includes(key)),
    );
  if (!valid) throw new InvalidRequest(NO_VALID_COMBINATION);
}

export const NO_VALID_COMBINATION =
  'The supplied filter does not specify a valid combination of metric and monitored resource descriptors. The query will not return any time series.';
