export {
  startMonitoringStandIn,
  type MonitoringSeed,
  type MonitoringStandIn,
  type MonitoringStandInOptions,
} from './monitoring-stand-in.js';
export { scenarioRequests, type LbTrafficScenario } from './scenario.js';
export { parseFilter, FilterError, type ParsedFilter } from './filter.js';
export { checkConditionFilter } from './condition-validation.js';
export {
  METRIC_DESCRIPTORS,
  MONITORED_RESOURCES,
  metricDescriptor,
  type MetricDescriptorEntry,
} from './metric-descriptors.js';
export type { AlertPolicy } from './alert-policies.js';
export type { NotificationChannel } from './notification-channels.js';
export { STORAGE_METRICS, type BucketUsage } from './storage-metrics.js';
