import type { Environment } from '../config/schema.js';
import { RuntimeError } from '../errors/gwctl-error.js';
import { clientOptions, describeApiError, timestamp } from './monitoring.js';

/** A Cloud Monitoring resource as proto3 JSON (camelCase fields, enums and int64 as strings, defaults left out). */
export type MonitoringJson = Record<string, unknown>;

export type ConfigKind = 'AlertPolicy' | 'UptimeCheckConfig';

/** The last result of one uptime check from one checker location. */
export interface UptimeResult {
  checkId: string;
  location: string;
  passed: boolean;
  at: Date;
}

/** What `gwctl monitoring` reads and writes in Cloud Monitoring; no SDK type leaks out. */
export interface MonitoringAdmin {
  project: string;
  listAlertPolicies(): Promise<MonitoringJson[]>;
  createAlertPolicy(policy: MonitoringJson): Promise<MonitoringJson>;
  /** `updateMask`: snake_case top-level fields to replace. */
  updateAlertPolicy(policy: MonitoringJson, updateMask: string[]): Promise<MonitoringJson>;
  deleteAlertPolicy(name: string): Promise<void>;
  listUptimeChecks(): Promise<MonitoringJson[]>;
  createUptimeCheck(check: MonitoringJson): Promise<MonitoringJson>;
  updateUptimeCheck(check: MonitoringJson, updateMask: string[]): Promise<MonitoringJson>;
  deleteUptimeCheck(name: string): Promise<void>;
  listNotificationChannels(): Promise<MonitoringJson[]>;
  /** Each check's newest `uptime_check/check_passed` point per checker location since `since`. */
  uptimeResults(since: Date): Promise<UptimeResult[]>;
  /** The canonical form the API itself would give back for `value` (what diffs compare). */
  canonical(kind: ConfigKind, value: MonitoringJson): MonitoringJson;
  close(): Promise<void>;
}

/** Retries as the library does for reads, but an operator waiting on a plan wants the reason within a minute. */
const CALL_OPTIONS = { timeout: 30_000, maxRetries: 2 };

/**
 * The three configuration clients of `@google-cloud/monitoring` (alert policies, uptime checks, notification
 * channels) and MetricService for uptime results, on the environment's project; the SDK is loaded here, on use.
 */
