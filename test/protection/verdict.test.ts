import { describe, expect, it } from 'vitest';
import type { BucketSettings } from '../../src/lib/cloud/buckets.js';
import type { KubeItem } from '../../src/lib/cloud/kube-resources.js';
import type { BucketReading } from '../../src/lib/protection/buckets.js';
import { classifyKubeProtection, protectionBinding, protectionPolicy } from '../../src/lib/protection/kube-policy.js';
import { buildProtectionPlan } from '../../src/lib/protection/plan.js';
import { protectionStatus, type ProtectionReading } from '../../src/lib/protection/status.js';

const item = (m: ReturnType<typeof protectionPolicy>): KubeItem => ({
  kind: m.kind,
  name: m.metadata.name,
  labels: {},
  finalizers: [],
  loadBalancer: [],
  spec: m.spec,
});

const settings = (name: string, over: Partial<BucketSettings> = {}): BucketSettings => ({
  name,
  metageneration: '1',
  labels: {},
  versioning: false,
  lifecycleRules: [],
  defaultEventBasedHold: false,
  ...over,
});

const protectedBuckets: BucketReading[] = [
  {
    name: 'gateway-prod-parcels-1a2b3c',
    role: 'parcels',
    settings: settings('gateway-prod-parcels-1a2b3c', { labels: { 'gwctl-protected': 'true' } }),
  },
  {
    name: 'relaycorp-gateway-prod-vault',
    role: 'vault',
    settings: settings('relaycorp-gateway-prod-vault', {
      labels: { 'gwctl-protected': 'true' },
      versioning: true,
      softDeletePolicy: { retentionDurationSeconds: 604_800 },
    }),
  },
];

function reading(over: Partial<ProtectionReading> = {}): ProtectionReading {
  return {
    env: 'prod',
    namespace: 'default',
    terraform: { file: '/infra/prod.tfvars', exists: true, value: true, line: 3 },
    kube: classifyKubeProtection(
      'prod',
      'default',
      item(protectionPolicy('prod')),
      item(protectionBinding('prod', 'default')),
    ),
    buckets: protectedBuckets,
    ...over,
  };
}

describe('destroy protection status', () => {
  it('is protected when all three places agree', () => {
    const s = protectionStatus(reading());
    expect(s.verdict).toBe('protected');
    expect(s.parts.map((p) => p.state)).toEqual(['protected', 'protected', 'protected']);
  });

  it('is inconsistent, naming the part that disagrees, when one place is off', () => {
    const s = protectionStatus(reading({ kube: classifyKubeProtection('prod', 'default', undefined, undefined) }));
    expect(s.verdict).toBe('inconsistent');
    expect(s.disagreeing).toEqual(['kubernetes']);
  });

  it('says what is wrong inside a part: a policy without binding, a warn-only binding, a bucket without label', () => {
    const k = classifyKubeProtection('prod', 'default', item(protectionPolicy('prod')), undefined);
    expect(k.problems.join()).toMatch(/binding does not, so nothing is enforced/);
    const warnOnly = {
      ...item(protectionBinding('prod', 'default')),
      spec: { ...protectionBinding('prod', 'default').spec, validationActions: ['Warn'] },
    };
    expect(classifyKubeProtection('prod', 'default', item(protectionPolicy('prod')), warnOnly).problems.join()).toMatch(
      /does not deny/,
    );
    const otherNs = classifyKubeProtection(
      'prod',
      'gateway',
      item(protectionPolicy('prod')),
      item(protectionBinding('prod', 'default')),
    );
    expect(otherNs.problems.join()).toMatch(/selects namespace default, but the environment uses gateway/);
    const buckets = [
      protectedBuckets[0]!,
      { ...protectedBuckets[1]!, settings: settings('relaycorp-gateway-prod-vault', { versioning: true }) },
    ];
    const s = protectionStatus(reading({ buckets }));
    expect(s.verdict).toBe('inconsistent');
    expect(s.parts[2]!.problems.join('\n')).toMatch(
      /gs:\/\/relaycorp-gateway-prod-vault lacks the gwctl-protected=true label/,
    );
  });

  it('is unprotected when nothing is in place, and leaves out places that are not configured', () => {
    const s = protectionStatus(
      reading({
        terraform: { exists: false },
        kube: classifyKubeProtection('prod', 'default', undefined, undefined),
        buckets: protectedBuckets.map((b) => ({ ...b, settings: settings(b.name) })),
      }),
    );
    expect(s.verdict).toBe('unprotected');
    expect(s.parts[0]!.state).toBe('not-configured');
    expect(s.parts.every((p) => !p.engaged)).toBe(true);
  });
});

describe('protection plans', () => {
  it('protect touches only what is not yet in place, and is not destructive', () => {
    const plan = buildProtectionPlan(
      reading({ kube: classifyKubeProtection('prod', 'default', undefined, undefined) }),
      true,
    );
    expect(plan.destructive).toBe(false);
    expect(plan.steps.map((s) => s.id)).toEqual([
      'put-policy/gwctl-destroy-protection-prod',
      'put-binding/gwctl-destroy-protection-prod',
    ]);
    expect(buildProtectionPlan(reading(), true).steps).toEqual([]);
  });

  it('unprotect is destructive, removes the binding before the policy, and says what to do in Terraform', () => {
    const plan = buildProtectionPlan(reading(), false);
    expect(plan.destructive).toBe(true);
    expect(plan.steps.map((s) => s.id)).toEqual([
      'set-terraform-var/prevent_destruction',
      'delete-binding/gwctl-destroy-protection-prod',
      'delete-policy/gwctl-destroy-protection-prod',
      'unlabel-bucket/gateway-prod-parcels-1a2b3c',
      'unlabel-bucket/relaycorp-gateway-prod-vault',
    ]);
    expect(plan.followUp.join('\n')).toContain('terraform apply -var-file=/infra/prod.tfvars');
  });

  it('the admission policy has the shape of the Kubernetes docs example', () => {
    const p = protectionPolicy('prod');
    expect(p.spec).toMatchObject({
      failurePolicy: 'Fail',
      matchConstraints: {
        resourceRules: expect.arrayContaining([
          { apiGroups: ['networking.k8s.io'], apiVersions: ['v1'], operations: ['DELETE'], resources: ['ingresses'] },
        ]),
      },
      validations: [{ expression: "request.operation != 'DELETE'", reason: 'Forbidden' }],
    });
    expect(protectionBinding('prod', 'gw').spec).toEqual({
      policyName: 'gwctl-destroy-protection-prod',
      validationActions: ['Deny'],
      matchResources: { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'gw' } } },
    });
  });
});
