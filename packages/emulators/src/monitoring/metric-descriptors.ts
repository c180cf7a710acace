/**
 * The metric types and monitored resources the emulator knows, as Google documents them. An alert condition
 * naming another metric type is refused like a misspelt one: every entry here is a real metric, with its page.
 */
export type MetricKind = 'GAUGE' | 'DELTA' | 'CUMULATIVE';
export type ValueType = 'BOOL' | 'INT64' | 'DOUBLE' | 'DISTRIBUTION';

export interface MetricDescriptorEntry {
  type: string;
  metricKind: MetricKind;
  valueType: ValueType;
  unit: string;
  /** Monitored resource types the metric is written against. */
  resourceTypes: string[];
  labels: string[];
  /** Where Google documents it. */
  doc: string;
}

export interface MonitoredResourceEntry {
  type: string;
  labels: string[];
  doc: string;
}

// https/* metric labels: https://cloud.google.com/monitoring/api/metrics_gcp#gcp-loadbalancing
const LB_DOC = 'https://cloud.google.com/load-balancing/docs/metrics';
const LB_LABELS = [
  'protocol',
  'response_code',
  'response_code_class',
  'proxy_continent',
  'cache_result',
  'load_balancing_scheme',
];

export const METRIC_DESCRIPTORS: MetricDescriptorEntry[] = [
  {
    type: 'loadbalancing.googleapis.com/https/total_latencies',
    metricKind: 'DELTA',
    valueType: 'DISTRIBUTION',
    unit: 'ms',
    resourceTypes: ['https_lb_rule'],
    labels: [...LB_LABELS, 'client_country'],
    doc: LB_DOC,
  },
  {
    type: 'loadbalancing.googleapis.com/https/backend_latencies',
    metricKind: 'DELTA',
    valueType: 'DISTRIBUTION',
    unit: 'ms',
    resourceTypes: ['https_lb_rule'],
    labels: LB_LABELS,
    doc: LB_DOC,
  },
  {
    type: 'loadbalancing.googleapis.com/https/request_count',
    metricKind: 'DELTA',
    valueType: 'INT64',
    unit: '1',
    resourceTypes: ['https_lb_rule'],
    labels: [...LB_LABELS, 'client_country'],
    doc: LB_DOC,
  },
  {
    type: 'loadbalancing.googleapis.com/https/backend_request_count',
    metricKind: 'DELTA',
    valueType: 'INT64',
    unit: '1',
    resourceTypes: ['https_lb_rule'],
    labels: LB_LABELS,
    doc: LB_DOC,
  },
  {
    type: 'monitoring.googleapis.com/uptime_check/check_passed',
    metricKind: 'GAUGE',
    valueType: 'BOOL',
    unit: '',
    resourceTypes: ['uptime_url', 'gce_instance', 'gae_app', 'k8s_service', 'cloud_run_revision'],
    labels: ['check_id', 'checker_location', 'checked_resource_id'],
    doc: 'https://cloud.google.com/monitoring/api/metrics_gcp#gcp-monitoring',
  },
  {
    type: 'monitoring.googleapis.com/uptime_check/request_latency',
    metricKind: 'GAUGE',
    valueType: 'DOUBLE',
    unit: 'ms',
    resourceTypes: ['uptime_url', 'gce_instance', 'gae_app', 'k8s_service', 'cloud_run_revision'],
    labels: ['check_id', 'checker_location', 'checked_resource_id'],
    doc: 'https://cloud.google.com/monitoring/api/metrics_gcp#gcp-monitoring',
  },
  {
    type: 'kubernetes.io/container/restart_count',
    metricKind: 'CUMULATIVE',
    valueType: 'INT64',
    unit: '1',
    resourceTypes: ['k8s_container'],
    labels: [],
    doc: 'https://cloud.google.com/monitoring/api/metrics_kubernetes',
  },
  {
    type: 'kubernetes.io/container/uptime',
    metricKind: 'GAUGE',
    valueType: 'DOUBLE',
    unit: 's',
    resourceTypes: ['k8s_container'],
    labels: [],
    doc: 'https://cloud.google.com/monitoring/api/metrics_kubernetes',
  },
  {
    type: 'storage.googleapis.com/api/request_count',
    metricKind: 'DELTA',
    valueType: 'INT64',
    unit: '1',
    resourceTypes: ['gcs_bucket'],
    labels: ['response_code', 'method'],
    doc: 'https://cloud.google.com/monitoring/api/metrics_gcp#gcp-storage',
  },
  {
    type: 'storage.googleapis.com/storage/object_count',
    metricKind: 'GAUGE',
    valueType: 'INT64',
    unit: '1',
    resourceTypes: ['gcs_bucket'],
    labels: ['storage_class'],
    doc: 'https://cloud.google.com/monitoring/api/metrics_gcp#gcp-storage',
  },
  {
    type: 'storage.googleapis.com/storage/total_bytes',
    metricKind: 'GAUGE',
    valueType: 'DOUBLE',
    unit: 'By',
    resourceTypes: ['gcs_bucket'],
    labels: ['storage_class'],
    doc: 'https://cloud.google.com/monitoring/api/metrics_gcp#gcp-storage',
  },
];

