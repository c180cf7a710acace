/** The load balancer metrics gwctl reads, as Cloud Monitoring names and shapes them. */
export const LB_METRICS = {
  totalLatencies: 'loadbalancing.googleapis.com/https/total_latencies',
  backendLatencies: 'loadbalancing.googleapis.com/https/backend_latencies',
  requestCount: 'loadbalancing.googleapis.com/https/request_count',
} as const;

export const LB_RESOURCE_TYPE = 'https_lb_rule';

/** Bucket layout of the LB latency distributions (milliseconds): 66 finite buckets growing ×1.4 from 1 ms. */
export const LB_LATENCY_BUCKETS = { numFiniteBuckets: 66, growthFactor: 1.4, scale: 1 } as const;

/** Which load balancer the stand-in pretends to be: the `https_lb_rule` resource labels. */
export interface LbIdentity {
  projectId: string;
  urlMap: string;
  forwardingRule: string;
  targetProxy: string;
  /** The backend service, labelled `backend_target_name` (its `backend_target_type` is `BACKEND_SERVICE`). */
  backendService: string;
}

export const defaultLbIdentity = (projectId = 'gwctl-sandbox'): LbIdentity => ({
  projectId,
  urlMap: 'gateway-sandbox-lb',
  forwardingRule: 'gateway-sandbox-https',
  targetProxy: 'gateway-sandbox-https-proxy',
  backendService: 'gateway-sandbox-poweb',
});

/** One request in the LB's metrics. */
export interface LbRequest {
  time: Date;
  totalMs: number;
  /** Absent when the backend never answered (it then counts in total_latencies only). */
  backendMs?: number;
  /** 0 when the client got no response. */
  responseCode: number;
}

export interface DistributionValue {
  count: number;
  mean: number;
  sumOfSquaredDeviation: number;
  /** Underflow, the finite buckets, overflow: `numFiniteBuckets + 2` entries. */
  bucketCounts: number[];
}

export interface StoredPoint {
  startMs: number;
  endMs: number;
  value: number | DistributionValue;
}

export interface StoredSeries {
  metric: { type: string; labels: Record<string, string> };
  resource: { type: string; labels: Record<string, string> };
  /** DELTA unless said (the LB metrics are DELTA; storage usage is a GAUGE). */
  metricKind?: 'DELTA' | 'GAUGE';
  valueType: 'DISTRIBUTION' | 'INT64' | 'DOUBLE';
  unit: string;
  points: StoredPoint[];
}

/** Index of the exponential bucket holding `value`: 0 is underflow, N+1 overflow. */
export function exponentialBucketIndex(
  value: number,
  b: { numFiniteBuckets: number; growthFactor: number; scale: number } = LB_LATENCY_BUCKETS,
): number {
  if (value < b.scale) return 0;
  const i = Math.floor(Math.log(value / b.scale) / Math.log(b.growthFactor)) + 1;
  return Math.min(i, b.numFiniteBuckets + 1);
}

export function emptyDistribution(): DistributionValue {
  return {
    count: 0,
    mean: 0,
    sumOfSquaredDeviation: 0,
    bucketCounts: new Array<number>(LB_LATENCY_BUCKETS.numFiniteBuckets + 2).fill(0),
  };
}

/** Adds two distributions with the same buckets (Chan et al.'s parallel variance for the squared deviation). */
export function addDistributions(a: DistributionValue, b: DistributionValue): DistributionValue {
  const count = a.count + b.count;
  if (count === 0) return emptyDistribution();
  const delta = b.mean - a.mean;
  return {
    count,
    mean: a.mean + (delta * b.count) / count,
    sumOfSquaredDeviation:
      a.sumOfSquaredDeviation + b.sumOfSquaredDeviation + (delta * delta * a.count * b.count) / count,
    bucketCounts: a.bucketCounts.map((n, i) => n + (b.bucketCounts[i] ?? 0)),
  };
}

export function distributionOf(valueMs: number): DistributionValue {
  const d = emptyDistribution();
  d.count = 1;
  d.mean = valueMs;
  d.bucketCounts[exponentialBucketIndex(valueMs)] = 1;
  return d;
}

const MINUTE_MS = 60_000;

/**
 * Turns requests into the LB's three time series per response code, one DELTA point per minute as GCP
 * samples them. A point ends at its minute's last request rather than the minute's end, so a request just
 * served is visible at once (the real API shows it a few minutes later).
 */
export function lbSeries(requests: readonly LbRequest[], lb: LbIdentity): StoredSeries[] {
  const series = new Map<string, StoredSeries>();
  const points = new Map<string, StoredPoint>();
  const resource = {
    type: LB_RESOURCE_TYPE,
    labels: {
      project_id: lb.projectId,
      region: 'global',
      url_map_name: lb.urlMap,
      forwarding_rule_name: lb.forwardingRule,
      target_proxy_name: lb.targetProxy,
      backend_target_name: lb.backendService,
      backend_target_type: 'BACKEND_SERVICE',
      // GKE's container-native load balancing: a zonal NEG per zone.
      backend_name: `k8s1-${lb.backendService}-neg`,
      backend_type: 'NETWORK_ENDPOINT_GROUP',
      backend_scope: 'europe-west1-b',
      backend_scope_type: 'ZONE',
      matched_url_path_rule: 'UNMATCHED',
    },
  };
  const add = (type: string, valueType: StoredSeries['valueType'], r: LbRequest, value: number | DistributionValue) => {
    const labels = {
      response_code: String(r.responseCode),
      response_code_class: String(Math.floor(r.responseCode / 100) * 100),
      proxy_continent: 'Europe',
      client_country: 'United Kingdom',
      protocol: 'HTTP/1.1',
      cache_result: 'DISABLED',
    };
    const key = `${type}|${labels.response_code}`;
    let s = series.get(key);
    if (!s) {
      s = {
        metric: { type, labels },
        resource,
        valueType,
        unit: valueType === 'DISTRIBUTION' ? 'ms' : '1',
        points: [],
      };
      series.set(key, s);
    }
    const t = r.time.getTime();
    const minute = Math.floor(t / MINUTE_MS) * MINUTE_MS;
    const pointKey = `${key}|${minute}`;
    const point = points.get(pointKey);
    if (!point) {
      const fresh = { startMs: minute, endMs: t, value };
      points.set(pointKey, fresh);
      s.points.push(fresh);
      return;
    }
    point.endMs = Math.max(point.endMs, t);
    point.value =
      typeof value === 'number'
        ? (point.value as number) + value
        : addDistributions(point.value as DistributionValue, value);
  };
  for (const r of requests) {
    add(LB_METRICS.requestCount, 'INT64', r, 1);
    add(LB_METRICS.totalLatencies, 'DISTRIBUTION', r, distributionOf(r.totalMs));
    if (r.backendMs !== undefined) add(LB_METRICS.backendLatencies, 'DISTRIBUTION', r, distributionOf(r.backendMs));
  }
  return [...series.values()];
}
