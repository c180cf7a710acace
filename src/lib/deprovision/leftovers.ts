import type { SoftDeletedObjects } from '../cloud/buckets.js';
import { triggerName } from '../cloud/cloudbuild.js';
import type { DeprovisionInventory } from './inventory.js';
import type { JournalData } from './journal.js';
import type { LeaseHolder } from './lease.js';
import { bucketIsEmptying, isDeletable } from './plan.js';
import { triggerState, type TriggerState } from './trigger.js';

export interface BucketLeft {
  name: string;
  role: string;
  exists: boolean;
  /** No object, live or noncurrent (a listing of one object: exact, and current). */
  empty?: boolean;
  /** Objects (noncurrent versions included) and bytes at Cloud Monitoring's last daily measurement: may be a day old. */
  objects?: number;
  bytes?: number;
  /** The age-0 Delete rule is the bucket's only rule, with versioning off: it empties itself. */
  emptying?: boolean;
  softDeleteSeconds?: number;
  /** Deleted objects GCS still keeps, and bills, until their hard-delete time. */
  softDeleted?: SoftDeletedObjects;
}

export interface Leftovers {
  workloads: { kind: string; name: string; replicas: number; ready: number }[];
  ingresses: {
    name: string;
    state: 'serving' | 'deleting';
    loadBalancer: string[];
    finalizers: string[];
    since?: string;
  }[];
  /** Objects deprovisioning deletes that still exist, by kind (system objects excluded). */
  counts: Record<'cronJobs' | 'jobs' | 'services' | 'configMaps' | 'secrets' | 'persistentVolumeClaims', number>;
  buckets: BucketLeft[];
  /** The deployment trigger: disabled while the environment is torn down. */
  trigger: { name: string; resourceName: string; state: TriggerState; problem?: string };
  deprovision: {
    state: 'not started' | 'in progress' | 'finished';
    steps: number;
    startedAt?: string;
    finishedAt?: string;
    runs?: number;
    journal?: string;
    /** A run holding the environment's deprovision Lease right now. */
    runningNow?: LeaseHolder;
  };
  /**
   * Nothing is left that gwctl's part of deprovisioning removes, and every bucket is empty or absent. Soft-deleted
   * objects do not count: nothing removes them before their hard-delete time (see `buckets[].softDeleted`).
   */
  clean: boolean;
}

/** What is left of an environment: the answer of `env status` after (or during) a deprovision. */
export function leftovers(
  inv: DeprovisionInventory,
  journal: JournalData | undefined,
  journalFile?: string,
  runningNow?: LeaseHolder,
): Leftovers {
  const k = inv.kube;
  const workloads = [...k.Deployment, ...k.StatefulSet].map((w) => ({
    kind: w.kind,
    name: w.name,
    replicas: w.replicas ?? 0,
    ready: w.readyReplicas ?? 0,
  }));
  const ingresses = k.Ingress.map((i) => ({
    name: i.name,
    state: i.deletionTimestamp ? ('deleting' as const) : ('serving' as const),
    loadBalancer: i.loadBalancer,
    finalizers: i.finalizers,
    ...(i.deletionTimestamp ? { since: i.deletionTimestamp } : {}),
  }));
  const count = (kind: 'CronJob' | 'Job' | 'Service' | 'ConfigMap' | 'Secret' | 'PersistentVolumeClaim') =>
    k[kind].filter((o) => isDeletable(kind, o)).length;
  const counts = {
    cronJobs: count('CronJob'),
    jobs: count('Job'),
    services: count('Service'),
    configMaps: count('ConfigMap'),
    secrets: count('Secret'),
    persistentVolumeClaims: count('PersistentVolumeClaim'),
  };
  const buckets = inv.buckets.map((b): BucketLeft =>
    b.settings
      ? {
          name: b.name,
          role: b.role,
          exists: true,
          empty: Boolean(b.empty),
          ...(b.measured ? { objects: b.measured.objects, bytes: b.measured.bytes } : {}),
          emptying: bucketIsEmptying(b, true),
          softDeleteSeconds: b.settings.softDeletePolicy?.retentionDurationSeconds ?? 0,
          ...(b.softDeleted ? { softDeleted: b.softDeleted } : {}),
        }
      : { name: b.name, role: b.role, exists: false },
  );
  const clean =
    workloads.every((w) => w.replicas === 0) &&
    ingresses.length === 0 &&
    Object.values(counts).every((n) => n === 0) &&
    buckets.every((b) => !b.exists || b.empty);
  const deprovision = journal
    ? {
        state: journal.finishedAt ? ('finished' as const) : ('in progress' as const),
        steps: Object.keys(journal.steps).length,
        startedAt: journal.startedAt,
        ...(journal.finishedAt ? { finishedAt: journal.finishedAt } : {}),
        runs: journal.runs,
        ...(journalFile ? { journal: journalFile } : {}),
      }
    : { state: 'not started' as const, steps: 0 };
  const t = inv.trigger;
  const trigger = {
    name: t.ref.trigger,
    resourceName: t.found?.resourceName ?? triggerName(t.ref),
    state: triggerState(t),
    ...(t.problem ? { problem: t.problem } : {}),
  };
  return {
    workloads,
    ingresses,
    counts,
    buckets,
    trigger,
    deprovision: { ...deprovision, ...(runningNow ? { runningNow } : {}) },
    clean,
  };
}
