import type { MonitoringJson } from '../cloud/monitoring-admin.js';
import type { Environment } from '../config/schema.js';
import {
  bucketWritesFilter,
  containerFilter,
  CONTAINER_RESTARTS,
  CONTAINER_UPTIME,
  lbFilter,
  LB_REQUEST_COUNT,
  LB_TOTAL_LATENCIES,
  uptimeFilter,
} from './filters.js';
import { ownerLabels } from './ownership.js';
import type { AlertingSettings } from './settings.js';
import { gsUrl } from '../config/gs-url.js';

/** An uptime check gwctl keeps, by built-in id. */
export interface DesiredCheck {
  id: string;
  body: MonitoringJson;
}

/** An alert policy gwctl keeps, by built-in id; `check` names the uptime check whose id its filter needs. */
export interface DesiredPolicy {
  id: string;
  body: MonitoringJson;
  check?: string;
}

export interface PolicySet {
  checks: DesiredCheck[];
  policies: DesiredPolicy[];
  /** Why a built-in is left out (no endpoint, no backup bucket, disabled). */
  skipped: { id: string; reason: string }[];
}

/** Stands in a filter for the id of an uptime check that does not exist yet; apply substitutes it. */
export const checkIdPlaceholder = (check: string) => `{{uptime-check:${check}}}`;

const seconds = (s: number) => ({ seconds: String(s) });
const RUNBOOK = 'docs/monitoring.md in the gwctl repository';

/**
 * The built-in alerting of a gateway environment, as data: uptime checks of PoWeb, PoHTTP and CogRPC, and the
 * policies for the incidents the gateway has had (slow delivery, 5xx, collections cut at the LB timeout, CogRPC
 * cold starts or down, backups not happening). Thresholds come from `monitoring.alerting` in gwctl.yaml.
 */
