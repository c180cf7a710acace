import {
  ATTRIBUTE_FIELDS,
  PreconditionFailedError,
  type ObjectAttributes,
  type ObjectInfo,
  type ObjectRef,
  type ObjectStore,
} from '../cloud/object-store.js';
import { RuntimeError } from '../errors/gwctl-error.js';
import { silentProgress, type Progress } from '../ui/progress.js';
import { batchSize } from './batched-copies.js';
import { blobName, type BackupLocation } from './layout.js';
import type { ManifestEntry } from './manifest.js';
import { matchesEntry, SAMPLE, type RestorePlanValue } from './restore-plan.js';
import type { RestoreCopy } from './restore-spill.js';
import { backupStep } from './step-ids.js';
import { copyStreamed, forEachStreamed } from './streamed.js';
import { gsUrl } from '../config/gs-url.js';

/** Blobs brought into the target bucket before the copies (`--engine sts`, sts-engine.ts): the copies read them there. */
export interface StagedBlobs {
  source(blobKey: string): ObjectRef;
  /** `gs://<target>/gwctl-staging/restore-<id>/`: named to the operator when it cannot be deleted. */
  where: string;
  /** Deletes the staged blobs and the job's transfer manifest. */
  cleanUp(): Promise<void>;
  /** How many blobs are still staged, and the first few names (for the operator, when they cannot be deleted). */
  left(): Promise<{ count: number; first: string[] }>;
  job: string;
}

/** Deletes what a restore staged; a failure is a warning naming what is left (the restore's own outcome stands). */
export async function cleanUpStaged(staged: StagedBlobs, warn?: (message: string) => void): Promise<void> {
  try {
    await staged.cleanUp();
  } catch (err) {
    const left = await staged.left().catch(() => undefined);
    const which = left
      ? `${left.count} staged blob(s) are left: ${left.first.join(', ')}${left.count > left.first.length ? ', …' : ''}`
      : 'staged blobs may be left';
    warn?.(
      `could not delete the staged blobs under ${staged.where} (${(err as Error).message}); ${which}. They are in no backup and no restore counts them: list them with gcloud storage ls -r ${staged.where} and delete them with gcloud storage rm -r ${staged.where}`,
    );
  }
}

export function attributesOf(e: ManifestEntry): ObjectAttributes {
  const a: ObjectAttributes = { metadata: { ...e.metadata } };
  for (const f of ATTRIBUTE_FIELDS) if (e[f] !== undefined) a[f] = e[f];
  return a;
}

/** Overwrites or deletions in the target (and any in-place restore) need the environment's name typed. */
export const isDestructiveRestore = (p: RestorePlanValue) =>
  p.inPlace || p.overwrite.objects > 0 || p.deleteExtra.objects > 0;

export interface RestoreResult {
  id: string;
  targetBucket: string;
  restored: number;
  unchanged: number;
  deleted: number;
  /** Extra objects planned for deletion that were gone already when gwctl came to delete them. */
  alreadyGone: number;
  bytes: number;
  /** Blobs downloaded and hashed before anything was written (`deep` only). */
  blobsChecked: number;
  /** Extra objects left because someone rewrote them during the restore: how many, and the first names. */
  skippedDeletes: number;
  skippedDeletesSample: string[];
}

/** The backup's content, or a restored object, is not what the manifest says: loud, exit 1. */
export class RestoreIntegrityError extends RuntimeError {
  constructor(
    message: string,
    /** The first objects affected (at most SAMPLE); `count` says how many there are. */
    readonly objects: string[],
    readonly count = objects.length,
  ) {
    super(message);
    this.name = 'RestoreIntegrityError';
  }
}

export interface RestoreDeps {
  store: ObjectStore;
  progress?: (label: string, total: number) => Promise<Progress>;
  signal?: AbortSignal;
  warn?: (message: string) => void;
  /** A plan step finished (bucket created, the new objects restored, an overwrite or deletion): for the audit outcome. */
  stepDone?: (id: string) => void;
}

/** How many of something, and the first few by name. */
class Tally {
  count = 0;
  readonly sample: string[] = [];
  add(text: string): void {
    this.count++;
    if (this.sample.length < SAMPLE) this.sample.push(text);
  }
  /** `a; b; c; …` for a message. */
  text(n = 3): string {
    return `${this.sample.slice(0, n).join('; ')}${this.count > n ? '; …' : ''}`;
  }
}

/**
 * Applies a restore plan: the copies and deletes it decided on, read back from its spill file in name
 * order (never a fresh decision). The copies run server-side, each write-once or guarded by the
 * generation it replaces, and every restored object's CRC32C (and MD5) from the copy's answer is
 * checked against the manifest. GCS validates a copy's bytes against the source's stored CRC32C itself
 * (server-side validation of copies and rewrites), so content that rotted in the backup bucket fails
 * its copy instead of landing silently. With `deep`, every blob is first downloaded and its CRC32C and
 * MD5 recomputed here, and any mismatch stops the restore before it writes anything.
 */
