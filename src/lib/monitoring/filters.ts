import type { Environment } from '../config/schema.js';

/** Monitoring filter literals (https://cloud.google.com/monitoring/api/v3/filters): double-quoted, escaped. */
export const quote = (s: string) => JSON.stringify(s);
export const oneOf = (values: string[]) => `one_of(${values.map(quote).join(', ')})`;
export const and = (...terms: (string | false | undefined)[]) => terms.filter(Boolean).join(' AND ');

export const LB_TOTAL_LATENCIES = 'loadbalancing.googleapis.com/https/total_latencies';
export const LB_REQUEST_COUNT = 'loadbalancing.googleapis.com/https/request_count';
export const UPTIME_CHECK_PASSED = 'monitoring.googleapis.com/uptime_check/check_passed';
export const CONTAINER_RESTARTS = 'kubernetes.io/container/restart_count';
export const CONTAINER_UPTIME = 'kubernetes.io/container/uptime';
export const GCS_REQUEST_COUNT = 'storage.googleapis.com/api/request_count';

const metric = (type: string, resource: string) =>
  `metric.type = ${quote(type)} AND resource.type = ${quote(resource)}`;

/** The gateway's load balancer (`https_lb_rule`), narrowed to the configured URL maps and forwarding rules. */
export function lbFilter(env: Environment, type: string, backend?: string, ...more: string[]): string {
  const m = env.monitoring;
  return and(
    metric(type, 'https_lb_rule'),
    m.urlMaps.length > 0 && `resource.labels.url_map_name = ${oneOf(m.urlMaps)}`,
    m.forwardingRules.length > 0 && `resource.labels.forwarding_rule_name = ${oneOf(m.forwardingRules)}`,
    // GKE names a backend service after the Kubernetes Service (k8s1-…-default-public-gateway-poweb-80-…).
    backend && `resource.labels.backend_target_name = has_substring(${quote(backend)})`,
    ...more,
  );
}

/** Pods of a Deployment (`k8s_container`): their names start with the Deployment's name and a dash. */
export const containerFilter = (env: Environment, type: string, deployment: string) =>
  and(
    metric(type, 'k8s_container'),
    `resource.labels.namespace_name = ${quote(env.kube.namespace)}`,
    `resource.labels.pod_name = starts_with(${quote(`${deployment}-`)})`,
  );

export const uptimeFilter = (checkId: string) =>
  and(metric(UPTIME_CHECK_PASSED, 'uptime_url'), `metric.labels.check_id = ${quote(checkId)}`);

export const bucketWritesFilter = (bucket: string) =>
  and(
    metric(GCS_REQUEST_COUNT, 'gcs_bucket'),
    `resource.labels.bucket_name = ${quote(bucket)}`,
    'metric.labels.method = "WriteObject"',
    'metric.labels.response_code = "OK"',
  );
