import type { MonitoringReader } from '../cloud/monitoring.js';
import { distributionPercentile, type BucketPercentile, type LatencyDistribution } from '../stats/distribution.js';

export const LB_METRIC_TYPES = {
  total: 'loadbalancing.googleapis.com/https/total_latencies',
  backend: 'loadbalancing.googleapis.com/https/backend_latencies',
  requests: 'loadbalancing.googleapis.com/https/request_count',
} as const;

/** Which load balancer: the `https_lb_rule` label values from `monitoring` in gwctl.yaml. */
export interface LbSelector {
  urlMaps: string[];
  forwardingRules: string[];
  /** Backend service names: the resource's `backend_target_name` label. */
  backendServices: string[];
}

export interface ServerLatency {
  requests: number;
  meanMs: number;
  p50?: BucketPercentile;
  p95?: BucketPercentile;
  p99?: BucketPercentile;
}

export interface MonitoringProbeResult {
  since: string;
  until: string;
  filter: string;
  /** LB's view: first request byte received → last response byte sent. */
  total?: ServerLatency;
  /** Backend's share: request sent to the gateway → its last response byte. */
  backend?: ServerLatency;
  /** Requests per `response_code_class` (`200`, `400`, `500`; `0` when no response was sent). */
  requestsByClass: Record<string, number>;
}

/**
 * The filter terms selecting the LB; each configured label narrows it further. The labels are the `https_lb_rule`
 * resource's own (https://cloud.google.com/monitoring/api/resources#tag_https_lb_rule): a backend service is its
 * `backend_target_name`.
 */
export function lbFilter(lb: LbSelector): string {
  const oneOf = (label: string, values: string[]) =>
    `resource.labels.${label} = one_of(${values.map((v) => JSON.stringify(v)).join(', ')})`;
  return [
    'resource.type = "https_lb_rule"',
    ...(lb.urlMaps.length ? [oneOf('url_map_name', lb.urlMaps)] : []),
    ...(lb.forwardingRules.length ? [oneOf('forwarding_rule_name', lb.forwardingRules)] : []),
    ...(lb.backendServices.length ? [oneOf('backend_target_name', lb.backendServices)] : []),
  ].join(' AND ');
}

/** Server-side latency percentiles and response classes for the window, so client timings can be split into LB and backend time. */
export async function probeMonitoring(
  reader: MonitoringReader,
  lb: LbSelector,
  window: { since: Date; until: Date },
): Promise<MonitoringProbeResult> {
  const filter = lbFilter(lb);
  const [total, backend, requestsByClass] = await Promise.all([
    reader.sumDistribution({ metricType: LB_METRIC_TYPES.total, filter, ...window }),
    reader.sumDistribution({ metricType: LB_METRIC_TYPES.backend, filter, ...window }),
    reader.sumByLabel({ metricType: LB_METRIC_TYPES.requests, filter, ...window, label: 'response_code_class' }),
  ]);
  return {
    since: window.since.toISOString(),
    until: window.until.toISOString(),
    filter,
    ...(total ? { total: serverLatency(total) } : {}),
    ...(backend ? { backend: serverLatency(backend) } : {}),
    requestsByClass,
  };
}

export function serverLatency(d: LatencyDistribution): ServerLatency {
  return {
    requests: d.count,
    meanMs: d.meanMs,
    p50: distributionPercentile(d, 50),
    p95: distributionPercentile(d, 95),
    p99: distributionPercentile(d, 99),
  };
}
