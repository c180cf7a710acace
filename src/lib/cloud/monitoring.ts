import type { Environment } from '../config/schema.js';
import { UsageError } from '../errors/gwctl-error.js';
import { authOptions } from './google-auth.js';
import { refuseRealCloudForSandbox } from './sandbox-guard.js';
import { mergeDistributions, type BucketLayout, type LatencyDistribution } from '../stats/distribution.js';

export interface MetricQuery {
  metricType: string;
  /** Further filter terms, AND-ed after `metric.type` (e.g. `resource.labels.url_map_name = one_of("lb")`). */
  filter: string;
  since: Date;
  until: Date;
}

/** What gwctl reads from Cloud Monitoring; no SDK type leaks out. */
export interface MonitoringReader {
  /** A DELTA distribution metric summed over every matching series and the whole window; undefined when no data. */
  sumDistribution(q: MetricQuery): Promise<LatencyDistribution | undefined>;
  /** A DELTA INT64 metric summed over the window, per value of one metric label. */
  sumByLabel(q: MetricQuery & { label: string }): Promise<Record<string, number>>;
  /** A GAUGE's newest point per series, summed per value of one resource label (e.g. `bucket_name`). */
  latestByResourceLabel(q: MetricQuery & { label: string }): Promise<Record<string, number>>;
  close(): Promise<void>;
}

/**
 * A Cloud Monitoring reader for the environment: Application Default Credentials, or the environment's
 * emulator (`emulators.monitoring`, host:port) over insecure gRPC without auth. The SDK is loaded here, on use.
 *
 * Percentiles are computed from the summed distribution rather than asked of the API (REDUCE_PERCENTILE_*):
 * one call per metric gives every percentile, and the bucket bounds say how precise each one is.
 */
export async function openMonitoring(env: Environment): Promise<MonitoringReader> {
  const { MetricServiceClient } = await import('@google-cloud/monitoring');
  const client = new MetricServiceClient(await clientOptions(env));
  // Build the stub now (it parses the API's protos, blocking for a moment) rather than during the first query,
  // when other probes may be timing requests in this process.
  await client.initialize();

  /** `groupByFields` undefined: the raw points, newest first (no aligner). */
  const list = async (q: MetricQuery, groupByFields: string[] | undefined) => {
    const periodSeconds = Math.max(60, Math.ceil((q.until.getTime() - q.since.getTime()) / 1000));
    const [series] = await client
      .listTimeSeries(
        {
          name: `projects/${env.project}`,
          filter: [`metric.type = "${q.metricType}"`, q.filter].filter(Boolean).join(' AND '),
          interval: { startTime: timestamp(q.since), endTime: timestamp(q.until) },
          // One window covering the whole range, every series summed (per label when grouping).
          ...(groupByFields
            ? {
                aggregation: {
                  alignmentPeriod: { seconds: periodSeconds },
                  perSeriesAligner: 'ALIGN_DELTA',
                  crossSeriesReducer: 'REDUCE_SUM',
                  groupByFields,
                },
              }
            : {}),
          view: 'FULL',
        },
        CALL_OPTIONS,
      )
      .catch((err: unknown) => {
        throw new Error(describeApiError(err), { cause: err });
      });
    return series;
  };

  return {
    async sumDistribution(q) {
      let total: LatencyDistribution | undefined;
      for (const s of await list(q, [])) {
        for (const point of s.points ?? []) {
          const d = toDistribution(point.value?.distributionValue);
          if (d) total = total ? mergeDistributions(total, d) : d;
        }
      }
      return total;
    },
    async sumByLabel(q) {
      const counts: Record<string, number> = {};
      for (const s of await list(q, [`metric.label.${q.label}`])) {
        const key = String(s.metric?.labels?.[q.label] ?? '');
        for (const point of s.points ?? []) counts[key] = (counts[key] ?? 0) + Number(point.value?.int64Value ?? 0);
      }
      return counts;
    },
    async latestByResourceLabel(q) {
      const out: Record<string, number> = {};
      for (const s of await list(q, undefined)) {
        const key = String(s.resource?.labels?.[q.label] ?? '');
        const v = s.points?.[0]?.value;
        if (v) out[key] = (out[key] ?? 0) + Number(v.int64Value ?? v.doubleValue ?? 0);
      }
      return out;
    },
    close: () => client.close(),
  };
}

/** The library's defaults retry UNAVAILABLE for up to 10 minutes; an operator waiting on a report wants the reason sooner. */
const CALL_OPTIONS = { timeout: 30_000, maxRetries: 2 };

