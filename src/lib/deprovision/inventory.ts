import type { BucketAdmin, BucketSettings, SoftDeletedObjects } from '../cloud/buckets.js';
import { deploymentTriggerRef, type TriggerAdmin } from '../cloud/cloudbuild.js';
import type { KubeAdmin, KubeItem, KubeKind } from '../cloud/kube-resources.js';
import { isNotFound } from '../cloud/retry.js';
import type { MeasuredUsage, StorageUsageReader } from '../cloud/storage-usage.js';
import type { Environment } from '../config/schema.js';
import { environmentBuckets, type EnvBucket } from '../protection/buckets.js';
import type { TriggerFacts } from './trigger.js';

/** The cloud calls deprovisioning needs, injected. */
export interface DeprovisionDeps {
  kube: KubeAdmin;
  buckets: BucketAdmin;
  triggers: TriggerAdmin;
  usage: StorageUsageReader;
}

/** The namespaced kinds deprovisioning reads, in the order it acts on them. */
export const NAMESPACED_KINDS = [
  'Deployment',
  'StatefulSet',
  'CronJob',
  'Job',
  'Ingress',
  'Service',
  'ConfigMap',
  'Secret',
  'PersistentVolumeClaim',
] as const satisfies readonly KubeKind[];
export type NamespacedKind = (typeof NAMESPACED_KINDS)[number];

export interface BucketFacts extends EnvBucket {
  /** Absent: never created, or already destroyed. */
  settings?: BucketSettings;
  /** Holds no object, live or noncurrent (a listing of one object); absent when the bucket is. */
  empty?: boolean;
  /** Cloud Monitoring's last daily measurement (objects, bytes); absent when it has none or could not be read. */
  measured?: MeasuredUsage;
  /** Deleted but still kept and billed: one listing page. */
  softDeleted?: SoftDeletedObjects;
}

/** What exists in an environment: the input of the (pure) plan and of `env status`. */
export interface DeprovisionInventory {
  env: string;
  project: string;
  region: string;
  namespace: string;
  kube: Record<NamespacedKind, KubeItem[]>;
  buckets: BucketFacts[];
  trigger: TriggerFacts;
  /** Why Cloud Monitoring's object counts are missing, when it failed: shown, not fatal. */
  usageProblem?: string;
}

/**
 * Reads everything deprovisioning may act on, in parallel, and never lists a bucket whole: per bucket one listing
 * of one object (empty or not) and one page of soft-deleted objects; object counts and sizes come from Cloud
 * Monitoring's daily measurement (two calls for all buckets).
 */
export async function readInventory(env: Environment, deps: DeprovisionDeps): Promise<DeprovisionInventory> {
  const ns = env.kube.namespace;
  const envBuckets = environmentBuckets(env);
  const ref = deploymentTriggerRef(env);
  const [lists, buckets, found, usage] = await Promise.all([
    Promise.all(NAMESPACED_KINDS.map((kind) => deps.kube.list(kind, ns))),
    Promise.all(envBuckets.map((b) => readBucket(b, deps.buckets))),
    deps.triggers.get(ref).then(
      (t) => ({ found: t }),
      (err: unknown) => ({ problem: (err as Error).message }),
    ),
    deps.usage.usage(envBuckets.map((b) => b.name)).then(
      (measured) => ({ measured }),
      (err: unknown) => ({ problem: (err as Error).message }),
    ),
  ]);
  const measured = 'measured' in usage ? usage.measured : {};
  return {
    env: env.name,
    project: env.project,
    region: env.region,
    namespace: ns,
    kube: Object.fromEntries(NAMESPACED_KINDS.map((kind, i) => [kind, lists[i]!])) as Record<
      NamespacedKind,
      KubeItem[]
    >,
    buckets: buckets.map((b) => (b.settings && measured[b.name] ? { ...b, measured: measured[b.name] } : b)),
    trigger: {
      ref,
      ...('problem' in found ? { problem: found.problem } : found.found ? { found: found.found } : {}),
    },
    ...('problem' in usage ? { usageProblem: usage.problem } : {}),
  };
}

async function readBucket(b: EnvBucket, admin: BucketAdmin): Promise<BucketFacts> {
  try {
    const settings = await admin.settings(b.name);
    const [empty, softDeleted] = await Promise.all([admin.isEmpty(b.name), admin.softDeleted(b.name)]);
    return { ...b, settings, empty, softDeleted };
  } catch (err) {
    if (isNotFound(err)) return b;
    throw err;
  }
}
