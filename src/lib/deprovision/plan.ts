import type { BucketSettingsPatch, LifecycleRule, SoftDeletedObjects } from '../cloud/buckets.js';
import type { TriggerRef } from '../cloud/cloudbuild.js';
import type { KubeItem } from '../cloud/kube-resources.js';
import { makePlan, type Plan, type PlanStep } from '../plan/plan.js';
import type { BucketFacts, DeprovisionInventory, NamespacedKind } from './inventory.js';
import { manualSteps, type ManualStep } from './manual.js';
import { formatBytes } from '../ui/bytes.js';
import { gsUrl } from '../config/gs-url.js';
import { DEPROVISION_TAG, describeTrigger, triggerState, type TriggerFacts } from './trigger.js';

/** The only lifecycle rule of a bucket being emptied: delete every object, live or noncurrent, at the next run. */
export const EMPTYING_RULE: LifecycleRule = { action: { type: 'Delete' }, condition: { age: 0 } };

/** What each deprovision step does when applied. */
export type DeprovisionOp =
  | { op: 'disable-trigger'; trigger: TriggerRef; previous: { disabled: boolean; tags: string[] } }
  | { op: 'scale-down'; kind: 'Deployment' | 'StatefulSet'; name: string; namespace: string }
  | {
      op: 'delete';
      kind: Exclude<NamespacedKind, 'Deployment' | 'StatefulSet' | 'Ingress'>;
      name: string;
      namespace: string;
    }
  | { op: 'delete-ingress'; name: string; namespace: string }
  | {
      op: 'empty-bucket';
      bucket: string;
      patch: BucketSettingsPatch;
      previous: { lifecycleRules: LifecycleRule[]; softDeleteRetentionSeconds: number; versioning: boolean };
    };

export interface DeprovisionOptions {
  /** Keep the buckets' soft-delete policies (a recovery window, paid for): off by default. */
  keepSoftDelete?: boolean;
  /** The var file's path, for the manual Terraform steps. */
  varFile?: string;
}

export interface DeprovisionPlan extends Plan {
  /** What gwctl cannot do for you, with exact commands, in order. */
  manual: ManualStep[];
  /** Facts worth knowing that need no action now (objects already terminating, absent buckets). */
  notes: string[];
}

/** Objects the cluster owns and recreates: deleting them is useless or harmful. */
const SYSTEM_SERVICES = new Set(['kubernetes']);
const SYSTEM_CONFIGMAPS = new Set(['kube-root-ca.crt']);
const SERVICE_ACCOUNT_TOKEN = 'kubernetes.io/service-account-token';

type DeletedKind = 'CronJob' | 'Job' | 'Service' | 'ConfigMap' | 'Secret' | 'PersistentVolumeClaim';

/** Whether deprovisioning would delete this object: everything but what Kubernetes itself manages. */
export function isDeletable(kind: NamespacedKind, o: KubeItem): boolean {
  if (kind === 'Service') return !SYSTEM_SERVICES.has(o.name);
  if (kind === 'ConfigMap') return !SYSTEM_CONFIGMAPS.has(o.name);
  if (kind === 'Secret') return o.type !== SERVICE_ACCOUNT_TOKEN;
  return true;
}

/** Whether a bucket already has exactly what emptying needs: the age-0 rule alone, no versioning, soft delete off (unless kept). */
export function bucketIsEmptying(b: BucketFacts, keepSoftDelete = false): boolean {
  const s = b.settings;
  if (!s) return true;
  const onlyRule = s.lifecycleRules.length === 1 && isEmptyingRule(s.lifecycleRules[0]!);
  const soft = s.softDeletePolicy?.retentionDurationSeconds ?? 0;
  return onlyRule && !s.versioning && (keepSoftDelete || soft === 0);
}

export const isEmptyingRule = (r: LifecycleRule) =>
  r.action.type === 'Delete' && r.condition.age === 0 && Object.keys(r.condition).length === 1;

const kindWord = (kind: string) => kind.toLowerCase();
const target = (kind: string, ns: string, name: string) => `${kindWord(kind)}/${ns}/${name}`;

/**
 * The ordered steps that take what exists to "nothing left but Terraform's part": disable the deployment trigger
 * first, so CI cannot redeploy what is being torn down, then stop the workloads,
 * remove the jobs, remove each Ingress and wait for GKE to tear its load balancer down, remove
 * Services, ConfigMaps, Secrets and PVCs, then make every bucket empty itself. Pure: built from the
 * inventory alone, so an already-deprovisioned environment yields no steps.
 */