type Numberish = number | string | { toString(): string } | null | undefined;

interface SdkDistribution {
  count?: Numberish;
  mean?: number | null;
  bucketOptions?: {
    exponentialBuckets?: {
      numFiniteBuckets?: number | null;
      growthFactor?: number | null;
      scale?: number | null;
    } | null;
    linearBuckets?: { numFiniteBuckets?: number | null; width?: number | null; offset?: number | null } | null;
    explicitBuckets?: { bounds?: number[] | null } | null;
  } | null;
  bucketCounts?: Numberish[] | null;
}

function toDistribution(d: SdkDistribution | null | undefined): LatencyDistribution | undefined {
  if (!d) return undefined;
  const layout = toLayout(d.bucketOptions);
  if (!layout) return undefined;
  return {
    count: Number(d.count ?? 0),
    meanMs: d.mean ?? 0,
    layout,
    bucketCounts: (d.bucketCounts ?? []).map((n) => Number(n ?? 0)),
  };
}

function toLayout(o: SdkDistribution['bucketOptions']): BucketLayout | undefined {
  if (o?.exponentialBuckets) {
    const e = o.exponentialBuckets;
    return {
      kind: 'exponential',
      numFiniteBuckets: e.numFiniteBuckets ?? 0,
      growthFactor: e.growthFactor ?? 2,
      scale: e.scale ?? 1,
    };
  }
  if (o?.linearBuckets) {
    const l = o.linearBuckets;
    return { kind: 'linear', numFiniteBuckets: l.numFiniteBuckets ?? 0, width: l.width ?? 1, offset: l.offset ?? 0 };
  }
  if (o?.explicitBuckets) return { kind: 'explicit', bounds: o.explicitBuckets.bounds ?? [] };
  return undefined;
}

/**
 * gax wraps gRPC errors in retry summaries that repeat themselves; keep the status and the first cause.
 * "… 14 UNAVAILABLE: No connection established. Last error: Error: connect ECONNREFUSED … Resolution note: …" →
 * "UNAVAILABLE: connect ECONNREFUSED …".
 */
export function describeApiError(err: unknown, needs = 'roles/monitoring.viewer on the project'): string {
  const text = String((err as Error)?.message ?? err);
  const status = /\b\d+ ([A-Z_]{4,}): ?(.*?)(?= : Previous errors|$)/s.exec(text);
  if (!status) return text.split('\n')[0]!;
  const [, code, rest] = status as unknown as [string, string, string];
  const cause = /Last error: (?:Error: )?(.*?)\.? ?Resolution note/s.exec(rest)?.[1] ?? rest.trim();
  const hint =
    code === 'PERMISSION_DENIED'
      ? `; the caller needs ${needs}`
      : code === 'UNAUTHENTICATED'
        ? '; run `gcloud auth application-default login` or set GOOGLE_APPLICATION_CREDENTIALS'
        : '';
  return `${code}: ${cause.split('\n')[0]}${hint}`;
}

/**
 * Client options for the environment: Application Default Credentials, or its emulator (`emulators.monitoring`,
 * host:port) over insecure gRPC without auth.
 */
export async function clientOptions(env: Environment) {
  const emulator = env.emulators?.monitoring;
  if (!emulator) {
    refuseRealCloudForSandbox(env, 'Cloud Monitoring');
    return { projectId: env.project, ...(await authOptions(env)) };
  }
  const grpc = await import('@grpc/grpc-js');
  const { host, port } = splitHostPort(emulator);
  // universeDomain given up front: otherwise the auth library probes for credentials it does not need here.
  return {
    servicePath: host,
    apiEndpoint: host,
    port,
    sslCreds: grpc.credentials.createInsecure(),
    projectId: env.project,
    universeDomain: 'googleapis.com',
  };
}

export const timestamp = (d: Date) => ({ seconds: Math.floor(d.getTime() / 1000), nanos: (d.getTime() % 1000) * 1e6 });

/** An emulator's `host:port` (gRPC, insecure), as `emulators.<field>` gives it. */
export function splitHostPort(address: string, field = 'monitoring'): { host: string; port: number } {
  const m = /^(?:https?:\/\/)?\[?([^\]]+?)\]?:(\d+)\/?$/.exec(address.trim());
  if (!m) throw new UsageError(`emulators.${field} must be host:port, got "${address}"`);
  return { host: m[1]!, port: Number(m[2]) };
}
