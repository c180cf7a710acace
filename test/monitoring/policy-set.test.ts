import { describe, expect, it } from 'vitest';
import { environmentSchema } from '../../src/lib/config/schema.js';
import { buildPolicySet, checkIdPlaceholder } from '../../src/lib/monitoring/policy-set.js';
import { alertingSettings } from '../../src/lib/monitoring/settings.js';
import { checkConditionFilter, metricDescriptor } from '@gwctl/emulators/monitoring';

const env = {
  ...environmentSchema.parse({
    project: 'relaycorp-gateway-prod',
    endpoints: { poweb: 'https://poweb.example', pohttp: 'https://pohttp.example', cogrpc: 'cogrpc.example:443' },
    buckets: { backups: 'relaycorp-gateway-prod-backups' },
    monitoring: { urlMaps: ['k8s2-um-1-default-public-gateway-2'], forwardingRules: ['k8s2-fs-1'] },
  }),
  name: 'prod',
  source: 'test',
};
const set = buildPolicySet(env, alertingSettings(env), ['projects/relaycorp-gateway-prod/notificationChannels/1']);
const conditions = set.policies.flatMap((p) =>
  (p.body.conditions as Array<Record<string, { filter: string; denominatorFilter?: string }>>).flatMap((c) => {
    const spec = c.conditionThreshold ?? c.conditionAbsent!;
    return [spec.filter, ...(spec.denominatorFilter ? [spec.denominatorFilter] : [])].map((filter) => ({
      policy: p.id,
      filter: p.check ? filter.replace(checkIdPlaceholder(p.check), 'gwctl-prod-poweb-0a1b2c3d') : filter,
    }));
  }),
);

describe('the built-in policy set', () => {
  it.each(conditions)('$policy: the filter parses and names a real metric type and resource', ({ filter }) => {
    // The emulator's parser implements https://cloud.google.com/monitoring/api/v3/filters; its table holds
    // only metric types Google documents (each with its page).
    const { descriptor, parsed } = checkConditionFilter(filter, 'filter', { requireResourceType: true });
    expect(descriptor, parsed.metricType).toBeDefined();
    expect(metricDescriptor(parsed.metricType)?.doc).toMatch(/^https:\/\/cloud\.google\.com\//);
    expect(descriptor!.resourceTypes).toContain(parsed.resourceType);
  });

  it('selects the LB by the real https_lb_rule labels: url_map_name, forwarding_rule_name, backend_target_name', () => {
    const latency = conditions.find((c) => c.policy === 'poweb-delivery-latency')!.filter;
    expect(latency).toContain('resource.labels.url_map_name = one_of("k8s2-um-1-default-public-gateway-2")');
    expect(latency).toContain('resource.labels.forwarding_rule_name = one_of("k8s2-fs-1")');
    expect(latency).toContain('resource.labels.backend_target_name = has_substring("public-gateway-poweb")');
    expect(latency).toContain('metric.labels.response_code != 101');
  });

  it('takes its thresholds from gwctl.yaml', () => {
    const strict = {
      ...env,
      monitoring: {
        ...env.monitoring,
        alerting: { notificationChannels: [], disable: [], thresholds: { deliveryP99Ms: 500, deliveryForMinutes: 10 } },
      },
    };
    const p = buildPolicySet(strict as never, alertingSettings(strict as never), []).policies.find(
      (x) => x.id === 'poweb-delivery-latency',
    )!;
    const threshold = (
      p.body.conditions as Array<{ conditionThreshold: { thresholdValue: number; duration: { seconds: string } } }>
    )[0]!.conditionThreshold;
    expect(threshold.thresholdValue).toBe(500);
    expect(threshold.duration.seconds).toBe('600');
  });

  it('leaves out what the environment lacks, and says why', () => {
    const bare = { ...env, endpoints: {}, buckets: {} };
    const s = buildPolicySet(bare, alertingSettings(bare), []);
    expect(s.checks).toEqual([]);
    expect(s.skipped.map((x) => x.id).sort()).toEqual(['backup-missing', 'cogrpc', 'pohttp', 'poweb']);
    expect(s.policies.map((p) => p.id)).not.toContain('poweb-down');
  });
});