export async function openMonitoringAdmin(env: Environment): Promise<MonitoringAdmin> {
  const sdk = await import('@google-cloud/monitoring');
  const options = await clientOptions(env);
  const policies = new sdk.AlertPolicyServiceClient(options);
  const checks = new sdk.UptimeCheckServiceClient(options);
  const channels = new sdk.NotificationChannelServiceClient(options);
  const metrics = new sdk.MetricServiceClient(options);
  const v3 = sdk.protos.google.monitoring.v3;
  const project = `projects/${env.project}`;
  // The client hands back plain objects with every default filled in and oneof names added; fromObject keeps
  // real fields only, and proto3 JSON leaves defaults out.
  const canonical = (kind: ConfigKind | 'NotificationChannel', m: unknown) =>
    withoutDefaults(v3[kind].fromObject(m as Record<string, unknown>).toJSON()) as MonitoringJson;
  const asPolicy = (m: unknown) => canonical('AlertPolicy', m);
  const asCheck = (m: unknown) => canonical('UptimeCheckConfig', m);
  const call = async <T>(what: string, run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (err) {
      throw new RuntimeError(`${what} in ${project}: ${writeHint(describeApiError(err))}`, { cause: err });
    }
  };

  return {
    project: env.project,
    listAlertPolicies: () =>
      call('listing alert policies', async () =>
        (await policies.listAlertPolicies({ name: project }, CALL_OPTIONS))[0].map(asPolicy),
      ),
    createAlertPolicy: (policy) =>
      call(`creating alert policy "${String(policy.displayName)}"`, async () =>
        asPolicy((await policies.createAlertPolicy({ name: project, alertPolicy: policy }, CALL_OPTIONS))[0]),
      ),
    updateAlertPolicy: (policy, updateMask) =>
      call(`updating alert policy ${String(policy.name)}`, async () =>
        asPolicy(
          (
            await policies.updateAlertPolicy({ alertPolicy: policy, updateMask: { paths: updateMask } }, CALL_OPTIONS)
          )[0],
        ),
      ),
    deleteAlertPolicy: (name) =>
      call(`deleting alert policy ${name}`, async () => {
        await policies.deleteAlertPolicy({ name }, CALL_OPTIONS);
      }),
    listUptimeChecks: () =>
      call('listing uptime checks', async () =>
        (await checks.listUptimeCheckConfigs({ parent: project }, CALL_OPTIONS))[0].map(asCheck),
      ),
    createUptimeCheck: (check) =>
      call(`creating uptime check "${String(check.displayName)}"`, async () =>
        asCheck((await checks.createUptimeCheckConfig({ parent: project, uptimeCheckConfig: check }, CALL_OPTIONS))[0]),
      ),
    updateUptimeCheck: (check, updateMask) =>
      call(`updating uptime check ${String(check.name)}`, async () =>
        asCheck(
          (
            await checks.updateUptimeCheckConfig(
              { uptimeCheckConfig: check, updateMask: { paths: updateMask } },
              CALL_OPTIONS,
            )
          )[0],
        ),
      ),
    deleteUptimeCheck: (name) =>
      call(`deleting uptime check ${name}`, async () => {
        await checks.deleteUptimeCheckConfig({ name }, CALL_OPTIONS);
      }),
    listNotificationChannels: () =>
      call('listing notification channels', async () =>
        (await channels.listNotificationChannels({ name: project }, CALL_OPTIONS))[0].map((c) =>
          canonical('NotificationChannel', c),
        ),
      ),
    uptimeResults: (since) =>
      call('reading uptime check results', async () => {
        const [series] = await metrics.listTimeSeries(
          {
            name: project,
            filter:
              'metric.type = "monitoring.googleapis.com/uptime_check/check_passed" AND resource.type = "uptime_url"',
            interval: { startTime: timestamp(since), endTime: timestamp(new Date()) },
            view: 'FULL',
          },
          CALL_OPTIONS,
        );
        return series.flatMap((s) => {
          // Points come newest first.
          const p = s.points?.[0];
          if (!p) return [];
          return [
            {
              checkId: String(s.metric?.labels?.check_id ?? ''),
              location: String(s.metric?.labels?.checker_location ?? ''),
              passed: Boolean(p.value?.boolValue),
              at: new Date(Number(p.interval?.endTime?.seconds ?? 0) * 1000),
            },
          ];
        });
      }),
    canonical,
    close: async () => {
      await Promise.all([policies.close(), checks.close(), channels.close(), metrics.close()]);
    },
  };
}

/** proto3 defaults: empty strings and lists, false, zero, and the zero value of the enums these messages use. */
const isDefault = (v: unknown) =>
  v === undefined ||
  v === null ||
  v === '' ||
  v === false ||
  v === 0 ||
  v === '0' ||
  (typeof v === 'string' && /(^|_)UNSPECIFIED$|^ALIGN_NONE$|^REDUCE_NONE$/.test(v)) ||
  (Array.isArray(v) && v.length === 0) ||
  (typeof v === 'object' && !Array.isArray(v) && Object.keys(v as object).length === 0);

/** Drops default values, depth first, as the wire (and so the API's answer) drops them. */
function withoutDefaults(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutDefaults);
  if (!value || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    const pruned = withoutDefaults(v);
    if (!isDefault(pruned)) out[k] = pruned;
  }
  return out;
}

/** describeApiError's hint names the reader role; changing alerting needs the editor role. */
const writeHint = (message: string) =>
  message.replace('roles/monitoring.viewer', 'roles/monitoring.editor (roles/monitoring.viewer to plan)');
