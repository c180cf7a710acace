import { InvalidRequest, type ParsedFilter } from './filter.js';
import { LB_METRICS, LB_RESOURCE_TYPE } from './lb-metrics.js';
import { GCS_BUCKET_RESOURCE, STORAGE_METRICS } from './storage-metrics.js';

/**
 * The labels Cloud Monitoring defines for the load balancer's resource and metrics: a filter may name only these.
 * Resource: https://cloud.google.com/monitoring/api/resources#tag_https_lb_rule. Metrics:
 * https://cloud.google.com/monitoring/api/metrics_gcp#gcp-loadbalancing (`https/*`).
 */
export const RESOURCE_LABELS: Record<string, readonly string[]> = {
  [LB_RESOURCE_TYPE]: [
    'project_id',
    'region',
    'url_map_name',
    'forwarding_rule_name',
    'target_proxy_name',
    'matched_url_path_rule',
    'backend_target_name',
    'backend_target_type',
    'backend_name',
    'backend_type',
    'backend_scope',
    'backend_scope_type',
  ],
  // https://cloud.google.com/monitoring/api/resources#tag_gcs_bucket
  [GCS_BUCKET_RESOURCE]: ['project_id', 'bucket_name', 'location'],
};

const HTTPS_METRIC_LABELS = [
  'protocol',
  'response_code',
  'response_code_class',
  'proxy_continent',
  'cache_result',
  'client_country',
  'load_balancing_scheme',
] as const;

export const METRIC_LABELS: Record<string, readonly string[]> = {
  [LB_METRICS.totalLatencies]: HTTPS_METRIC_LABELS,
  [LB_METRICS.backendLatencies]: HTTPS_METRIC_LABELS,
  [LB_METRICS.requestCount]: HTTPS_METRIC_LABELS,
  [STORAGE_METRICS.objectCount]: ['storage_class'],
  [STORAGE_METRICS.totalBytes]: ['storage_class'],
};

/** The monitored resource types each metric is written against. */
export const METRIC_RESOURCE_TYPES: Record<string, readonly string[]> = {
  [LB_METRICS.totalLatencies]: [LB_RESOURCE_TYPE],
  [LB_METRICS.backendLatencies]: [LB_RESOURCE_TYPE],
  [LB_METRICS.requestCount]: [LB_RESOURCE_TYPE],
  [STORAGE_METRICS.objectCount]: [GCS_BUCKET_RESOURCE],
  [STORAGE_METRICS.totalBytes]: [GCS_BUCKET_RESOURCE],
};

/**
 * Refuses a filter that no series of its metric could match: a resource type the metric is not written against,
 * or a label neither the metric nor its resource defines. The API answers such a filter with 400
 * INVALID_ARGUMENT and this message (seen for metric/resource mismatches in
 * prometheus-community/stackdriver_exporter#104); it documents no separate answer for an unknown label, so the
 * stand-in gives the same one rather than an empty list that would hide a misspelt label.
 */
export function checkFilterAgainstDescriptors(filter: ParsedFilter): void {
  const metricLabels = METRIC_LABELS[filter.metricType];
  const resourceTypes = METRIC_RESOURCE_TYPES[filter.metricType];
  if (!metricLabels || !resourceTypes) return;
  const types = filter.resourceType ? [filter.resourceType] : resourceTypes;
  const valid =
    types.every((t) => resourceTypes.includes(t)) &&
    filter.labels.every(({ kind, key }) =>
      kind === 'metric' ? metricLabels.includes(key) : types.every((t) => RESOURCE_LABELS[t]?.includes(key)),
    );
  if (!valid) throw new InvalidRequest(NO_VALID_COMBINATION);
}

export const NO_VALID_COMBINATION =
  'The supplied filter does not specify a valid combination of metric and monitored resource descriptors. The query will not return any time series.';
