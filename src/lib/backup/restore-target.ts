import { bucketNameProblem } from '../config/bucket-name.js';
import type { Environment } from '../config/schema.js';
import { UsageError } from '../errors/gwctl-error.js';
import { resolveBucket } from '../lifecycle/bucket-ref.js';
import type { BackupLocation } from './layout.js';

/**
 * `--to-bucket`: a role, a bucket name or a `gs://` URL, resolved as `--bucket` is, then refused if it
 * is a bucket the environment already uses for something else. Decided before any call is made.
 */
export function restoreTargetBucket(env: Environment, loc: BackupLocation, toBucket: string): string {
  const { name } = resolveBucket(env, toBucket, '--to-bucket');
  refuseEnvironmentBucket(env, loc, name, `--to-bucket ${toBucket}`);
  return name;
}

/** `<source>-restore-<yyyymmddthhmmssz>`: a new bucket per restore, so nothing is overwritten by default. */
export function defaultRestoreBucket(env: Environment, loc: BackupLocation, id: string): string {
  const name = `${loc.sourceBucket}-restore-${id.split('-')[0]!.toLowerCase()}`;
  const problem = bucketNameProblem(name);
  if (problem)
    throw new UsageError(`the default restore bucket gs://${name} is not a valid name (${problem}); pass --to-bucket`);
  refuseEnvironmentBucket(env, loc, name, `the default restore bucket gs://${name}`);
  return name;
}

/**
 * Restoring into the backed-up bucket is `--in-place` (destructive, typed confirmation), never a
 * side effect of spelling it another way; into the backup, parcels or Vault bucket it would mix a
 * backup into data it has nothing to do with.
 */
function refuseEnvironmentBucket(env: Environment, loc: BackupLocation, name: string, what: string): void {
  const where = `gs://${name}`;
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