export const MONITORED_RESOURCES: MonitoredResourceEntry[] = [
  {
    type: 'https_lb_rule',
    labels: [
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
    doc: 'https://cloud.google.com/monitoring/api/resources#tag_https_lb_rule',
  },
  {
    type: 'uptime_url',
    labels: ['project_id', 'host'],
    doc: 'https://cloud.google.com/monitoring/api/resources#tag_uptime_url',
  },
  {
    type: 'k8s_container',
    labels: ['project_id', 'location', 'cluster_name', 'namespace_name', 'pod_name', 'container_name'],
    doc: 'https://cloud.google.com/monitoring/api/resources#tag_k8s_container',
  },
  {
    type: 'gcs_bucket',
    labels: ['project_id', 'bucket_name', 'location'],
    doc: 'https://cloud.google.com/monitoring/api/resources#tag_gcs_bucket',
  },
  {
    type: 'gce_instance',
    labels: ['project_id', 'instance_id', 'zone'],
    doc: 'https://cloud.google.com/monitoring/api/resources#tag_gce_instance',
  },
  {
    type: 'gae_app',
    labels: ['project_id', 'module_id', 'version_id', 'zone'],
    doc: 'https://cloud.google.com/monitoring/api/resources#tag_gae_app',
  },
  {
    type: 'k8s_service',
    labels: ['project_id', 'location', 'cluster_name', 'namespace_name', 'service_name'],
    doc: 'https://cloud.google.com/monitoring/api/resources#tag_k8s_service',
  },
  {
    type: 'cloud_run_revision',
    labels: ['project_id', 'service_name', 'revision_name', 'location', 'configuration_name'],
    doc: 'https://cloud.google.com/monitoring/api/resources#tag_cloud_run_revision',
  },
];

const byType = new Map(METRIC_DESCRIPTORS.map((d) => [d.type, d]));
const resourcesByType = new Map(MONITORED_RESOURCES.map((r) => [r.type, r]));

export const metricDescriptor = (type: string) => byType.get(type);
export const monitoredResource = (type: string) => resourcesByType.get(type);

/**
 * Aligners and the metrics they accept, from the `Aggregation.Aligner` comments in
 * google/monitoring/v3/common.proto (e.g. ALIGN_PERCENTILE_99: "valid for GAUGE and DELTA metrics with
 * distribution values"; ALIGN_NEXT_OLDER: "valid for GAUGE metrics").
 */
const NUMERIC: ValueType[] = ['INT64', 'DOUBLE'];
export const ALIGNERS: Record<string, { kinds: MetricKind[]; values: ValueType[] }> = {
  ALIGN_NONE: { kinds: ['GAUGE', 'DELTA', 'CUMULATIVE'], values: ['BOOL', 'INT64', 'DOUBLE', 'DISTRIBUTION'] },
  ALIGN_DELTA: { kinds: ['CUMULATIVE', 'DELTA'], values: ['INT64', 'DOUBLE', 'DISTRIBUTION'] },
  ALIGN_RATE: { kinds: ['CUMULATIVE', 'DELTA'], values: NUMERIC },
  ALIGN_INTERPOLATE: { kinds: ['GAUGE'], values: NUMERIC },
  ALIGN_NEXT_OLDER: { kinds: ['GAUGE'], values: ['BOOL', 'INT64', 'DOUBLE', 'DISTRIBUTION'] },
  ALIGN_MIN: { kinds: ['GAUGE', 'DELTA'], values: NUMERIC },
  ALIGN_MAX: { kinds: ['GAUGE', 'DELTA'], values: NUMERIC },
  ALIGN_MEAN: { kinds: ['GAUGE', 'DELTA'], values: NUMERIC },
  ALIGN_COUNT: { kinds: ['GAUGE', 'DELTA'], values: ['INT64', 'DOUBLE', 'BOOL'] },
  ALIGN_SUM: { kinds: ['GAUGE', 'DELTA'], values: ['INT64', 'DOUBLE', 'DISTRIBUTION'] },
  ALIGN_STDDEV: { kinds: ['GAUGE', 'DELTA'], values: NUMERIC },
  ALIGN_COUNT_TRUE: { kinds: ['GAUGE'], values: ['BOOL'] },
  ALIGN_COUNT_FALSE: { kinds: ['GAUGE'], values: ['BOOL'] },
  ALIGN_FRACTION_TRUE: { kinds: ['GAUGE'], values: ['BOOL'] },
  ALIGN_PERCENTILE_99: { kinds: ['GAUGE', 'DELTA'], values: ['DISTRIBUTION'] },
  ALIGN_PERCENTILE_95: { kinds: ['GAUGE', 'DELTA'], values: ['DISTRIBUTION'] },
  ALIGN_PERCENTILE_50: { kinds: ['GAUGE', 'DELTA'], values: ['DISTRIBUTION'] },
  ALIGN_PERCENTILE_05: { kinds: ['GAUGE', 'DELTA'], values: ['DISTRIBUTION'] },
  ALIGN_PERCENT_CHANGE: { kinds: ['GAUGE'], values: NUMERIC },
};

/** What an aligner turns a metric into (kind, value type), so the reducer after it can be checked. */
export function alignedShape(
  aligner: string,
  kind: MetricKind,
  value: ValueType,
): { kind: MetricKind; value: ValueType } {
  if (aligner === 'ALIGN_NONE') return { kind, value };
  if (/^ALIGN_(PERCENTILE_|MEAN|STDDEV|RATE|FRACTION_TRUE|PERCENT_CHANGE|INTERPOLATE)/.test(aligner))
    return { kind: 'GAUGE', value: 'DOUBLE' };
  if (/^ALIGN_COUNT/.test(aligner)) return { kind: 'GAUGE', value: 'INT64' };
  return { kind: aligner === 'ALIGN_DELTA' ? 'DELTA' : kind, value };
}

/**
 * Reducers and the value types they accept, from the `Aggregation.Reducer` comments in common.proto
 * (REDUCE_COUNT_FALSE: "valid for GAUGE metrics with Boolean values"; REDUCE_PERCENTILE_99: "numeric and
 * distribution values").
 */
export const REDUCERS: Record<string, ValueType[]> = {
  REDUCE_NONE: ['BOOL', 'INT64', 'DOUBLE', 'DISTRIBUTION'],
  REDUCE_MEAN: ['INT64', 'DOUBLE', 'DISTRIBUTION'],
  REDUCE_MIN: NUMERIC,
  REDUCE_MAX: NUMERIC,
  REDUCE_SUM: ['INT64', 'DOUBLE', 'DISTRIBUTION'],
  REDUCE_STDDEV: ['INT64', 'DOUBLE', 'DISTRIBUTION'],
  REDUCE_COUNT: ['BOOL', 'INT64', 'DOUBLE', 'DISTRIBUTION'],
  REDUCE_COUNT_TRUE: ['BOOL'],
  REDUCE_COUNT_FALSE: ['BOOL'],
  REDUCE_FRACTION_TRUE: ['BOOL'],
  REDUCE_PERCENTILE_99: ['INT64', 'DOUBLE', 'DISTRIBUTION'],
  REDUCE_PERCENTILE_95: ['INT64', 'DOUBLE', 'DISTRIBUTION'],
  REDUCE_PERCENTILE_50: ['INT64', 'DOUBLE', 'DISTRIBUTION'],
  REDUCE_PERCENTILE_05: ['INT64', 'DOUBLE', 'DISTRIBUTION'],
};

/**
 * `MetricService.GetMetricDescriptor` (https://cloud.google.com/monitoring/api/ref_v3/rest/v3/projects.metricDescriptors/get):
 * `projects/{project}/metricDescriptors/{metric type}`, the type keeping its slashes, answered with the
 * MetricDescriptor of google/api/metric.proto; a type the emulator does not know is NOT_FOUND.
 */
export function getMetricDescriptor(name: string): Record<string, unknown> | undefined {
  const m = /^projects\/[^/]+\/metricDescriptors\/(.+)$/.exec(name);
  const d = m ? metricDescriptor(m[1]!) : undefined;
  if (!d) return undefined;
  return {
    name,
    type: d.type,
    metricKind: d.metricKind,
    valueType: d.valueType,
    unit: d.unit,
    labels: d.labels.map((key) => ({ key, valueType: 'STRING' })),
    monitoredResourceTypes: d.resourceTypes,
    description: `See ${d.doc}`,
    displayName: d.type.slice(d.type.lastIndexOf('/') + 1),
    launchStage: 'GA',
  };
}
