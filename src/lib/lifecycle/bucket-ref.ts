import type { Environment } from '../config/schema.js';
import { UsageError } from '../errors/gwctl-error.js';

export const BUCKET_ROLES = ['parcels', 'vault', 'backups'] as const;
export type BucketRole = (typeof BUCKET_ROLES)[number];

export interface BucketRef {
  name: string;
  /** Set when the bucket was named by its role in gwctl.yaml. */
  role?: BucketRole;
}

const isRole = (s: string): s is BucketRole => (BUCKET_ROLES as readonly string[]).includes(s);

/** `--bucket parcels|vault|backups` resolves through `env.buckets`; anything else is taken as a bucket name. */
export function resolveBucket(env: Environment, given: string): BucketRef {
  const value = given
    .trim()
    .replace(/^gs:\/\//, '')
    .replace(/\/$/, '');
  if (isRole(value)) {
    const name = env.buckets[value];
    if (!name)
      throw new UsageError(
        `environment "${env.name}" has no buckets.${value} (${env.source}); set it there or pass the bucket's name with --bucket`,
      );
    return { name, role: value };
  }
  if (!/^[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]$/.test(value))
    throw new UsageError(`--bucket "${given}" is neither a role (${BUCKET_ROLES.join(', ')}) nor a GCS bucket name`);
  // A role's bucket named directly is still that role: the vault's safeguards must not depend on spelling.
  const role = BUCKET_ROLES.find((r) => env.buckets[r] === value);
  return { name: value, ...(role ? { role } : {}) };
}

export const describeRef = (ref: BucketRef) => `gs://${ref.name}${ref.role ? ` (${ref.role})` : ''}`;
