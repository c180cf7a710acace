import type { BucketAdmin, BucketInventory, BucketSettings, SoftDeletedObjects } from '../cloud/buckets.js';
import type { KubeAdmin, KubeItem, KubeKind } from '../cloud/kube-resources.js';
import { isNotFound } from '../cloud/retry.js';
import type { Environment } from '../config/schema.js';
import { environmentBuckets, type EnvBucket } from '../protection/buckets.js';

/** The cloud calls deprovisioning needs, injected. */
export interface DeprovisionDeps {
  kube: KubeAdmin;
  buckets: BucketAdmin;
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
  /** Objects, bytes, holds, noncurrent versions; absent when the bucket is, or when not listed. */
  contents?: BucketInventory;
  /** Deleted but still kept and billed; read with `contents`. */
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
}

/** Reads everything deprovisioning may act on, in parallel. `contents: false` skips listing objects. */
export async function readInventory(
  env: Environment,
  deps: DeprovisionDeps,
  opts: { contents?: boolean } = {},
): Promise<DeprovisionInventory> {
  const ns = env.kube.namespace;
  const [lists, buckets] = await Promise.all([
    Promise.all(NAMESPACED_KINDS.map((kind) => deps.kube.list(kind, ns))),
    Promise.all(environmentBuckets(env).map((b) => readBucket(b, deps.buckets, opts.contents !== false))),
  ]);
  return {
    env: env.name,
    project: env.project,
    region: env.region,
    namespace: ns,
    kube: Object.fromEntries(NAMESPACED_KINDS.map((kind, i) => [kind, lists[i]!])) as Record<
      NamespacedKind,
      KubeItem[]
    >,
    buckets,
  };
}

async function readBucket(b: EnvBucket, admin: BucketAdmin, contents: boolean): Promise<BucketFacts> {
  try {
    const settings = await admin.settings(b.name);
    if (!contents) return { ...b, settings };
    const [inventory, softDeleted] = await Promise.all([admin.inventory(b.name), admin.softDeleted(b.name)]);
    return { ...b, settings, contents: inventory, softDeleted };
  } catch (err) {
    if (isNotFound(err)) return b;
    throw err;
  }
}