export function buildDeprovisionPlan(inv: DeprovisionInventory, opts: DeprovisionOptions = {}): DeprovisionPlan {
  const ns = inv.namespace;
  const steps: PlanStep[] = [];
  const warnings: string[] = [];
  const notes: string[] = [];

  const trigger = triggerStep(inv.trigger, warnings, notes);
  if (trigger) steps.push(trigger);

  for (const kind of ['Deployment', 'StatefulSet'] as const) {
    for (const w of sorted(inv.kube[kind])) {
      if ((w.replicas ?? 0) === 0) continue;
      steps.push({
        id: `scale-down/${kindWord(kind)}/${ns}/${w.name}`,
        action: 'scale-down',
        target: target(kind, ns, w.name),
        description: `replicas ${w.replicas} → 0`,
        detail: { op: 'scale-down', kind, name: w.name, namespace: ns } satisfies DeprovisionOp,
      });
    }
  }

  const deleteStep = (kind: DeletedKind, o: KubeItem, description = '') => ({
    id: `delete/${kindWord(kind)}/${ns}/${o.name}`,
    action: 'delete',
    target: target(kind, ns, o.name),
    description,
    detail: { op: 'delete', kind, name: o.name, namespace: ns } satisfies DeprovisionOp,
  });

  for (const kind of ['CronJob', 'Job'] as const)
    for (const o of pending(kind, inv, notes)) steps.push(deleteStep(kind, o));

  for (const ing of sorted(inv.kube.Ingress)) {
    const lb = ing.loadBalancer.length ? ` (load balancer ${ing.loadBalancer.join(', ')})` : '';
    steps.push({
      id: `delete-ingress/${ns}/${ing.name}`,
      action: 'delete',
      target: target('Ingress', ns, ing.name),
      description: ing.deletionTimestamp
        ? `already deleting since ${ing.deletionTimestamp}; wait until its finalizers are gone${lb}`
        : `and wait until GKE has torn down its load balancer${lb}`,
      detail: { op: 'delete-ingress', name: ing.name, namespace: ns } satisfies DeprovisionOp,
    });
  }

  for (const kind of ['Service', 'ConfigMap', 'Secret', 'PersistentVolumeClaim'] as const)
    for (const o of pending(kind, inv, notes))
      steps.push(
        deleteStep(
          kind,
          o,
          kind === 'Service' && o.type === 'LoadBalancer' ? 'its network load balancer goes with it' : '',
        ),
      );

  for (const b of inv.buckets) {
    if (!b.settings) {
      notes.push(`${gsUrl(b.name)} (${b.role}) does not exist: nothing to empty`);
      continue;
    }
    warnings.push(...bucketWarnings(b, opts.keepSoftDelete ?? false));
    if (bucketIsEmptying(b, opts.keepSoftDelete)) continue;
    steps.push(emptyBucketStep(b, opts.keepSoftDelete ?? false));
  }
  if (inv.buckets.some((b) => b.settings && !b.empty))
    notes.push(
      'objects under a temporary or event-based hold outlive the lifecycle rule; gwctl does not list every object to find them: once the buckets should be empty, gwctl env status says which still hold objects',
    );
  if (inv.usageProblem) notes.push(`object counts unavailable (Cloud Monitoring: ${inv.usageProblem})`);

  const plan = makePlan({
    command: 'env deprovision',
    env: inv.env,
    summary: 'deprovision the environment',
    steps,
    destructive: true,
    warnings,
  });
  return { ...plan, manual: manualSteps(inv, opts.varFile), notes };
}

function emptyBucketStep(b: BucketFacts, keepSoftDelete: boolean): PlanStep {
  const s = b.settings!;
  const soft = s.softDeletePolicy?.retentionDurationSeconds ?? 0;
  const patch: BucketSettingsPatch = { lifecycleRules: [EMPTYING_RULE] };
  const changes = [
    `lifecycle: Delete at age 0${s.lifecycleRules.length ? ` replaces ${s.lifecycleRules.length} rule(s)` : ''}`,
  ];
  if (s.versioning) {
    // With versioning on, the rule would first turn live objects into noncurrent ones and need a second run.
    patch.versioning = false;
    changes.push('versioning off');
  }
  if (!keepSoftDelete && soft > 0) {
    patch.softDeleteRetentionSeconds = 0;
    // GCS keeps what was soft-deleted before the change for the duration then in force.
    changes.push(`soft delete ${days(soft)} → off (what is already soft-deleted stays until its hard-delete time)`);
  }
  if (!b.empty) changes.push(`${usageText(b)} go at the next lifecycle run (usually within a day)`);
  return {
    id: `empty-bucket/${b.name}`,
    action: 'set-lifecycle',
    target: gsUrl(b.name),
    description: changes.join('; '),
    detail: {
      op: 'empty-bucket',
      bucket: b.name,
      patch,
      previous: { lifecycleRules: s.lifecycleRules, softDeleteRetentionSeconds: soft, versioning: s.versioning },
    } satisfies DeprovisionOp,
  };
}

