import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as grpc from '@grpc/grpc-js';
import { fromJSON } from '@grpc/proto-loader';
import { aggregate, AggregationError } from './aggregate.js';
import { checkFilterAgainstDescriptors } from './descriptors.js';
import { InvalidRequest, parseFilter } from './filter.js';
import {
  defaultLbIdentity,
  LB_LATENCY_BUCKETS,
  lbSeries,
  type DistributionValue,
  type LbIdentity,
  type LbRequest,
  type StoredSeries,
} from './lb-metrics.js';
import { scenarioRequests, type LbTrafficScenario } from './scenario.js';
import { storageSeries, type BucketUsage, type StorageMeasurement } from './storage-metrics.js';

export interface MonitoringStandInOptions {
  lb?: Partial<LbIdentity>;
  scenario?: LbTrafficScenario;
  /** Cloud Storage usage to report: measured at start and every `measureEveryMs` (Google measures daily; default 1 day). */
  storage?: { project: string; measure: () => BucketUsage[]; measureEveryMs?: number };
}

export interface MonitoringStandIn {
  /** host:port of an insecure gRPC endpoint, as `env.emulators.monitoring`. */
  address: string;
  port: number;
  lb: LbIdentity;
  /** A request the LB served (the PoWeb stand-in feeds these in). */
  record(request: LbRequest): void;
  /** Replaces the synthetic traffic; `undefined` leaves only what was recorded. */
  setScenario(scenario: LbTrafficScenario | undefined): void;
  scenario(): LbTrafficScenario | undefined;
  /** Takes the day's storage measurement now (or records the given one, as of `at`): object_count and total_bytes. */
  measureStorage(usage?: BucketUsage[], at?: Date): void;
  clear(): void;
  close(): Promise<void>;
}

/** Recorded requests kept; older ones fall out, as a bounded stand-in must. */
const MAX_RECORDED = 100_000;

/**
 * Cloud Monitoring's `MetricService.ListTimeSeries` for the LB metrics, over insecure gRPC, so the real
 * `@google-cloud/monitoring` client runs unchanged against it. Messages come from the client library's
 * own protobuf definitions, so the wire format is the real one.
 */
export async function startMonitoringStandIn(opts: MonitoringStandInOptions = {}): Promise<MonitoringStandIn> {
  const lb = { ...defaultLbIdentity(), ...opts.lb };
  const recorded: LbRequest[] = [];
  let scenario = opts.scenario;
  let synthetic = scenario ? scenarioRequests(scenario) : [];
  let measured: StorageMeasurement | undefined;
  const measureStorage = (usage = opts.storage?.measure() ?? [], at = new Date()) => {
    measured = { atMs: at.getTime(), usage };
  };
  if (opts.storage) measureStorage();
  const storageTimer = opts.storage
    ? setInterval(() => measureStorage(), opts.storage.measureEveryMs ?? 86_400_000).unref()
    : undefined;
  const series = () => [
    ...lbSeries([...synthetic, ...recorded], lb),
    ...storageSeries(measured, opts.storage?.project ?? lb.projectId, Date.now()),
  ];

  const server = new grpc.Server();
  server.addService(metricService(), {
    ListTimeSeries: (
      call: grpc.ServerUnaryCall<ListTimeSeriesRequest, unknown>,
      callback: grpc.sendUnaryData<unknown>,
    ) => {
      try {
        callback(null, listTimeSeries(call.request, series()));
      } catch (err) {
        if (err instanceof InvalidRequest)
          return callback({ code: grpc.status.INVALID_ARGUMENT, details: err.message });
        if (err instanceof AggregationError) return callback({ code: grpc.status[err.code], details: err.message });
        callback({ code: grpc.status.INTERNAL, details: (err as Error).message });
      }
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, bound) =>
      err ? reject(err) : resolve(bound),
    ),
  );
  return {
    address: `127.0.0.1:${port}`,
    port,
    lb,
    record(request) {
      recorded.push(request);
      if (recorded.length > MAX_RECORDED) recorded.splice(0, recorded.length - MAX_RECORDED);
    },
    setScenario(next) {
      scenario = next;
      synthetic = next ? scenarioRequests(next) : [];
    },
    scenario: () => scenario,
    measureStorage,
    clear() {
      recorded.length = 0;
      synthetic = [];
      scenario = undefined;
    },
    close: () =>
      new Promise<void>((resolve) => {
        if (storageTimer) clearInterval(storageTimer);
        server.tryShutdown(() => resolve());
        setTimeout(() => server.forceShutdown(), 200).unref();
      }),
  };
}

