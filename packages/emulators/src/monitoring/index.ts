export {
  startMonitoringStandIn,
  type MonitoringStandIn,
  type MonitoringStandInOptions,
} from './monitoring-stand-in.js';
export { scenarioRequests, type LbTrafficScenario } from './scenario.js';
export { STORAGE_METRICS, type BucketUsage } from './storage-metrics.js';
