import type { Environment, EnvironmentInput } from '../../src/lib/config/schema.js';
import { environmentSchema } from '../../src/lib/config/schema.js';
import { startMonitoringTarget, type MonitoringTarget } from '@gwctl/emulators/testing';

export const PROJECT = 'gwctl-test';

/** A policy someone made in the console: gwctl must never touch it. */
export const FOREIGN_POLICY = {
  displayName: 'Team X: high request count',
  userLabels: { team: 'x' },
  combiner: 'OR' as const,
  conditions: [
    {
      displayName: 'requests > 1000/s',
      conditionThreshold: {
        filter: 'metric.type = "loadbalancing.googleapis.com/https/request_count" AND resource.type = "https_lb_rule"',
        aggregations: [{ alignmentPeriod: { seconds: 60 }, perSeriesAligner: 'ALIGN_RATE' as const }],
        comparison: 'COMPARISON_GT' as const,
        thresholdValue: 1000,
        duration: { seconds: 60 },
      },
    },
  ],
};

/** A project with one notification channel ("oncall") and one foreign policy, as a real one would have. */
export function startProject(opts: { uptimeCa?: string } = {}): Promise<MonitoringTarget> {
  return startMonitoringTarget({
    project: PROJECT,
    ...opts,
    seed: {
      project: PROJECT,
      notificationChannels: [{ type: 'email', displayName: 'oncall', labels: { email_address: 'oncall@example.com' } }],
      alertPolicies: [FOREIGN_POLICY],
    },
  });
}

/** The environment as gwctl.yaml would give it (validated by the real schema), pointing at the emulator. */
export function environment(target: MonitoringTarget, input: Partial<EnvironmentInput> = {}): Environment {
  const parsed = environmentSchema.parse({
    project: PROJECT,
    endpoints: { poweb: 'https://127.0.0.1:8443', pohttp: 'https://127.0.0.1:9443', cogrpc: '127.0.0.1:7443' },
    buckets: { backups: 'gateway-test-backups' },
    monitoring: { urlMaps: ['gateway-test-lb'], alerting: { notificationChannels: ['oncall'] } },
    emulators: { monitoring: target.address },
    ...input,
  });
  return { ...parsed, name: 'test', source: 'test' };
}

/** The gwctl.yaml text for the same environment, for CLI runs. */
export function configYaml(target: MonitoringTarget, alerting = '{ notificationChannels: [oncall] }'): string {
  return `environments:
  test:
    project: ${PROJECT}
    endpoints: { poweb: "https://127.0.0.1:8443", pohttp: "https://127.0.0.1:9443", cogrpc: "127.0.0.1:7443" }
    buckets: { backups: gateway-test-backups }
    monitoring: { urlMaps: [gateway-test-lb], alerting: ${alerting} }
    emulators: { monitoring: "${target.address}" }
`;
}