/** What would keep a bucket from emptying, or make emptying cost more than it needs to. */
export function bucketWarnings(b: BucketFacts, keepSoftDelete: boolean): string[] {
  const s = b.settings!;
  const out: string[] = [];
  const rp = s.retentionPolicy;
  if (rp && rp.retentionPeriod > 0) {
    const fix = rp.isLocked
      ? 'it is locked and cannot be removed'
      : `remove it with: gcloud storage buckets update ${gsUrl(b.name)} --clear-retention-period`;
    out.push(
      `${gsUrl(b.name)} has a retention policy of ${days(rp.retentionPeriod)}: objects younger than that stay until they expire (${fix})`,
    );
  }
  if (s.defaultEventBasedHold)
    out.push(
      `${gsUrl(b.name)} puts an event-based hold on new objects (defaultEventBasedHold): turn it off with gcloud storage buckets update ${gsUrl(b.name)} --no-default-event-based-hold`,
    );
  const soft = s.softDeletePolicy?.retentionDurationSeconds ?? 0;
  if (keepSoftDelete && soft > 0)
    out.push(
      `${gsUrl(b.name)} keeps soft delete (${days(soft)}): every object the rule deletes stays billable for that long${b.measured ? ` (about ${formatBytes(b.measured.bytes)} now)` : ''}`,
    );
  const billed = softDeletedBilled(b.name, b.softDeleted);
  if (billed) out.push(billed);
  return out;
}

/** Disable the deployment trigger, unless it already is (or there is none: then say so). */
function triggerStep(t: TriggerFacts, warnings: string[], notes: string[]): PlanStep | undefined {
  const state = triggerState(t);
  const what = describeTrigger(t);
  if (state === 'absent') {
    warnings.push(
      `no ${what}: nothing to disable; if CI deploys the gateway from another trigger, name it in cloudBuild.trigger in gwctl.yaml, or disable it by hand (gcloud builds triggers list --project=${t.ref.project} --region=${t.ref.region})`,
    );
    return undefined;
  }
  if (state === 'disabled by gwctl env deprovision') {
    notes.push(`${what} is already disabled`);
    return undefined;
  }
  if (state === 'disabled') {
    // Left untagged: `env protect` enables only what gwctl disabled.
    notes.push(`${what} is already disabled, and not by gwctl: left as it is (env protect will not enable it)`);
    return undefined;
  }
  if (t.problem) warnings.push(`could not read ${what}: ${t.problem}; the first step tries again`);
  return {
    id: `disable-trigger/${t.ref.region}/${t.ref.trigger}`,
    action: 'disable',
    target: `cloudbuild-trigger/${t.ref.project}/${t.ref.region}/${t.ref.trigger}`,
    description: `first, so CI cannot redeploy what is being torn down (tagged ${DEPROVISION_TAG}; gwctl env protect enables it again)`,
    detail: {
      op: 'disable-trigger',
      trigger: t.ref,
      previous: { disabled: t.found?.disabled ?? false, tags: t.found?.tags ?? [] },
    } satisfies DeprovisionOp,
  };
}

/** "about 20000 object(s), 7.5 GiB (Cloud Monitoring, measured daily)", or what is known without a count. */
export function usageText(b: BucketFacts): string {
  if (b.empty) return 'no object';
  if (!b.measured) return 'its objects (not counted: Cloud Monitoring has no measurement of this bucket yet)';
  return `about ${b.measured.objects} object(s), ${formatBytes(b.measured.bytes)} (Cloud Monitoring, measured daily)`;
}

/** Soft-deleted objects are billed until their hard-delete time; turning soft delete off does not purge them. */
export function softDeletedBilled(bucket: string, d: SoftDeletedObjects | undefined): string | undefined {
  if (!d || d.objects === 0) return undefined;
  const count = `${d.objects}${d.more ? '+' : ''} soft-deleted object(s) (${d.more ? 'at least ' : ''}${formatBytes(d.bytes)})`;
  return `${gsUrl(bucket)} holds ${count}, billed until ${d.billedUntil ?? 'their hard-delete time'}: turning soft delete off does not purge them; list them with gcloud storage ls --soft-deleted ${gsUrl(bucket, '**')}`;
}

/** Objects of a kind still to delete; those already terminating are noted, not deleted again. */
function pending(kind: DeletedKind, inv: DeprovisionInventory, notes: string[]): KubeItem[] {
  const out: KubeItem[] = [];
  for (const o of sorted(inv.kube[kind])) {
    if (!isDeletable(kind, o)) continue;
    if (o.deletionTimestamp)
      notes.push(
        `${target(kind, inv.namespace, o.name)} is terminating (finalizers: ${o.finalizers.join(', ') || 'none'})`,
      );
    else out.push(o);
  }
  return out;
}

const sorted = (items: KubeItem[]) => [...items].sort((a, b) => a.name.localeCompare(b.name));

export const days = (seconds: number) => `${+(seconds / 86_400).toFixed(2)} day(s)`;
