import type { Environment } from '../config/schema.js';
import { openBucketAdmin, type BucketAdmin } from './buckets.js';
import { openKubeAdmin, type KubeAdmin } from './kube-resources.js';
import type { RetryOptions } from './retry.js';

/** The Kubernetes and bucket admins of an environment; each retries its own transient failures (429, 5xx, resets). */
export async function openEnvironmentAdmins(
  env: Environment,
  opts: { retry?: RetryOptions } = {},
): Promise<{ kube: KubeAdmin; buckets: BucketAdmin }> {
  const [kube, buckets] = await Promise.all([openKubeAdmin(env, opts.retry), openBucketAdmin(env, opts)]);
  return { kube, buckets };
}