export async function applyRestore(
  deps: RestoreDeps,
  loc: BackupLocation,
  plan: RestorePlanValue,
  opts: {
    concurrency: number;
    batchSize?: number;
    location?: string;
    deep?: boolean;
    /** Brings the blobs into the target bucket first (`--engine sts`): the copies are then rewrites within it. */
    stage?: (copies: AsyncIterable<RestoreCopy>) => Promise<StagedBlobs | undefined>;
  },
): Promise<RestoreResult & { job?: string }> {
  const { store } = deps;
  const total = plan.create.objects + plan.overwrite.objects;
  const bar = async (label: string, n: number) => (n > 0 && deps.progress ? deps.progress(label, n) : silentProgress);
  const blobsChecked = opts.deep ? await checkBlobs(deps, loc, plan, opts.concurrency, bar) : 0;

  if (plan.createBucket) {
    await store.createBucket(plan.targetBucket, opts.location ? { location: opts.location } : {});
    deps.stepDone?.(backupStep.createBucket(plan.targetBucket));
  }
  const staged = opts.stage ? await opts.stage(plan.work.copies()) : undefined;
  let cleaned = false;
  const cleanUp = async () => {
    if (staged && !cleaned) {
      cleaned = true;
      await cleanUpStaged(staged, deps.warn);
    }
  };
  try {
    return await restoreFrom(deps, loc, plan, opts, total, blobsChecked, staged, cleanUp);
  } finally {
    // Whatever happened (a failed copy, a mismatch, Ctrl-C): the staging prefix is not left in the target.
    await cleanUp();
  }
}

/** The copies (from the backup, or from what was staged), checked, then the deletions. */
async function restoreFrom(
  deps: RestoreDeps,
  loc: BackupLocation,
  plan: RestorePlanValue,
  opts: { concurrency: number; batchSize?: number },
  total: number,
  blobsChecked: number,
  staged: StagedBlobs | undefined,
  cleanUp: () => Promise<void>,
): Promise<RestoreResult & { job?: string }> {
  const { store } = deps;
  const bar = async (label: string, n: number) => (n > 0 && deps.progress ? deps.progress(label, n) : silentProgress);
  // Steps: the creates as one, the overwrites the plan names one by one, the rest of them as one.
  const named = new Set(plan.overwrite.sample.map((o) => o.name));
  let createsLeft = plan.create.objects;
  let unnamedLeft = plan.overwrite.objects - named.size;

  const mismatched = new Tally();
  let bytes = 0;
  let done = 0;
  const progress = await bar('restoring', total);
  try {
    const settle = ({ entry, ifGenerationMatch }: RestoreCopy, restored: ObjectInfo) => {
      if (
        restored.crc32c !== entry.crc32c ||
        restored.size !== entry.size ||
        (entry.md5 !== undefined && restored.md5 !== entry.md5)
      ) {
        mismatched.add(`${entry.name} (crc32c ${restored.crc32c} ≠ ${entry.crc32c})`);
      }
      bytes += entry.size;
      done++;
      progress.tick();
      if (ifGenerationMatch === '0') {
        if (--createsLeft === 0) deps.stepDone?.(backupStep.restore(plan.targetBucket));
      } else if (named.has(entry.name)) deps.stepDone?.(backupStep.overwrite(entry.name));
      else if (--unnamedLeft === 0) deps.stepDone?.(backupStep.overwriteMore(plan.targetBucket));
    };
    const request = ({ entry, ifGenerationMatch }: RestoreCopy) => ({
      source: staged?.source(entry.blob) ?? { bucket: loc.backupBucket, name: blobName(loc, entry.blob) },
      destination: { bucket: plan.targetBucket, name: entry.name },
      opts: { ifGenerationMatch, attributes: attributesOf(entry) },
    });
    // One by one: with retries, and a look at what is there when the precondition fails.
    const restoreAlone = async (copy: RestoreCopy) => {
      const { source, destination, opts: writeOpts } = request(copy);
      let restored: ObjectInfo | undefined;
      try {
        restored = await store.copy(source, destination, writeOpts);
      } catch (err) {
        if (!(err instanceof PreconditionFailedError)) throw err;
        // Either our own retried call landed the first time, or someone else wrote the object meanwhile.
        restored = await store.stat(destination);
        if (!restored || !matchesEntry(copy.entry, restored)) {
          throw new RuntimeError(
            `${gsUrl(destination.bucket, destination.name)} changed while it was being restored; nothing of it was overwritten. Stop the writer (or use --quiesce on backups) and re-run the restore`,
          );
        }
      }
      settle(copy, restored);
    };
    await copyStreamed(
      store,
      plan.work.copies(),
      {
        concurrency: opts.concurrency,
        batchSize: batchSize(total, opts.concurrency, opts.batchSize),
        signal: deps.signal,
      },
      {
        request,
        landed: settle,
        alone: restoreAlone,
      },
    );
  } catch (err) {
    if (deps.signal?.aborted)
      throw new RuntimeError(
        `restore interrupted after ${done} of ${total} object(s); run the same command again to finish (objects already restored are skipped)`,
      );
    throw err;
  } finally {
    progress.stop();
  }
  if (mismatched.count > 0) {
    throw new RestoreIntegrityError(
      `restored ${total - mismatched.count} object(s), but ${mismatched.count} do not match the manifest's CRC32C: ${mismatched.text()}. Do not trust ${gsUrl(plan.targetBucket)} yet; re-run the restore`,
      mismatched.sample,
      mismatched.count,
    );
  }
  // Staged blobs go before the deletions, so a long --delete-extra does not keep them in the bucket.
  await cleanUp();

  const skipped = new Tally();
  const namedDeletes = new Set(plan.deleteExtra.sample.map((o) => o.name));
  let unnamedDeletesLeft = plan.deleteExtra.objects - namedDeletes.size;
  let deleted = 0;
  let alreadyGone = 0;
  await forEachStreamed(
    plan.work.deletes(),
    opts.concurrency,
    async ({ name, generation }) => {
      try {
        // Gone already (someone deleted it meanwhile, or a retried call landed): not counted as deleted by gwctl.
        if ((await store.delete({ bucket: plan.targetBucket, name }, { ifGenerationMatch: generation })) === 'deleted')
          deleted++;
        else alreadyGone++;
      } catch (err) {
        if (!(err instanceof PreconditionFailedError)) throw err;
        skipped.add(name);
      }
      if (namedDeletes.has(name)) deps.stepDone?.(backupStep.deleteObject(name));
      else if (--unnamedDeletesLeft === 0) deps.stepDone?.(backupStep.deleteMore(plan.targetBucket));
    },
    deps.signal,
  );
  if (skipped.count > 0)
    deps.warn?.(
      `${skipped.count} extra object(s) were rewritten during the restore and were left in place: ${skipped.sample.slice(0, 3).join(', ')}${skipped.count > 3 ? ', …' : ''}`,
    );

  return {
    id: plan.id,
    targetBucket: plan.targetBucket,
    restored: total,
    unchanged: plan.unchanged,
    deleted,
    alreadyGone,
    bytes,
    blobsChecked,
    skippedDeletes: skipped.count,
    skippedDeletesSample: skipped.sample,
    ...(staged ? { job: staged.job } : {}),
  };
}

