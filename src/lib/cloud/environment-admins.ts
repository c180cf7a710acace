import type { Environment } from '../config/schema.js';
import { openBucketAdmin, type BucketAdmin } from './buckets.js';
import { openKubeAdmin, type KubeAdmin } from './kube-resources.js';
import { retryingBucketAdmin } from './retry.js';

/** The Kubernetes and bucket admins of an environment, both retrying transient failures (429, 5xx, resets). */
export async function openEnvironmentAdmins(env: Environment): Promise<{ kube: KubeAdmin; buckets: BucketAdmin }> {
  const [kube, buckets] = await Promise.all([openKubeAdmin(env), openBucketAdmin(env)]);
  return { kube, buckets: retryingBucketAdmin(buckets) };
}
