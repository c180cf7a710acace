import { randomBytes } from 'node:crypto';
import { ApiError, invalidField } from './api-error.js';
import { checkUserLabels, ConfigStore, durationSeconds, projectOf } from './config-store.js';
import { applyFieldMask, type Json } from './field-mask.js';
import { listPage, type ListRequest } from './list-query.js';

type Duration = { seconds?: string | number; nanos?: number };
export type UptimeCheckConfig = Json & {
  name?: string;
  displayName?: string;
  monitoredResource?: { type?: string; labels?: Record<string, string> };
  httpCheck?: Json & {
    useSsl?: boolean;
    path?: string;
    port?: number;
    requestMethod?: string;
    validateSsl?: boolean;
    acceptedResponseStatusCodes?: Array<{ statusValue?: number; statusClass?: string }>;
  };
  tcpCheck?: { port?: number };
  period?: Duration;
  timeout?: Duration;
  userLabels?: Record<string, string>;
  checkerType?: string;
};

const TYPE = 'google.monitoring.v3.UptimeCheckConfig';
/** "The following fields can be updated: display_name, http_check, tcp_check, timeout, content_matchers, and
 * selected_regions" (UpdateUptimeCheckConfigRequest). */
const UPDATABLE = ['display_name', 'http_check', 'tcp_check', 'timeout', 'content_matchers', 'selected_regions'];
/** "Currently, the only supported values are 60s, 300s, 600s and 900s" (UptimeCheckConfig.period). */
const PERIODS = [60, 300, 600, 900];
const RESOURCE_TYPES = [
  'uptime_url',
  'gce_instance',
  'gae_app',
  'aws_ec2_instance',
  'aws_elb_load_balancer',
  'k8s_service',
  'servicedirectory_service',
  'cloud_run_revision',
];

/** The Cloud-Monitoring-assigned id: the display name made a slug, and a random suffix. */
const checkId = (displayName: string) =>
  `${
    displayName
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '')
      .slice(0, 40) || 'uptime-check'
  }-${randomBytes(4).toString('hex')}`;

/**
 * Fills in what the API documents as defaults: checker type STATIC_IP_CHECKERS ("converted ... on creation"),
 * period 60s, HTTP path "/" and port 443/80 by `use_ssl`, request method GET.
 */
function withDefaults(c: UptimeCheckConfig): UptimeCheckConfig {
  const out: UptimeCheckConfig = { ...c };
  if (!out.checkerType || out.checkerType === 'CHECKER_TYPE_UNSPECIFIED') out.checkerType = 'STATIC_IP_CHECKERS';
  out.period ??= { seconds: '60' };
  if (out.httpCheck) {
    const h = { ...out.httpCheck };
    if (!h.path) h.path = '/';
    else if (!h.path.startsWith('/')) h.path = `/${h.path}`;
    if (!h.port) h.port = h.useSsl ? 443 : 80;
    if (!h.requestMethod || h.requestMethod === 'METHOD_UNSPECIFIED') h.requestMethod = 'GET';
    out.httpCheck = h;
  }
  return out;
}

