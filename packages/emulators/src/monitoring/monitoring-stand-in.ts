import * as grpc from '@grpc/grpc-js';
import { FaultInjector } from '../common/faults.js';
import type { RequestLog } from '../common/request-log.js';
import { aggregate, AggregationError } from './aggregate.js';
import { type AlertPolicy, alertPolicyService } from './alert-policies.js';
import { ApiError } from './api-error.js';
import { ConfigStore } from './config-store.js';
import { checkFilterAgainstDescriptors } from './descriptors.js';
import { InvalidRequest, parseFilter } from './filter.js';
import { getMetricDescriptor } from './metric-descriptors.js';
import {
  defaultLbIdentity,
  LB_LATENCY_BUCKETS,
  lbSeries,
  type DistributionValue,
  type LbIdentity,
  type LbRequest,
  type StoredSeries,
} from './lb-metrics.js';
import { notificationChannelService, type NotificationChannel } from './notification-channels.js';
import { monitoringServices } from './proto-definitions.js';
import { recordedService } from './recorded-calls.js';
import { scenarioRequests, type LbTrafficScenario } from './scenario.js';
import { uptimeCheckService, type UptimeCheckConfig } from './uptime-checks.js';
import { UptimeRunner } from './uptime-runner.js';

/** Configuration a project starts with, as if someone had made it in the console. */
export interface MonitoringSeed {
  project: string;
  notificationChannels?: NotificationChannel[];
  alertPolicies?: AlertPolicy[];
}
import { storageSeries, type BucketUsage, type StorageMeasurement } from './storage-metrics.js';
import { listenOnLoopback } from '../common/grpc-listen.js';

export interface MonitoringStandInOptions {
  lb?: Partial<LbIdentity>;
  scenario?: LbTrafficScenario;
  /** Every call is recorded here (service `monitoring`). */
  log?: RequestLog;
  faults?: FaultInjector;
  seed?: MonitoringSeed;
  /** Run the uptime checks this often (Cloud Monitoring: every `period`); off when absent. */
  uptimeIntervalMs?: number;
  /** A CA (PEM) the uptime checkers trust besides the public ones, as the sandbox's endpoints need. */
  uptimeCa?: string;
  /** Cloud Storage usage to report: measured at start and every `measureEveryMs` (Google measures daily; default 1 day). */
  storage?: { project: string; measure: () => BucketUsage[]; measureEveryMs?: number };
}

export interface MonitoringStandIn {
  /** host:port of an insecure gRPC endpoint, as `env.emulators.monitoring`. */
  address: string;
  port: number;
  lb: LbIdentity;
  faults: FaultInjector;
  /** Runs every uptime check once, now (tests; the sandbox also runs them every `uptimeIntervalMs`). */
  runUptimeChecks(): Promise<void>;
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
 * Cloud Monitoring over insecure gRPC, so the real `@google-cloud/monitoring` clients run unchanged against it:
 * `MetricService.ListTimeSeries` for the LB and uptime metrics, and the configuration services alerting needs,
 * `AlertPolicyService`, `UptimeCheckService` and `NotificationChannelService`. Messages come from the client
 * library's own protobuf definitions, so the wire format is the real one.
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

  const faults = opts.faults ?? new FaultInjector();
  const rec = { log: opts.log, faults };
  const policies = new ConfigStore<AlertPolicy>('alertPolicies');
  const checks = new ConfigStore<UptimeCheckConfig>('uptimeCheckConfigs');
  const channels = new ConfigStore<NotificationChannel>('notificationChannels');
  const uptime = new UptimeRunner(checks, opts.uptimeCa);
  const projects = () => [lb.projectId, ...(opts.seed ? [opts.seed.project] : [])];
  const alerting = alertPolicyService(policies, (name) => channels.has(name));
  const usingChannel = (name: string) =>
    projects()
      .flatMap((p) => policies.list(p))
      .filter((pol) => pol.notificationChannels?.includes(name));
  const channelApi = notificationChannelService(channels, {
    isReferenced: (name) => usingChannel(name).length > 0,
    detach: (name) => {
      for (const pol of usingChannel(name))
        policies.replace({ ...pol, notificationChannels: pol.notificationChannels!.filter((c) => c !== name) });
    },
  });

  const sparse = monitoringServices(true);
  const server = new grpc.Server();
  server.addService(
    monitoringServices(false).MetricService!.service,
    recordedService(
      'google.monitoring.v3.MetricService',
      {
        GetMetricDescriptor: (req: { name: string }) => {
          const descriptor = getMetricDescriptor(req.name);
          if (!descriptor) throw new ApiError('NOT_FOUND', `Could not find descriptor for metric ${req.name}`);
          return descriptor;
        },
        ListTimeSeries: (req: ListTimeSeriesRequest) => {
          try {
            return listTimeSeries(req, [...series(), ...uptime.all()]);
          } catch (err) {
            if (err instanceof InvalidRequest) throw new ApiError('INVALID_ARGUMENT', err.message);
            if (err instanceof AggregationError) throw new ApiError(err.code, err.message);
            throw err;
          }
        },
      },
      rec,
    ),
  );
  server.addService(
    sparse.AlertPolicyService!.service,
    recordedService('google.monitoring.v3.AlertPolicyService', alerting, rec),
  );
  server.addService(
    sparse.UptimeCheckService!.service,
    recordedService('google.monitoring.v3.UptimeCheckService', uptimeCheckService(checks), rec),
  );
  server.addService(
    sparse.NotificationChannelService!.service,
    recordedService('google.monitoring.v3.NotificationChannelService', channelApi, rec),
  );
  if (opts.seed) seedProject(opts.seed, alerting, channelApi);
  const runUptimeChecks = () => uptime.runAll(projects);
  const timer = opts.uptimeIntervalMs
    ? setInterval(() => void runUptimeChecks().catch(() => undefined), opts.uptimeIntervalMs).unref()
    : undefined;
  const port = await listenOnLoopback(server);
  return {
    address: `127.0.0.1:${port}`,
    port,
    lb,
    faults,
    runUptimeChecks,
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
      uptime.clear();
    },
    close: () =>
      new Promise<void>((resolve) => {
        if (timer) clearInterval(timer);
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
          value: pointValue(s.valueType, p.value),
        })),
  };
}

function pointValue(valueType: StoredSeries['valueType'], v: StoredSeries['points'][number]['value']) {
  if (typeof v === 'boolean') return { boolValue: v };
  if (typeof v === 'object') return { distributionValue: toDistribution(v) };
  return valueType === 'DOUBLE' ? { doubleValue: v } : { int64Value: String(v) };
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

/** Creates the seed's channels, then its policies, through the services' own create methods. */
function seedProject(
  seed: MonitoringSeed,
  alerting: ReturnType<typeof alertPolicyService>,
  channelApi: ReturnType<typeof notificationChannelService>,
): void {
  const context = { metadata: seedMetadata() };
  const name = `projects/${seed.project}`;
  for (const notificationChannel of seed.notificationChannels ?? [])
    channelApi.CreateNotificationChannel({ name, notificationChannel }, context);
  for (const alertPolicy of seed.alertPolicies ?? []) alerting.CreateAlertPolicy({ name, alertPolicy }, context);
}

function seedMetadata(): grpc.Metadata {
  const m = new grpc.Metadata();
  m.set('x-goog-user', 'someone-in-the-console@example.com');
  return m;
}
