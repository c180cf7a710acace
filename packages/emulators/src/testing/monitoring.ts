import * as grpc from '@grpc/grpc-js';
import {
  AlertPolicyServiceClient,
  MetricServiceClient,
  NotificationChannelServiceClient,
  UptimeCheckServiceClient,
} from '@google-cloud/monitoring';
import { RequestLog } from '../common/request-log.js';
import {
  startMonitoringStandIn,
  type MonitoringStandIn,
  type MonitoringStandInOptions,
} from '../monitoring/monitoring-stand-in.js';

export interface MonitoringTarget {
  standIn: MonitoringStandIn;
  /** host:port, for `env.emulators.monitoring`. */
  address: string;
  project: string;
  log: RequestLog;
  alertPolicies: AlertPolicyServiceClient;
  uptimeChecks: UptimeCheckServiceClient;
  channels: NotificationChannelServiceClient;
  metrics: MetricServiceClient;
  close(): Promise<void>;
}

/**
 * A Cloud Monitoring stand-in and the real `@google-cloud/monitoring` clients on it, over insecure gRPC
 * (`universeDomain` given so the auth library does not probe for credentials).
 */
export async function startMonitoringTarget(
  opts: MonitoringStandInOptions & { project?: string } = {},
): Promise<MonitoringTarget> {
  const project = opts.project ?? 'gwctl-test';
  const log = opts.log ?? new RequestLog();
  const standIn = await startMonitoringStandIn({ ...opts, log, lb: { projectId: project, ...opts.lb } });
  const options = {
    servicePath: '127.0.0.1',
    apiEndpoint: '127.0.0.1',
    port: standIn.port,
    sslCreds: grpc.credentials.createInsecure(),
    projectId: project,
    universeDomain: 'googleapis.com',
  };
  const alertPolicies = new AlertPolicyServiceClient(options);
  const uptimeChecks = new UptimeCheckServiceClient(options);
  const channels = new NotificationChannelServiceClient(options);
  const metrics = new MetricServiceClient(options);
  return {
    standIn,
    address: standIn.address,
    project,
    log,
    alertPolicies,
    uptimeChecks,
    channels,
    metrics,
    async close() {
      await Promise.all([alertPolicies.close(), uptimeChecks.close(), channels.close(), metrics.close()]);
      await standIn.close();
    },
  };
}
