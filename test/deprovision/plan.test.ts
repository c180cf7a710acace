import { describe, expect, it } from 'vitest';
import type { BucketSettings } from '../../src/lib/cloud/buckets.js';
import type { KubeItem, KubeKind } from '../../src/lib/cloud/kube-resources.js';
import type { DeprovisionInventory } from '../../src/lib/deprovision/inventory.js';
import { buildDeprovisionPlan, EMPTYING_RULE } from '../../src/lib/deprovision/plan.js';
import { protectionRefusal } from '../../src/lib/deprovision/guard.js';
import { protectionStatus } from '../../src/lib/protection/status.js';
import { classifyKubeProtection } from '../../src/lib/protection/kube-policy.js';

const o = (kind: KubeKind, name: string, over: Partial<KubeItem> = {}): KubeItem => ({
  kind,
  name,
  namespace: 'default',
  labels: {},
  finalizers: [],
  loadBalancer: [],
  ...over,
});

const bucket = (name: string, over: Partial<BucketSettings> = {}): BucketSettings => ({
  name,
  metageneration: '3',
  labels: {},
  versioning: false,
  lifecycleRules: [],
  defaultEventBasedHold: false,
  ...over,
});

function seeded(): DeprovisionInventory {
  return {
    env: 'staging',
    project: 'relaycorp-gateway-staging',
    region: 'europe-west1',
    namespace: 'default',
    kube: {
      Deployment: [
        o('Deployment', 'public-gateway-poweb', { replicas: 2 }),
        o('Deployment', 'public-gateway-cogrpc', { replicas: 1 }),
        o('Deployment', 'idle', { replicas: 0 }),
      ],
      StatefulSet: [o('StatefulSet', 'vault', { replicas: 3 })],
      CronJob: [o('CronJob', 'backup')],
      Job: [o('Job', 'backup-28512')],
      Ingress: [
        o('Ingress', 'public-gateway', {
          finalizers: ['networking.gke.io/ingress-finalizer-V2'],
          loadBalancer: ['34.120.1.2'],
        }),
      ],
      Service: [o('Service', 'kubernetes'), o('Service', 'public-gateway-poweb'), o('Service', 'vault')],
      ConfigMap: [o('ConfigMap', 'kube-root-ca.crt'), o('ConfigMap', 'keyev')],
      Secret: [
        o('Secret', 'default-token-abcde', { type: 'kubernetes.io/service-account-token' }),
        o('Secret', 'gateway-keys', { type: 'Opaque' }),
      ],
      PersistentVolumeClaim: [
        o('PersistentVolumeClaim', 'data-vault-0'),
        o('PersistentVolumeClaim', 'stuck', {
          deletionTimestamp: '2024-01-01T00:00:00Z',
          finalizers: ['kubernetes.io/pvc-protection'],
        }),
      ],
    },
    buckets: [
      {
        name: 'gateway-staging-parcels-9f8e7d',
        role: 'parcels',
        settings: bucket('gateway-staging-parcels-9f8e7d', {
          lifecycleRules: [{ action: { type: 'Delete' }, condition: { age: 2 } }],
        }),
        empty: false,
        measured: { objects: 120, bytes: 4096 },
      },
      {
        name: 'relaycorp-gateway-staging-vault',
        role: 'vault',
        settings: bucket('relaycorp-gateway-staging-vault', {
          versioning: true,
          softDeletePolicy: { retentionDurationSeconds: 604_800 },
        }),
        empty: false,
        measured: { objects: 305, bytes: 90_000 },
      },
      {
        name: 'relaycorp-gateway-staging-backups',
        role: 'backups',
        settings: bucket('relaycorp-gateway-staging-backups', {
          retentionPolicy: { retentionPeriod: 86_400 * 30, isLocked: true },
        }),
        empty: false,
      },
      { name: 'gateway-staging-extra', role: 'extra' },
    ],
    trigger: {
      ref: { project: 'relaycorp-gateway-staging', region: 'europe-west1', trigger: 'gateway-gke-deployment' },
      found: {
        resourceName: 'projects/relaycorp-gateway-staging/locations/europe-west1/triggers/5e0c…',
        id: '5e0c…',
        name: 'gateway-gke-deployment',
        disabled: false,
        tags: ['gke'],
      },
    },
  };
}