function check(c: UptimeCheckConfig): void {
  if (!c.displayName) throw new ApiError('INVALID_ARGUMENT', 'Field uptime_check_config.display_name is required');
  const resource = c.monitoredResource;
  if (!resource && !c.resourceGroup && !c.syntheticMonitor)
    throw new ApiError(
      'INVALID_ARGUMENT',
      'Field uptime_check_config.resource is required (monitored_resource, resource_group or synthetic_monitor)',
    );
  if (resource) {
    if (!RESOURCE_TYPES.includes(resource.type ?? ''))
      throw invalidField(
        'uptime_check_config.monitored_resource.type',
        resource.type ?? '',
        `one of ${RESOURCE_TYPES.join(', ')}`,
      );
    if (resource.type === 'uptime_url' && !resource.labels?.host)
      throw invalidField(
        'uptime_check_config.monitored_resource.labels',
        resource.labels ?? {},
        'an uptime_url needs the label "host"',
      );
  }
  if (!c.syntheticMonitor && Boolean(c.httpCheck) === Boolean(c.tcpCheck))
    throw new ApiError('INVALID_ARGUMENT', 'Field uptime_check_config: set exactly one of http_check or tcp_check');
  if (c.tcpCheck && !(c.tcpCheck.port && c.tcpCheck.port > 0 && c.tcpCheck.port < 65536))
    throw invalidField('uptime_check_config.tcp_check.port', c.tcpCheck.port ?? 0, 'a TCP check needs a port');
  if (c.httpCheck?.requestMethod === 'GET' && c.httpCheck.body)
    throw invalidField('uptime_check_config.http_check.body', '…', 'a GET check has no body');
  const timeout = durationSeconds(c.timeout);
  // "The maximum amount of time to wait for the request to complete (must be between 1 and 60 seconds). Required."
  if (timeout === undefined || timeout < 1 || timeout > 60)
    throw invalidField('uptime_check_config.timeout', c.timeout ?? null, 'required, between 1 and 60 seconds');
  const period = durationSeconds(c.period);
  if (period !== undefined && !PERIODS.includes(period))
    throw invalidField('uptime_check_config.period', c.period, 'one of 60s, 300s, 600s, 900s');
  if (period !== undefined && timeout > period)
    throw invalidField('uptime_check_config.timeout', c.timeout, 'longer than the period');
  checkUserLabels(c.userLabels, 'uptime_check_config.user_labels');
}

/** UptimeCheckService (uptime_service.proto): list, get, create, update (mask limited to what the API updates), delete. */
export function uptimeCheckService(store: ConfigStore<UptimeCheckConfig>) {
  return {
    ListUptimeCheckConfigs(req: ListRequest & { parent?: string }) {
      const { page, nextPageToken, totalSize } = listPage(store.list(projectOf(req.parent, 'parent')), req, {
        filterField: 'filter',
      });
      return { uptimeCheckConfigs: page, nextPageToken, totalSize };
    },
    GetUptimeCheckConfig(req: { name?: string }) {
      store.parse(req.name, 'name');
      return store.get(req.name!);
    },
    CreateUptimeCheckConfig(req: { parent?: string; uptimeCheckConfig?: UptimeCheckConfig }) {
      const project = projectOf(req.parent, 'parent');
      if (!req.uptimeCheckConfig) throw new ApiError('INVALID_ARGUMENT', 'Field uptime_check_config is required');
      const config = withDefaults({ ...req.uptimeCheckConfig });
      delete config.name;
      check(config);
      return store.insert({ ...config, name: store.nameFor(project, checkId(config.displayName!)) });
    },
    UpdateUptimeCheckConfig(req: { updateMask?: { paths?: string[] }; uptimeCheckConfig?: UptimeCheckConfig }) {
      const patch = req.uptimeCheckConfig;
      if (!patch) throw new ApiError('INVALID_ARGUMENT', 'Field uptime_check_config is required');
      store.parse(patch.name, 'uptime_check_config.name');
      const current = store.get(patch.name!);
      const paths = req.updateMask?.paths?.length ? req.updateMask.paths : null;
      let next: UptimeCheckConfig;
      if (paths) next = applyFieldMask(current, patch, paths, TYPE, { field: 'update_mask', allowed: UPDATABLE });
      else {
        // Without a mask the configuration is replaced, but only in the fields the API lets an update change.
        next = { ...current };
        for (const f of UPDATABLE.map((p) => p.replace(/_([a-z])/g, (_, x: string) => x.toUpperCase()))) {
          if (patch[f] === undefined) delete next[f];
          else next[f] = patch[f];
        }
      }
      next = withDefaults(next);
      check(next);
      return store.replace({ ...next, name: current.name });
    },
    DeleteUptimeCheckConfig(req: { name?: string }) {
      store.parse(req.name, 'name');
      store.delete(req.name!);
      return {};
    },
    ListUptimeCheckIps() {
      // Documentation addresses (RFC 5737): the emulator's checks run from this machine.
      return {
        uptimeCheckIps: [
          { region: 'USA', location: 'Iowa', ipAddress: '192.0.2.10' },
          { region: 'EUROPE', location: 'Belgium', ipAddress: '198.51.100.10' },
          { region: 'ASIA_PACIFIC', location: 'Singapore', ipAddress: '203.0.113.10' },
        ],
        nextPageToken: '',
      };
    },
  };
}
