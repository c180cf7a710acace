import {
  ATTRIBUTE_FIELDS,
  PreconditionFailedError,
  type ObjectAttributes,
  type ObjectInfo,
  type ObjectRef,
  type ObjectStore,
} from '../cloud/object-store.js';
import { compareNames } from '../cloud/name-order.js';
import { listInParallel } from '../cloud/parallel-listing.js';
import { RuntimeError } from '../errors/gwctl-error.js';
import { silentProgress, type Progress } from '../ui/progress.js';
import { copyInBatches } from './batched-copies.js';
import { LISTERS } from './catalog.js';
import { forEachBounded } from './bounded.js';
import { blobName, type BackupLocation } from './layout.js';
import type { Manifest, ManifestEntry } from './manifest.js';
import { backupStep } from './step-ids.js';
import { entriesByBlob } from './verify.js';
import { gsUrl } from '../config/gs-url.js';

export interface RestoreTarget {
  bucket: string;
  exists: boolean;
  /** Its live objects now (empty when it does not exist). */
  objects: ObjectInfo[];
}

export interface RestoreCopy {
  entry: ManifestEntry;
  /** `'0'` for a missing object; the generation being replaced otherwise, so a concurrent writer is not clobbered. */
  ifGenerationMatch: string;
}

/** Blobs brought into the target bucket before the copies (`--engine sts`, sts-engine.ts): the copies read them there. */
export interface StagedBlobs {
  source(blobKey: string): ObjectRef;
  /** Deletes the staged blobs and the job's transfer manifest. */
  cleanUp(): Promise<void>;
  job: string;
}

/** What a restore will do, decided before anything is touched: printed, serialised, then applied. */
export interface RestorePlanValue {
  id: string;
  sourceBucket: string;
  targetBucket: string;
  inPlace: boolean;
  createBucket: boolean;
  /** Objects the target lacks. */
  create: RestoreCopy[];
  /** Objects the target has with other content or attributes. */
  overwrite: RestoreCopy[];
  /** Objects already exactly as backed up: left alone, so a re-run after a failure only does what is left. */
  unchanged: number;
  /** Objects not in the backup, deleted (only with --delete-extra). */
  deleteExtra: { name: string; generation: string }[];
  /** Objects not in the backup, left in place. */
  keptExtra: number;
  /** Bytes copied. */
  bytes: number;
}

export function attributesOf(e: ManifestEntry): ObjectAttributes {
  const a: ObjectAttributes = { metadata: { ...e.metadata } };
  for (const f of ATTRIBUTE_FIELDS) if (e[f] !== undefined) a[f] = e[f];
  return a;
}

/** Same content (size, CRC32C, MD5) and same attributes as the backed-up object. */
export function matchesEntry(e: ManifestEntry, o: ObjectInfo): boolean {
  if (o.size !== e.size || o.crc32c !== e.crc32c || o.md5 !== e.md5) return false;
  if (ATTRIBUTE_FIELDS.some((f) => (o[f] ?? undefined) !== (e[f] ?? undefined))) return false;
  const a = Object.entries(e.metadata);
  const b = o.metadata;
  return a.length === Object.keys(b).length && a.every(([k, v]) => b[k] === v);
}

export function planRestore(
  manifest: Manifest,
  target: RestoreTarget,
  opts: { inPlace: boolean; deleteExtra: boolean },
): RestorePlanValue {
  const current = new Map(target.objects.map((o) => [o.name, o]));
  const plan: RestorePlanValue = {
    id: manifest.id,
    sourceBucket: manifest.sourceBucket,
    targetBucket: target.bucket,
    inPlace: opts.inPlace,
    createBucket: !target.exists,
    create: [],
    overwrite: [],
    unchanged: 0,
    deleteExtra: [],
    keptExtra: 0,
    bytes: 0,
  };
  const wanted = new Set<string>();
  for (const entry of manifest.objects) {
    wanted.add(entry.name);
    const there = current.get(entry.name);
    if (!there) plan.create.push({ entry, ifGenerationMatch: '0' });
    else if (matchesEntry(entry, there)) plan.unchanged++;
    else plan.overwrite.push({ entry, ifGenerationMatch: there.generation });
  }
  for (const o of target.objects) {
    if (wanted.has(o.name)) continue;
    if (opts.deleteExtra) plan.deleteExtra.push({ name: o.name, generation: o.generation });
    else plan.keptExtra++;
  }
  plan.bytes = [...plan.create, ...plan.overwrite].reduce((n, c) => n + c.entry.size, 0);
  return plan;
}