export function buildPolicySet(env: Environment, s: AlertingSettings, channels: string[]): PolicySet {
  const t = s.thresholds;
  const skipped: PolicySet['skipped'] = [];
  const checks: DesiredCheck[] = [];
  const policies: DesiredPolicy[] = [];
  const prefix = `gwctl ${env.name}:`;
  const policy = (
    id: string,
    title: string,
    severity: 'CRITICAL' | 'ERROR' | 'WARNING',
    doc: string,
    conditions: MonitoringJson[],
    combiner = 'OR',
  ): MonitoringJson => ({
    displayName: `${prefix} ${title}`,
    documentation: {
      mimeType: 'text/markdown',
      subject: `[${env.name}] ${title}`,
      content: `${doc}\n\nRunbook: ${RUNBOOK} (\`${id}\`). Measure it now: \`gwctl diagnose parcels --env ${env.name}\`.`,
    },
    userLabels: ownerLabels(env.name, id),
    conditions,
    combiner,
    enabled: { value: true },
    notificationChannels: channels,
    // Set explicitly: the API fills in its own defaults otherwise, which would read as drift.
    alertStrategy: { autoClose: seconds(1800), notificationPrompts: ['OPENED', 'CLOSED'] },
    severity,
  });
  const threshold = (
    displayName: string,
    filter: string,
    aggregation: MonitoringJson,
    comparison: 'COMPARISON_GT' | 'COMPARISON_LT',
    thresholdValue: number,
    durationS: number,
    extra: MonitoringJson = {},
  ): MonitoringJson => ({
    displayName,
    conditionThreshold: {
      filter,
      aggregations: [aggregation],
      comparison,
      thresholdValue,
      duration: seconds(durationS),
      trigger: { count: 1 },
      evaluationMissingData: 'EVALUATION_MISSING_DATA_INACTIVE',
      ...extra,
    },
  });
  const add = (p: DesiredPolicy) =>
    s.disable.includes(p.id) ? skipped.push({ id: p.id, reason: 'disabled in gwctl.yaml' }) : policies.push(p);

  // Uptime checks, their hosts from `endpoints`.
  const uptime = (id: string, title: string, target: { host: string; port: number } | undefined, tcp: boolean) => {
    if (!target) return skipped.push({ id, reason: `no endpoints.${id} in gwctl.yaml` });
    if (s.disable.includes(id)) return skipped.push({ id, reason: 'disabled in gwctl.yaml' });
    checks.push({
      id,
      body: {
        displayName: `${prefix} ${title}`,
        monitoredResource: { type: 'uptime_url', labels: { project_id: env.project, host: target.host } },
        ...(tcp
          ? { tcpCheck: { port: target.port } }
          : {
              httpCheck: {
                requestMethod: 'GET',
                useSsl: true,
                validateSsl: true,
                path: '/',
                port: target.port,
                acceptedResponseStatusCodes: [{ statusValue: 200 }],
              },
            }),
        period: seconds(t.uptimePeriodSeconds),
        timeout: seconds(t.uptimeTimeoutSeconds),
        checkerType: 'STATIC_IP_CHECKERS',
        userLabels: ownerLabels(env.name, id),
      },
    });
    // Google's recipe for uptime alerts: the check failed from more than one location.
    // https://cloud.google.com/monitoring/uptime-checks/uptime-alerting-policies
    add({
      id: `${id}-down`,
      check: id,
      body: policy(
        `${id}-down`,
        `${title} failing`,
        'CRITICAL',
        `The uptime check of ${title} fails from more than one location: clients cannot reach it.`,
        [
          threshold(
            `${title} check failing`,
            uptimeFilter(checkIdPlaceholder(id)),
            {
              alignmentPeriod: seconds(1200),
              perSeriesAligner: 'ALIGN_NEXT_OLDER',
              crossSeriesReducer: 'REDUCE_COUNT_FALSE',
              groupByFields: ['resource.label.host'],
            },
            'COMPARISON_GT',
            1,
            60,
          ),
        ],
      ),
    });
  };
  uptime('poweb', 'PoWeb (GET / → 200)', httpsTarget(env.endpoints.poweb), false);
  uptime('pohttp', 'PoHTTP (GET / → 200)', httpsTarget(env.endpoints.pohttp), false);
  uptime('cogrpc', 'CogRPC (TCP)', tcpTarget(env.endpoints.cogrpc), true);

  // Parcel delivery: p99 of what clients wait for, per service; websockets (101) are collections, not deliveries.
  for (const [id, service] of [
    ['poweb-delivery-latency', 'poweb'],
    ['pohttp-delivery-latency', 'pohttp'],
  ] as const) {
    const name = service === 'poweb' ? 'PoWeb' : 'PoHTTP';
    add({
      id,
      body: policy(
        id,
        `${name} parcel delivery slow`,
        'ERROR',
        `The load balancer's p99 total latency of ${name} requests (websocket collections excluded) has been over ${t.deliveryP99Ms} ms for ${t.deliveryForMinutes} min. Delivery should take under a second; an incident once had it time out at 30 s.`,
        [
          threshold(
            `${name} total_latencies p99 > ${t.deliveryP99Ms} ms`,
            lbFilter(env, LB_TOTAL_LATENCIES, s.backends[service], 'metric.labels.response_code != 101'),
            {
              alignmentPeriod: seconds(60),
              perSeriesAligner: 'ALIGN_DELTA',
              crossSeriesReducer: 'REDUCE_PERCENTILE_99',
              groupByFields: ['resource.label.backend_target_name'],
            },
            'COMPARISON_GT',
            t.deliveryP99Ms,
            t.deliveryForMinutes * 60,
          ),
        ],
      ),
    });
  }

  // 5xx: the share of the gateway's requests answered 5xx (by a backend, or by the LB for it), per backend.
  const rate = {
    alignmentPeriod: seconds(60),
    perSeriesAligner: 'ALIGN_RATE',
    crossSeriesReducer: 'REDUCE_SUM',
    groupByFields: ['resource.label.backend_target_name'],
  };
  add({
    id: 'backend-5xx-ratio',
    body: policy(
      'backend-5xx-ratio',
      'backends answering 5xx',
      'ERROR',
      `More than ${t.error5xxRatio * 100}% of the requests to a gateway backend were answered 5xx for ${t.error5xxForMinutes} min.`,
      [
        threshold(
          `5xx ratio > ${t.error5xxRatio}`,
          lbFilter(env, LB_REQUEST_COUNT, undefined, 'metric.labels.response_code_class = 500'),
          rate,
          'COMPARISON_GT',
          t.error5xxRatio,
          t.error5xxForMinutes * 60,
          { denominatorFilter: lbFilter(env, LB_REQUEST_COUNT), denominatorAggregations: [rate] },
        ),
      ],
    ),
  });

  // Collections cut by the LB: websocket connections (101) to PoWeb that end within 10% of the backend timeout.
  const timeoutMs = t.lbTimeoutSeconds * 1000;
  const collections = lbFilter(env, LB_TOTAL_LATENCIES, s.backends.poweb, 'metric.labels.response_code = 101');
  const median = {
    alignmentPeriod: seconds(300),
    perSeriesAligner: 'ALIGN_DELTA',
    crossSeriesReducer: 'REDUCE_PERCENTILE_50',
    groupByFields: ['resource.label.backend_target_name'],
  };
  add({
    id: 'poweb-collections-cut',
    body: policy(
      'poweb-collections-cut',
      'parcel collections cut at the LB timeout',
      'ERROR',
      `Half of PoWeb's websocket parcel collections last ${t.lbTimeoutSeconds} s ± 10%: the load balancer's backend timeout is cutting them (GCP's default is 30 s; the BackendConfig should raise it).`,
      [
        threshold(
          `collections end after > ${0.9 * t.lbTimeoutSeconds} s`,
          collections,
          median,
          'COMPARISON_GT',
          0.9 * timeoutMs,
          300,
        ),
        threshold(
          `collections end after < ${1.1 * t.lbTimeoutSeconds} s`,
          collections,
          median,
          'COMPARISON_LT',
          1.1 * timeoutMs,
          300,
        ),
      ],
      'AND_WITH_MATCHING_RESOURCE',
    ),
  });

  // CogRPC cold starts: a container restarted or started (scale-up, rollout); each costs clients ~15 s.
  const window = t.coldStartWindowMinutes * 60;
  const cogrpc = env.workloads.deployments.find((d) => d.endsWith('cogrpc')) ?? 'public-gateway-cogrpc';
  add({
    id: 'cogrpc-cold-starts',
    body: policy(
      'cogrpc-cold-starts',
      'CogRPC cold starts',
      'WARNING',
      `A CogRPC container restarted or started in the last ${t.coldStartWindowMinutes} min. CogRPC takes about 15 s to start serving: couriers syncing then wait or fail.`,
      [
        threshold(
          'a CogRPC container restarted',
          containerFilter(env, CONTAINER_RESTARTS, cogrpc),
          {
            alignmentPeriod: seconds(window),
            perSeriesAligner: 'ALIGN_DELTA',
            crossSeriesReducer: 'REDUCE_SUM',
            groupByFields: ['resource.label.pod_name'],
          },
          'COMPARISON_GT',
          0,
          0,
        ),
        threshold(
          'a CogRPC container started',
          containerFilter(env, CONTAINER_UPTIME, cogrpc),
          {
            alignmentPeriod: seconds(60),
            perSeriesAligner: 'ALIGN_MIN',
            crossSeriesReducer: 'REDUCE_MIN',
            groupByFields: ['resource.label.pod_name'],
          },
          'COMPARISON_LT',
          window,
          0,
        ),
      ],
    ),
  });

  // Backups: the CronJob's last step is writing the manifest to the backup bucket.
  const backups = env.buckets.backups;
  if (!backups) skipped.push({ id: 'backup-missing', reason: 'no buckets.backups in gwctl.yaml' });
  else {
    const hours = t.backupIntervalHours + 1;
    add({
      id: 'backup-missing',
      body: policy(
        'backup-missing',
        'no backup written',
        'CRITICAL',
        `Nothing was written successfully to ${gsUrl(backups)} for ${hours} h, while \`gwctl backup\` runs every ${t.backupIntervalHours} h: the backup CronJob is not running or failing.`,
        [
          {
            displayName: `no successful write to ${gsUrl(backups)} for ${hours} h`,
            conditionAbsent: {
              filter: bucketWritesFilter(backups),
              aggregations: [
                { alignmentPeriod: seconds(300), perSeriesAligner: 'ALIGN_DELTA', crossSeriesReducer: 'REDUCE_SUM' },
              ],
              duration: seconds(hours * 3600),
              trigger: { count: 1 },
            },
          },
        ],
      ),
    });
  }
  return { checks, policies, skipped };
}

/** `https://host[:port]` → the check's host and port (443 by default). */
function httpsTarget(url: string | undefined): { host: string; port: number } | undefined {
  if (!url) return undefined;
  const u = new URL(url);
  return { host: u.hostname.replace(/^\[|\]$/g, ''), port: u.port ? Number(u.port) : 443 };
}

/** `host:port` of CogRPC. */
function tcpTarget(address: string | undefined): { host: string; port: number } | undefined {
  const m = address ? /^\[?([^\]]+?)\]?:(\d+)$/.exec(address.trim()) : null;
  return m ? { host: m[1]!, port: Number(m[2]) } : undefined;
}
