import { BUCKET_NAMING_URL, bucketNameProblem } from '../config/bucket-name.js';
import type { Environment } from '../config/schema.js';
import { UsageError } from '../errors/gwctl-error.js';
import { gsUrl } from '../config/gs-url.js';

export const BUCKET_ROLES = ['parcels', 'vault', 'backups'] as const;
export type BucketRole = (typeof BUCKET_ROLES)[number];

export interface BucketRef {
  name: string;
  /** Set when the bucket is one of the environment's role buckets, however it was named. */
  role?: BucketRole;
}

const isRole = (s: string): s is BucketRole => (BUCKET_ROLES as readonly string[]).includes(s);

/**
 * The one reading of a bucket argument (`--bucket`, `--to-bucket`): a role from gwctl.yaml (`parcels`,
 * `vault`, `backups`), a `gs://name` URL, or a bare bucket name. A URL always names a bucket, so
 * `gs://vault` is the bucket called "vault", never the role. Names are checked against GCS's naming
 * rules here, before any call is made, and a role's bucket named directly is still that role: the
 * guards on the vault and backups buckets must not depend on spelling.
 */
export function resolveBucket(env: Environment, given: string, flag = '--bucket'): BucketRef {
  const text = given.trim();
  const url = text.match(/^gs:\/\/([^/]*)(\/.*)?$/i);
  const value = url ? url[1]! : text;
  if (!url && isRole(value)) {
    const name = env.buckets[value];
    if (!name)
      throw new UsageError(
        `environment "${env.name}" has no buckets.${value} (${env.source}); set it there or pass the bucket's name with ${flag}`,
      );
    return { name, role: value };
  }
  const problem = bucketNameProblem(value);
  if (problem)
    throw new UsageError(
      `${flag} "${given}" is neither a role (${BUCKET_ROLES.join(', ')}) nor a GCS bucket name: ${problem} (${BUCKET_NAMING_URL})`,
    );
  if (url?.[2] && url[2] !== '/')
    throw new UsageError(`${flag} ${given} names objects in a bucket; give the bucket alone (${gsUrl(value)})`);
  const role = BUCKET_ROLES.find((r) => env.buckets[r] === value);
  return { name: value, ...(role ? { role } : {}) };
}

export const describeRef = (ref: BucketRef) => `${gsUrl(ref.name)}${ref.role ? ` (${ref.role})` : ''}`;
