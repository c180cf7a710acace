import { bucketNameProblem } from '../config/bucket-name.js';
import type { Environment } from '../config/schema.js';
import { UsageError } from '../errors/gwctl-error.js';
import { resolveBucket } from '../lifecycle/bucket-ref.js';
import type { BackupLocation } from './layout.js';
import { gsUrl } from '../config/gs-url.js';

/** A bucket another environment of gwctl.yaml uses. */
export interface KnownBucket {
  env: string;
  role: string;
  name: string;
}

/** Every bucket of the given environments, by role (and `extraBuckets`). */
export function bucketsOf(envs: Pick<Environment, 'name' | 'buckets' | 'extraBuckets'>[]): KnownBucket[] {
  return envs.flatMap((e) => [
    ...Object.entries(e.buckets).flatMap(([role, name]) => (name ? [{ env: e.name, role, name }] : [])),
    ...e.extraBuckets.map((name) => ({ env: e.name, role: 'extra', name })),
  ]);
}

/**
 * `--to-bucket`: a role, a bucket name or a `gs://` URL, resolved as `--bucket` is, then refused if it
 * is a bucket this environment, or another one in gwctl.yaml (`others`), already uses. Decided before
 * any call is made.
 */
export function restoreTargetBucket(
  env: Environment,
  loc: BackupLocation,
  toBucket: string,
  others: KnownBucket[] = [],
): string {
  const { name } = resolveBucket(env, toBucket, '--to-bucket');
  const what = `--to-bucket ${toBucket}`;
  refuseEnvironmentBucket(env, loc, name, what);
  refuseOtherEnvironments(env, name, others, what);
  return name;
}

/** `--in-place`: the backed-up bucket, unless it is another environment's (its confirmation would name the wrong one). */
export function inPlaceTarget(env: Environment, loc: BackupLocation, others: KnownBucket[] = []): string {
  refuseOtherEnvironments(env, loc.sourceBucket, others, '--in-place');
  return loc.sourceBucket;
}

function refuseOtherEnvironments(env: Environment, name: string, others: KnownBucket[], what: string): void {
  const other = others.find((b) => b.name === name && b.env !== env.name);
  if (other)
    throw new UsageError(
      `${what} would write into ${gsUrl(name)}, the ${other.role} bucket of environment "${other.env}": a restore of "${env.name}"'s backup must not; name a new bucket, or run it with --env ${other.env}`,
    );
}

/** `<source>-restore-<yyyymmddthhmmssz>`: a new bucket per restore, so nothing is overwritten by default. */
export function defaultRestoreBucket(env: Environment, loc: BackupLocation, id: string): string {
  const name = `${loc.sourceBucket}-restore-${id.split('-')[0]!.toLowerCase()}`;
  const problem = bucketNameProblem(name);
  if (problem)
    throw new UsageError(
      `the default restore bucket ${gsUrl(name)} is not a valid name (${problem}); pass --to-bucket`,
    );
  refuseEnvironmentBucket(env, loc, name, `the default restore bucket ${gsUrl(name)}`);
  return name;
}

/**
 * Restoring into the backed-up bucket is `--in-place` (destructive, typed confirmation), never a
 * side effect of spelling it another way; into the backup, parcels or Vault bucket it would mix a
 * backup into data it has nothing to do with.
 */
function refuseEnvironmentBucket(env: Environment, loc: BackupLocation, name: string, what: string): void {
  const where = gsUrl(name);
  if (name === loc.sourceBucket)
    throw new UsageError(
      `${what} is ${where}, the backed-up bucket itself: to restore into it, pass --in-place (without --to-bucket)`,
    );
  if (name === loc.backupBucket)
    throw new UsageError(
      `${what} is ${where}, the backup bucket: restored objects would land among the backups; name a new bucket`,
    );
  const role = name === env.buckets.parcels ? 'parcels' : name === env.buckets.vault ? 'Vault' : undefined;
  if (role)
    throw new UsageError(
      `${what} is ${where}, the ${role} bucket of environment "${env.name}": a restore there would mix this backup into it; name a new bucket`,
    );
  if (env.extraBuckets.includes(name))
    throw new UsageError(`${what} is ${where}, one of environment "${env.name}"'s extraBuckets; name a new bucket`);
}
