import type { ObjectInfo, ObjectStore } from '../cloud/object-store.js';
import { PreconditionFailedError } from '../cloud/object-store.js';
import { chunk } from './bounded.js';
import type { BackupLocation } from './layout.js';

/**
 * Where `--engine sts` stages: a Storage Transfer Service job copies objects under their own names, so a backup's
 * job writes into `<prefix>staging/<backup id>/<name>` and gwctl moves each staged object into its blob; the job's
 * transfer manifest is `<prefix>staging/<run>.csv`. A restore's job writes into the target bucket's
 * `gwctl-staging/restore-<backup id>/<blob key>`, which the restore renames and then deletes.
 */
export const stagingPrefix = (loc: BackupLocation) => `${loc.prefix}staging/`;
export const stagingRunPrefix = (loc: BackupLocation, run: string) => `${stagingPrefix(loc)}${run}/`;
export const transferManifestName = (loc: BackupLocation, run: string) => `${stagingPrefix(loc)}${run}.csv`;
/** gwctl's own scratch space in a restored bucket: never backed up, never counted or deleted as extra by a restore. */
export const RESTORE_STAGING_ROOT = 'gwctl-staging/';
export const restoreStagingPrefix = (backupId: string) => `${RESTORE_STAGING_ROOT}restore-${backupId}/`;
export const isRestoreStaging = (name: string) => name.startsWith(RESTORE_STAGING_ROOT);

/**
 * Deletes the objects under `prefix` that `which` picks (all by default), each page as it is listed: GCS lists
 * from the last name seen, so deleting behind the listing misses nothing, and no more than a page is held.
 */
export async function deleteUnder(
  store: ObjectStore,
  bucket: string,
  prefix: string,
  which: (o: ObjectInfo) => boolean = () => true,
): Promise<number> {
  let deleted = 0;
  for await (const page of store.list(bucket, { prefix })) deleted += await deleteObjects(store, page.filter(which));
  return deleted;
}

/** Deletes `objects` (up to 100 a request), each only if still the generation listed; what is gone already is fine. */
export async function deleteObjects(store: ObjectStore, objects: Pick<ObjectInfo, 'bucket' | 'name' | 'generation'>[]) {
  let deleted = 0;
  for (const some of chunk(objects, 100)) {
    const outcomes = await store.deleteMany(
      some.map((o) => ({ ref: { bucket: o.bucket, name: o.name }, ifGenerationMatch: o.generation })),
    );
    const failure = outcomes.find((o) => o instanceof Error && !(o instanceof PreconditionFailedError));
    if (failure) throw failure;
    deleted += outcomes.filter((o) => o === 'deleted').length;
  }
  return deleted;
}

/**
 * Prune's share: staged objects and transfer manifests older than the grace period, once no backup is running
 * (prune gets here only when no create intent is live). A killed run's staged objects are reused by the next
 * run before then; what is left is garbage.
 */
export async function collectStaging(
  store: ObjectStore,
  loc: BackupLocation,
  opts: { graceMs: number; now: Date },
): Promise<number> {
  return deleteUnder(
    store,
    loc.backupBucket,
    stagingPrefix(loc),
    (o) => opts.now.getTime() - Date.parse(o.created) >= opts.graceMs,
  );
}
