import type { Environment } from '../config/schema.js';
import { openBucketAdmin, type BucketAdmin } from './buckets.js';
import { openTriggerAdmin, type TriggerAdmin } from './cloudbuild.js';
import { openLeaseAdmin, type LeaseAdmin } from './kube-lease.js';
import { openKubeAdmin, type KubeAdmin } from './kube-resources.js';
import type { RetryOptions } from './retry.js';
import { openStorageUsage, type StorageUsageReader } from './storage-usage.js';

/** Everything protecting, inspecting and deprovisioning an environment calls; close() once done (gRPC channels). */
export interface EnvironmentAdmins {
  kube: KubeAdmin;
  buckets: BucketAdmin;
  triggers: TriggerAdmin;
  leases: LeaseAdmin;
  usage: StorageUsageReader;
  close(): Promise<void>;
}

/** The environment's admins; Kubernetes and bucket calls retry transient failures (429, 5xx, resets). */
export async function openEnvironmentAdmins(
  env: Environment,
  opts: { retry?: RetryOptions } = {},
): Promise<EnvironmentAdmins> {
  const [kube, buckets, triggers, leases] = await Promise.all([
    openKubeAdmin(env, opts.retry),
    openBucketAdmin(env, opts),
    openTriggerAdmin(env),
    openLeaseAdmin(env),
  ]);
  const usage = openStorageUsage(env);
  return {
    kube,
    buckets,
    triggers,
    leases,
    usage,
    close: async () => {
      await Promise.all([triggers.close(), usage.close()]);
    },
  };
}

/** Opens the environment's admins, runs `fn` with them, and closes them however it ends. */
export async function withEnvironmentAdmins<T>(env: Environment, fn: (a: EnvironmentAdmins) => Promise<T>): Promise<T> {
  const admins = await openEnvironmentAdmins(env);
  try {
    return await fn(admins);
  } finally {
    await admins.close();
  }
}