/** Overwrites or deletions in the target (and any in-place restore) need the environment's name typed. */
export const isDestructiveRestore = (p: RestorePlanValue) =>
  p.inPlace || p.overwrite.length > 0 || p.deleteExtra.length > 0;

export interface RestoreResult {
  id: string;
  targetBucket: string;
  restored: number;
  unchanged: number;
  deleted: number;
  bytes: number;
  /** Blobs downloaded and hashed before anything was written (`deep` only). */
  blobsChecked: number;
  /** Extra objects left because someone rewrote them during the restore. */
  skippedDeletes: string[];
}

/** The backup's content, or a restored object, is not what the manifest says: loud, exit 1. */
export class RestoreIntegrityError extends RuntimeError {
  constructor(
    message: string,
    readonly objects: string[],
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
  /** A plan step finished (bucket created, the new objects restored, one overwritten or deleted): for the audit outcome. */
  stepDone?: (id: string) => void;
}

/**
 * Applies a restore plan. The copies run server-side, each write-once or guarded by the generation it
 * replaces, and every restored object's CRC32C (and MD5) from the copy's answer is checked against the
 * manifest. GCS validates a copy's bytes against the source's stored CRC32C itself (server-side
 * validation of copies and rewrites), so content that rotted in the backup bucket fails its copy
 * instead of landing silently. With `deep`, every blob is first downloaded and its CRC32C and MD5
 * recomputed here, and any mismatch stops the restore before it writes anything.
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
    stage?: (copies: RestoreCopy[]) => Promise<StagedBlobs | undefined>;
  },
): Promise<RestoreResult & { job?: string }> {
  const { store } = deps;
  const copies = [...plan.create, ...plan.overwrite];
  const bar = async (label: string, total: number) =>
    total > 0 && deps.progress ? deps.progress(label, total) : silentProgress;
  const blobsChecked = opts.deep ? await checkBlobs(deps, loc, plan, copies, opts.concurrency, bar) : 0;

  if (plan.createBucket) {
    await store.createBucket(plan.targetBucket, opts.location ? { location: opts.location } : {});
    deps.stepDone?.(backupStep.createBucket(plan.targetBucket));
  }
  const staged = opts.stage ? await opts.stage(copies) : undefined;
  const overwrites = new Set(plan.overwrite.map((c) => c.entry.name));
  let createsLeft = plan.create.length;

  const mismatched: string[] = [];
  let bytes = 0;
  let done = 0;
  const progress = await bar('restoring', copies.length);
  try {
    const settle = (entry: ManifestEntry, restored: ObjectInfo) => {
      if (
        restored.crc32c !== entry.crc32c ||
        restored.size !== entry.size ||
        (entry.md5 !== undefined && restored.md5 !== entry.md5)
      ) {
        mismatched.push(`${entry.name} (crc32c ${restored.crc32c} ≠ ${entry.crc32c})`);
      }
      bytes += entry.size;
      done++;
      progress.tick();
      if (overwrites.has(entry.name)) deps.stepDone?.(backupStep.overwrite(entry.name));
      else if (--createsLeft === 0) deps.stepDone?.(backupStep.restore(plan.targetBucket));
    };
    const request = ({ entry, ifGenerationMatch }: (typeof copies)[number]) => ({
      source: staged?.source(entry.blob) ?? { bucket: loc.backupBucket, name: blobName(loc, entry.blob) },
      destination: { bucket: plan.targetBucket, name: entry.name },
      opts: { ifGenerationMatch, attributes: attributesOf(entry) },
    });
    // One by one: with retries, and a look at what is there when the precondition fails.
    const restoreAlone = async (copy: (typeof copies)[number]) => {
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
      settle(copy.entry, restored);
    };
    await copyInBatches(
      store,
      copies,
      { concurrency: opts.concurrency, batchSize: opts.batchSize, signal: deps.signal },
      {
        request,
        landed: (copy, restored) => settle(copy.entry, restored),
        alone: restoreAlone,
      },
    );
  } catch (err) {
    if (deps.signal?.aborted)
      throw new RuntimeError(
        `restore interrupted after ${done} of ${copies.length} object(s); run the same command again to finish (objects already restored are skipped)`,
      );
    throw err;
  } finally {
    progress.stop();
  }
  if (mismatched.length > 0) {
    throw new RestoreIntegrityError(
      `restored ${copies.length - mismatched.length} object(s), but ${mismatched.length} do not match the manifest's CRC32C: ${mismatched.slice(0, 3).join('; ')}${mismatched.length > 3 ? '; …' : ''}. Do not trust ${gsUrl(plan.targetBucket)} yet; re-run the restore`,
      mismatched,
    );
  }
  await staged?.cleanUp();

  const skippedDeletes: string[] = [];
  let deleted = 0;
  await forEachBounded(
    plan.deleteExtra,
    opts.concurrency,
    async ({ name, generation }) => {
      try {
        await store.delete({ bucket: plan.targetBucket, name }, { ifGenerationMatch: generation });
        deleted++;
        deps.stepDone?.(backupStep.deleteObject(name));
      } catch (err) {
        if (!(err instanceof PreconditionFailedError)) throw err;
        skippedDeletes.push(name);
      }
    },
    deps.signal,
  );
  if (skippedDeletes.length > 0)
    deps.warn?.(
      `${skippedDeletes.length} extra object(s) were rewritten during the restore and were left in place: ${skippedDeletes.slice(0, 3).join(', ')}`,
    );

  return {
    id: plan.id,
    targetBucket: plan.targetBucket,
    restored: copies.length,
    unchanged: plan.unchanged,
    deleted,
    bytes,
    blobsChecked,
    skippedDeletes,
    ...(staged ? { job: staged.job } : {}),
  };
}

/** `--deep`: every blob the restore needs, downloaded and hashed; throws, having written nothing, if any is corrupt. */
async function checkBlobs(
  deps: RestoreDeps,
  loc: BackupLocation,
  plan: RestorePlanValue,
  copies: RestoreCopy[],
  concurrency: number,
  bar: (label: string, total: number) => Promise<Progress>,
): Promise<number> {
  const blobs = entriesByBlob(copies.map((c) => c.entry));
  const corrupt: string[] = [];
  const progress = await bar('checking backup', blobs.size);
  try {
    await forEachBounded(
      blobs,
      concurrency,
      async ([key, entries]) => {
        const want = entries[0]!;
        const got = await deps.store.hash({ bucket: loc.backupBucket, name: blobName(loc, key) });
        if (got.size !== want.size || got.crc32c !== want.crc32c || (want.md5 !== undefined && got.md5 !== want.md5)) {
          corrupt.push(...entries.map((e) => `${e.name} (blob ${key}: crc32c ${got.crc32c} ≠ ${want.crc32c})`));
        }
        progress.tick();
      },
      deps.signal,
    );
  } finally {
    progress.stop();
  }
  if (corrupt.length > 0) {
    throw new RestoreIntegrityError(
      `restore refused, nothing was written: backup ${plan.id} holds corrupt content for ${corrupt.length} object(s): ${corrupt.slice(0, 3).join('; ')}${corrupt.length > 3 ? '; …' : ''}. Restore an older backup (gwctl backup list) and run gwctl backup verify ${plan.id} --deep`,
      corrupt,
    );
  }
  return blobs.size;
}

export async function readTarget(store: ObjectStore, bucket: string): Promise<RestoreTarget> {
  if (!(await store.bucketExists(bucket))) return { bucket, exists: false, objects: [] };
  const objects: ObjectInfo[] = [];
  for await (const page of listInParallel(store, bucket, { concurrency: LISTERS })) objects.push(...page);
  // Pages come in no set order; plans list what they delete in name order.
  return { bucket, exists: true, objects: objects.sort((a, b) => compareNames(a.name, b.name)) };
}