/** What a blob must hold: the size and hashes of the entries whose content it is. */
type Want = Pick<ManifestEntry, 'size' | 'crc32c' | 'md5'>;

/**
 * `--deep`: every blob the restore needs, downloaded and hashed; throws, having written nothing, if any
 * is corrupt. Holds one small record per distinct blob (as `verify --deep` does), then reads the
 * planned copies again for the names of the objects whose blob is corrupt.
 */
async function checkBlobs(
  deps: RestoreDeps,
  loc: BackupLocation,
  plan: RestorePlanValue,
  concurrency: number,
  bar: (label: string, total: number) => Promise<Progress>,
): Promise<number> {
  const blobs = new Map<string, Want>();
  for await (const { entry } of plan.work.copies())
    if (!blobs.has(entry.blob)) blobs.set(entry.blob, { size: entry.size, crc32c: entry.crc32c, md5: entry.md5 });
  const corrupt = new Map<string, string>();
  const progress = await bar('checking backup', blobs.size);
  try {
    await forEachStreamed(
      blobs,
      concurrency,
      async ([key, want]) => {
        const got = await deps.store.hash({ bucket: loc.backupBucket, name: blobName(loc, key) });
        if (got.size !== want.size || got.crc32c !== want.crc32c || (want.md5 !== undefined && got.md5 !== want.md5))
          corrupt.set(key, `crc32c ${got.crc32c} ≠ ${want.crc32c}`);
        progress.tick();
      },
      deps.signal,
    );
  } finally {
    progress.stop();
  }
  if (corrupt.size > 0) {
    const objects = new Tally();
    for await (const { entry } of plan.work.copies()) {
      const why = corrupt.get(entry.blob);
      if (why) objects.add(`${entry.name} (blob ${entry.blob}: ${why})`);
    }
    throw new RestoreIntegrityError(
      `restore refused, nothing was written: backup ${plan.id} holds corrupt content for ${objects.count} object(s): ${objects.text()}. Restore an older backup (gwctl backup list) and run gwctl backup verify ${plan.id} --deep`,
      objects.sample,
      objects.count,
    );
  }
  return blobs.size;
}