describe('the deprovision plan', () => {
  it('orders the steps as the runbook does, with stable ids, leaving what Kubernetes owns alone', () => {
    const plan = buildDeprovisionPlan(seeded());
    expect(plan.destructive).toBe(true);
    expect(plan.steps.map((s) => s.id)).toEqual([
      'disable-trigger/europe-west1/gateway-gke-deployment',
      'scale-down/deployment/default/public-gateway-cogrpc',
      'scale-down/deployment/default/public-gateway-poweb',
      'scale-down/statefulset/default/vault',
      'delete/cronjob/default/backup',
      'delete/job/default/backup-28512',
      'delete-ingress/default/public-gateway',
      'delete/service/default/public-gateway-poweb',
      'delete/service/default/vault',
      'delete/configmap/default/keyev',
      'delete/secret/default/gateway-keys',
      'delete/persistentvolumeclaim/default/data-vault-0',
      'empty-bucket/gateway-staging-parcels-9f8e7d',
      'empty-bucket/relaycorp-gateway-staging-vault',
      'empty-bucket/relaycorp-gateway-staging-backups',
    ]);
    expect(plan.notes.join('\n')).toMatch(/persistentvolumeclaim\/default\/stuck is terminating/);
    expect(plan.notes.join('\n')).toMatch(/gs:\/\/gateway-staging-extra \(extra\) does not exist/);
  });

  it('replaces every lifecycle rule with Delete at age 0, turns versioning and soft delete off, and keeps what it replaced', () => {
    const vault = buildDeprovisionPlan(seeded()).steps.find(
      (s) => s.id === 'empty-bucket/relaycorp-gateway-staging-vault',
    )!;
    expect(vault.detail).toMatchObject({
      patch: { lifecycleRules: [EMPTYING_RULE], versioning: false, softDeleteRetentionSeconds: 0 },
      previous: { lifecycleRules: [], softDeleteRetentionSeconds: 604_800, versioning: true },
    });
    const parcels = buildDeprovisionPlan(seeded()).steps.find(
      (s) => s.id === 'empty-bucket/gateway-staging-parcels-9f8e7d',
    )!;
    expect(parcels.detail).toMatchObject({
      patch: { lifecycleRules: [EMPTYING_RULE] },
      previous: { lifecycleRules: [{ action: { type: 'Delete' }, condition: { age: 2 } }] },
    });
    expect(parcels.description).toMatch(
      /replaces 1 rule\(s\).*about 120 object\(s\), 4\.0 KiB \(Cloud Monitoring, measured daily\) go at the next lifecycle run/,
    );
    const backups = buildDeprovisionPlan(seeded()).steps.find(
      (s) => s.id === 'empty-bucket/relaycorp-gateway-staging-backups',
    )!;
    expect(backups.description).toMatch(/not counted: Cloud Monitoring has no measurement of this bucket yet/);
  });

  it('disables the deployment trigger first, keeping what it was; none to disable is a warning, a disabled one a note', () => {
    const first = buildDeprovisionPlan(seeded()).steps[0]!;
    expect(first).toMatchObject({
      action: 'disable',
      target: 'cloudbuild-trigger/relaycorp-gateway-staging/europe-west1/gateway-gke-deployment',
      detail: { op: 'disable-trigger', previous: { disabled: false, tags: ['gke'] } },
    });
    const absent = seeded();
    delete absent.trigger.found;
    const plan = buildDeprovisionPlan(absent);
    expect(plan.steps[0]!.id).not.toMatch(/^disable-trigger/);
    expect(plan.warnings.join('\n')).toMatch(
      /no Cloud Build trigger gateway-gke-deployment \(projects\/relaycorp-gateway-staging\/locations\/europe-west1\/triggers\/gateway-gke-deployment\): nothing to disable/,
    );
    const disabled = seeded();
    disabled.trigger.found!.disabled = true;
    const already = buildDeprovisionPlan(disabled);
    expect(already.steps[0]!.id).not.toMatch(/^disable-trigger/);
    expect(already.notes.join('\n')).toMatch(/gateway-gke-deployment .* is already disabled/);
  });

  it('reports what retention policies and holds keep, and warns about the cost of keeping soft delete', () => {
    const plan = buildDeprovisionPlan(seeded(), { keepSoftDelete: true });
    const w = plan.warnings.join('\n');
    expect(w).toMatch(/gs:\/\/relaycorp-gateway-staging-backups has a retention policy of 30 day\(s\).*locked/);
    expect(w).toMatch(
      /keeps soft delete \(7 day\(s\)\): every object the rule deletes stays billable for that long \(about 87\.9 KiB now\)/,
    );
    // Holds are per object: finding them would mean listing every object, which planning never does.
    expect(plan.notes.join('\n')).toMatch(/objects under a temporary or event-based hold outlive the lifecycle rule/);
    const vault = plan.steps.find((s) => s.id === 'empty-bucket/relaycorp-gateway-staging-vault')!;
    expect((vault.detail as { patch: object }).patch).not.toHaveProperty('softDeleteRetentionSeconds');
  });

  it('warns that soft-deleted objects stay billed until their hard-delete time, counting at most one page', () => {
    const inv = seeded();
    inv.buckets[0]!.softDeleted = { objects: 1000, bytes: 4096, more: true, billedUntil: '2024-05-08T10:40:00.000Z' };
    const w = buildDeprovisionPlan(inv).warnings.join('\n');
    expect(w).toContain(
      `gs://${inv.buckets[0]!.name} holds 1000+ soft-deleted object(s) (at least 4.0 KiB), billed until 2024-05-08T10:40:00.000Z: turning soft delete off does not purge them`,
    );
  });

  it('is empty on an environment already deprovisioned (a terminating PVC needs no new step)', () => {
    const inv = seeded();
    inv.kube = {
      ...inv.kube,
      Deployment: inv.kube.Deployment.map((d) => ({ ...d, replicas: 0 })),
      StatefulSet: inv.kube.StatefulSet.map((d) => ({ ...d, replicas: 0 })),
      CronJob: [],
      Job: [],
      Ingress: [],
      Service: [o('Service', 'kubernetes')],
      ConfigMap: [o('ConfigMap', 'kube-root-ca.crt')],
      Secret: [o('Secret', 'default-token-abcde', { type: 'kubernetes.io/service-account-token' })],
      PersistentVolumeClaim: inv.kube.PersistentVolumeClaim.filter((p) => p.deletionTimestamp),
    };
    inv.trigger.found!.disabled = true;
    inv.buckets = inv.buckets.map((b) =>
      b.settings
        ? {
            ...b,
            settings: {
              ...b.settings,
              versioning: false,
              softDeletePolicy: undefined,
              lifecycleRules: [EMPTYING_RULE],
            },
          }
        : b,
    );
    expect(buildDeprovisionPlan(inv).steps).toEqual([]);
  });

  it('keeps waiting on an Ingress that is already being deleted', () => {
    const inv = seeded();
    inv.kube.Ingress = [
      o('Ingress', 'public-gateway', {
        deletionTimestamp: '2024-05-01T10:00:00Z',
        finalizers: ['networking.gke.io/ingress-finalizer-V2'],
      }),
    ];
    const step = buildDeprovisionPlan(inv).steps.find((s) => s.id === 'delete-ingress/default/public-gateway')!;
    expect(step.description).toMatch(/already deleting since 2024-05-01T10:00:00Z/);
  });

  it('lists the manual steps with exact commands (the trigger is no longer one of them)', () => {
    const plan = buildDeprovisionPlan(seeded(), { varFile: '/infra/staging/terraform.tfvars' });
    const text = plan.manual.map((m) => [m.title, ...m.commands].join('\n')).join('\n');
    expect(plan.manual.map((m) => m.id)).toEqual(['wait-for-empty-buckets', 'terraform-destroy', 'verify']);
    expect(text).not.toContain('gcloud builds triggers');
    expect(text).toContain('terraform destroy -var-file=/infra/staging/terraform.tfvars');
    expect(text).toContain('gwctl env status staging');
  });
});

describe('deprovision refuses a protected environment', () => {
  it('names each part that is on, and how to turn it off', () => {
    const status = protectionStatus({
      env: 'staging',
      namespace: 'default',
      terraform: { file: '/infra/staging.tfvars', exists: true, value: true, line: 4 },
      kube: classifyKubeProtection('staging', 'default', undefined, undefined),
      buckets: [],
    });
    const err = protectionRefusal(status)!;
    expect(err.message).toMatch(
      /^environment staging is protected against destruction: terraform \(prevent_destruction = true in \/infra\/staging.tfvars:4\); nothing was changed/,
    );
    expect(err.message).toContain('gwctl env unprotect staging, then commit the var file and run terraform apply');
    expect(err.exitCode).toBe(1);
  });
});