interface Timestamp {
  seconds?: string | number;
  nanos?: number;
}

interface ListTimeSeriesRequest {
  name: string;
  filter: string;
  interval?: { startTime?: Timestamp; endTime?: Timestamp };
  aggregation?: {
    alignmentPeriod?: Timestamp;
    perSeriesAligner?: string;
    crossSeriesReducer?: string;
    groupByFields?: string[];
  };
  view?: string;
  pageSize?: number;
  pageToken?: string;
}

function listTimeSeries(req: ListTimeSeriesRequest, all: StoredSeries[]) {
  const project = /^projects\/([^/]+)$/.exec(req.name)?.[1];
  if (!project)
    throw new InvalidRequest(`Field name had an invalid value of "${req.name}": must be projects/<project>`);
  // Worded as https://cloud.google.com/monitoring/api/troubleshooting lists it.
  if (!req.interval?.endTime) throw new InvalidRequest('Request was missing field interval.endTime.');
  const filter = parseFilter(req.filter);
  checkFilterAgainstDescriptors(filter);
  const { metricType, matches } = filter;
  const endMs = toMs(req.interval.endTime);
  const startMs = req.interval.startTime ? toMs(req.interval.startTime) : endMs;
  const selected = all.filter(
    (s) => s.metric.type === metricType && s.resource.labels.project_id === project && matches(s),
  );
  const series = aggregate(
    selected,
    { startMs, endMs },
    {
      alignmentPeriodMs: req.aggregation?.alignmentPeriod ? toMs(req.aggregation.alignmentPeriod) : undefined,
      perSeriesAligner: req.aggregation?.perSeriesAligner,
      crossSeriesReducer: req.aggregation?.crossSeriesReducer,
      groupByFields: req.aggregation?.groupByFields,
    },
  );
  const offset = Number(req.pageToken || 0);
  const size = req.pageSize && req.pageSize > 0 ? req.pageSize : series.length;
  const page = series.slice(offset, offset + size);
  return {
    timeSeries: page.map((s) => toProto(s, req.view === 'HEADERS')),
    nextPageToken: offset + size < series.length ? String(offset + size) : '',
    executionErrors: [],
    unit: '',
  };
}

function toProto(s: StoredSeries, headersOnly: boolean) {
  return {
    metric: s.metric,
    resource: s.resource,
    metricKind: s.metricKind ?? 'DELTA',
    valueType: s.valueType,
    unit: s.unit,
    points: headersOnly
      ? []
      : s.points.map((p) => ({
          interval: { startTime: toTimestamp(p.startMs), endTime: toTimestamp(p.endMs) },
          value:
            typeof p.value !== 'number'
              ? { distributionValue: toDistribution(p.value) }
              : s.valueType === 'DOUBLE'
                ? { doubleValue: p.value }
                : { int64Value: String(p.value) },
        })),
  };
}

function toDistribution(d: DistributionValue) {
  return {
    count: String(d.count),
    mean: d.mean,
    sumOfSquaredDeviation: d.sumOfSquaredDeviation,
    bucketOptions: { exponentialBuckets: { ...LB_LATENCY_BUCKETS } },
    bucketCounts: d.bucketCounts.map(String),
  };
}

const toMs = (t: Timestamp) => Number(t.seconds ?? 0) * 1000 + Math.floor((t.nanos ?? 0) / 1e6);
const toTimestamp = (ms: number) => ({ seconds: String(Math.floor(ms / 1000)), nanos: (ms % 1000) * 1e6 });

/** The client library's bundled protobuf definitions (data only; its code is not loaded here). */
function metricService(): grpc.ServiceDefinition {
  const require = createRequire(import.meta.url);
  const json = JSON.parse(readFileSync(require.resolve('@google-cloud/monitoring/build/protos/protos.json'), 'utf8'));
  const pkg = grpc.loadPackageDefinition(
    fromJSON(json, { keepCase: false, longs: String, enums: String, defaults: true, oneofs: true }),
  ) as unknown as {
    google: { monitoring: { v3: { MetricService: { service: grpc.ServiceDefinition } } } };
  };
  return pkg.google.monitoring.v3.MetricService.service;
}
