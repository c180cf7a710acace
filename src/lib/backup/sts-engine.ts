import { setTimeout as sleep } from 'node:timers/promises';
import { randomBytes } from 'node:crypto';
import {
  ObjectNotFoundError,
  PreconditionFailedError,
  type ObjectInfo,
  type ObjectStore,
} from '../cloud/object-store.js';
import type { TransferJobs, TransferProgress, TransferSpec } from '../cloud/storage-transfer.js';
import { gsUrl } from '../config/gs-url.js';
import { RuntimeError } from '../errors/gwctl-error.js';
import { formatBytes } from '../ui/bytes.js';
import { copyInBatches } from './batched-copies.js';
import { BlobKeyNumbers, BlobKeySet } from './blob-keys.js';
import { blobCopyRequest, blobHolds, checkHolds, copyBlob, type BlobCopy } from './blob-copies.js';
import type { CopyEngine, EngineRun } from './create.js';
import { blobKey, blobName, blobsPrefix, type BackupLocation } from './layout.js';
import { entryOf, keyOf, type ListedRef } from './listed-objects.js';
import { cleanUpStaged, type StagedBlobs } from './restore.js';
import type { RestoreCopy } from './restore-spill.js';
import {
  deleteObjects,
  deleteUnder,
  restoreStagingPrefix,
  stagingPrefix,
  stagingRunPrefix,
  transferManifestName,
} from './staging.js';
import { pairStaged, type StagedMove } from './staged-pairs.js';
import { transferManifestChunks } from './transfer-manifest-csv.js';

export interface StsDeps {
  store: ObjectStore;
  jobs: TransferJobs;
  /** The service agent (GetGoogleServiceAccount), named when the job is refused access. */
  agent: string;
  concurrency: number;
  batchSize?: number;
  /** A line of progress for stderr. */
  note?: (message: string) => void;
  warn?: (message: string) => void;
  sleep?: (ms: number) => Promise<void>;
  /** First wait between two looks at the operation; it doubles up to 5 s. */
  pollMs?: number;
}

/** The transfer operation ended with failures: nothing is committed. */
export class TransferFailedError extends RuntimeError {
  constructor(
    message: string,
    readonly progress: TransferProgress,
  ) {
    super(message);
    this.name = 'TransferFailedError';
  }
}

/**
 * `backup create --engine sts`. Storage Transfer Service copies whole objects under their own names and knows
 * nothing of content addresses, so the job copies only the objects whose content the backup bucket lacks (the
 * plan's copies, named in a transfer manifest) into `staging/<backup id>/`, and gwctl moves each staged object
 * into its blob server-side: a rewrite checked against the listing's size, CRC32C and MD5, write-once, in batches
 * as the default engine copies; then deletes the staged copies. Staged objects a killed run left behind are
 * moved instead of transferred again. An object whose staged copy differs from the listing changed meanwhile:
 * the backup holds it as it is now, as the default engine does. Memory does not grow with what is staged: staged
 * objects are moved and deleted a page at a time as they are listed (issue #18: a million objects in 256 MiB).
 */
export function stsEngine(deps: StsDeps, loc: BackupLocation): CopyEngine {
  return {
    name: 'sts',
    async copy(run) {
      if (run.copies.length === 0) return {};
      const { store } = deps;
      const cleaning = stagedCleaner(deps, loc);
      const runPrefix = stagingRunPrefix(loc, run.id);
      const { reuse, transfer, direct } = await sortCopies(store, loc, run, runPrefix);
      if (reuse.size > 0) {
        deps.note?.(`${reuse.size} object(s) staged by an earlier run are reused, not transferred again`);
        const moves: StagedMove[] = [];
        await forStagedBefore(store, loc, async (o) => {
          const n = reuse.take(blobKey(o));
          if (n !== undefined) moves.push({ n, staged: o });
          if (moves.length >= MOVES_AT_ONCE) await moveStaged(deps, loc, run, moves.splice(0), cleaning);
        });
        await moveStaged(deps, loc, run, moves, cleaning);
        // Gone since the first look (moved by another run, or pruned): gwctl's own copy.
        for (const n of reuse.left()) await run.alone(n);
      }
      let job: string | undefined;
      if (transfer.length > 0) {
        job = `transferJobs/gwctl-backup-${run.id}`;
        const manifest = transferManifestName(loc, run.id);
        // Streamed: the names are read from the listing as the upload goes, never held as one CSV string.
        const csv = await writeManifest(store, { bucket: loc.backupBucket, name: manifest }, () =>
          transferManifestChunks(namesOf(run, transfer)),
        );
        const spec: TransferSpec = {
          job,
          description: `gwctl backup ${run.id} of ${gsUrl(loc.sourceBucket)}`,
          source: { bucket: loc.sourceBucket, path: '' },
          sink: { bucket: loc.backupBucket, path: runPrefix },
          manifest: gsUrl(loc.backupBucket, manifest),
        };
        const p = await runJob(deps, run.signal, spec, { tolerateVanished: true });
        if (p.status !== 'SUCCESS')
          deps.note?.(
            `  … ${p.objectsFailed} object(s) deleted since the listing were not transferred (NOT_FOUND); gwctl settles them itself`,
          );
        // The staged listing and the copies, both in name order, walked together: moved page by page as it comes.
        const nameOf = (n: number) => entryOf(run.ref(n)).name;
        for await (const { moves, missing } of pairStaged(
          transfer,
          nameOf,
          runPrefix,
          store.list(loc.backupBucket, { prefix: runPrefix }),
        )) {
          // Not staged (deleted since it was listed): gwctl's own copy finds out what became of it.
          for (const n of missing) await run.alone(n);
          await moveStaged(deps, loc, run, moves, cleaning);
        }
        await cleaning.delete([csv]);
      }
      for (const n of direct) await run.alone(n);
      return job ? { job } : {};
    },
  };
}

/**
 * Which copies earlier runs staged (reused: moved, not transferred again), which the job transfers, and which
 * gwctl copies itself. What was staged is known by content, as packed keys only (blob-keys.ts): the staged
 * objects themselves are listed again when moved.
 */
async function sortCopies(store: ObjectStore, loc: BackupLocation, run: EngineRun, runPrefix: string) {
  const stagedKeys = new BlobKeySet();
  await forStagedBefore(store, loc, (o) => void stagedKeys.add(blobKey(o)));
  const reuse = new BlobKeyNumbers();
  const transfer: number[] = [];
  const direct: number[] = [];
  for (const n of run.copies) {
    const r = run.ref(n);
    const key = keyOf(r);
    if (stagedKeys.size > 0 && stagedKeys.has(key)) reuse.add(key, n);
    // GCS names are at most 1,024 bytes: a name too long to stage under the prefix is copied by gwctl itself.
    else if (Buffer.byteLength(runPrefix + entryOf(r).name) > MAX_NAME_BYTES) direct.push(n);
    else transfer.push(n);
  }
  return { reuse, transfer, direct };
}

/** Moves a page of staged objects at a time, at most this many: what is held of the staged listing. */
const MOVES_AT_ONCE = 1000;

/** What earlier runs staged, page by page (their transfer manifests, beside, left out). */
async function forStagedBefore(
  store: ObjectStore,
  loc: BackupLocation,
  each: (o: ObjectInfo) => void | Promise<void>,
): Promise<void> {
  const prefix = stagingPrefix(loc);
  for await (const page of store.list(loc.backupBucket, { prefix }))
    for (const o of page) if (o.name.slice(prefix.length).includes('/')) await each(o);
}

/**
 * Deletes what was moved (and this run's transfer manifest) as the moves go; what no run needs any more is left
 * to prune. A failure to delete is one warning, not a failed backup.
 */
function stagedCleaner(deps: StsDeps, loc: BackupLocation) {
  let failed = false;
  return {
    async delete(objects: Pick<ObjectInfo, 'bucket' | 'name' | 'generation'>[]): Promise<void> {
      if (failed || objects.length === 0) return;
      await deleteObjects(deps.store, objects).catch((err: unknown) => {
        failed = true;
        deps.warn?.(
          `could not delete staged objects under ${gsUrl(loc.backupBucket, stagingPrefix(loc))} (${(err as Error).message}); prune removes them`,
        );
      });
    },
  };
}

/**
 * A transfer manifest, streamed (never held whole) and write-once under its run's own name: only this run writes
 * there, so an object found there by a retried upload is the first attempt's, which landed (an upload becomes an
 * object only once complete).
 */
async function writeManifest(
  store: ObjectStore,
  at: { bucket: string; name: string },
  chunks: () => Iterable<Buffer>,
): Promise<ObjectInfo> {
  try {
    return await store.writeStream(at, chunks, {
      ifGenerationMatch: '0',
      attributes: { contentType: 'text/csv', metadata: {} },
    });
  } catch (err) {
    const there = err instanceof PreconditionFailedError ? await store.stat(at) : undefined;
    if (!there) throw err;
    return there;
  }
}

function* namesOf(run: EngineRun, numbers: number[]): Generator<string> {
  for (const n of numbers) yield entryOf(run.ref(n)).name;
}

/** https://cloud.google.com/storage/docs/objects#naming: "Object names can contain … 1-1024 bytes" (UTF-8). */
const MAX_NAME_BYTES = 1024;

/**
 * Each staged object into its blob: batched rewrites, checked and write-once; one that changed goes its own way.
 * Then the staged objects are deleted.
 */
async function moveStaged(
  deps: StsDeps,
  loc: BackupLocation,
  run: EngineRun,
  moves: StagedMove[],
  cleaning: ReturnType<typeof stagedCleaner>,
): Promise<void> {
  if (moves.length === 0) return;
  const { store } = deps;
  const same: StagedMove[] = [];
  for (const m of moves) {
    if (blobHolds(m.staged, listed(run.ref(m.n)))) same.push(m);
    else await moveChanged(deps, loc, run, m);
  }
  const copyOf = (m: StagedMove): BlobCopy => {
    const r = run.ref(m.n);
    const key = keyOf(r);
    const { bucket, name, generation } = m.staged;
    return { key, object: { ...listed(r), bucket, name, generation }, replaces: run.blobs.get(key)?.generation };
  };
  await copyInBatches(
    store,
    same,
    { concurrency: deps.concurrency, batchSize: deps.batchSize, signal: run.signal },
    {
      request: (m) => blobCopyRequest(loc, copyOf(m)),
      landed: (m, blob) => {
        const c = copyOf(m);
        checkHolds(loc, c, blob);
        run.done(c);
      },
      alone: async (m) => {
        const c = copyOf(m);
        try {
          await copyBlob(store, loc, c);
          run.done(c);
        } catch (err) {
          // Moved meanwhile by a run that reused it (its blob is then there), or gone: copied from the source.
          if (!(err instanceof ObjectNotFoundError)) throw err;
          const blob = await store.stat({ bucket: loc.backupBucket, name: blobName(loc, c.key) });
          if (blob && blobHolds(blob, c.object)) run.done(c);
          else await run.alone(m.n);
        }
      },
    },
  );
  await cleaning.delete(moves.map((m) => m.staged));
}

/**
 * The staged copy is not what was listed: the object changed between the listing and the transfer. If the object
 * is now what was staged, the staged copy is its content and the backup holds the object as it is now; if it
 * changed again (or went), gwctl's own copy settles it as the default engine does.
 */
async function moveChanged(deps: StsDeps, loc: BackupLocation, run: EngineRun, m: StagedMove): Promise<void> {
  const name = entryOf(run.ref(m.n)).name;
  const live = await deps.store.stat({ bucket: loc.sourceBucket, name });
  if (!live || !blobHolds(m.staged, live) || !blobHolds(live, m.staged)) return run.alone(m.n);
  const key = blobKey(live);
  const c: BlobCopy = {
    key,
    object: {
      bucket: m.staged.bucket,
      name: m.staged.name,
      generation: m.staged.generation,
      size: live.size,
      crc32c: live.crc32c,
      ...(live.md5 ? { md5: live.md5 } : {}),
    },
    replaces: run.blobs.get(key)?.generation,
  };
  const stored = run.blobs.get(key);
  if (!stored || !blobHolds(stored, live)) await copyBlob(deps.store, loc, c);
  run.changedTo(run.ref(m.n), live);
  run.done(c);
}

const listed = (r: ListedRef) => {
  const e = entryOf(r);
  return { size: e.size, crc32c: e.crc32c, ...(e.md5 ? { md5: e.md5 } : {}) };
};

/**
 * Runs the job and follows its operation to the end, a line of progress on stderr as its counters move. Any
 * failure the operation reports (its error breakdowns) fails the run: the backup is not committed; with
 * `tolerateVanished`, an operation whose only failures are source objects not found (`onlyVanished`) is returned.
 */
export async function runJob(
  deps: StsDeps,
  signal: AbortSignal | undefined,
  spec: TransferSpec,
  opts: { tolerateVanished?: boolean; cancelOnAbort?: boolean } = {},
): Promise<TransferProgress> {
  const operation = await deps.jobs.run(spec).catch((err: unknown) => {
    throw refusedJob(deps.agent, spec, err);
  });
  deps.note?.(`Storage Transfer Service job ${spec.job} started (operation ${operation})`);
  const wait = deps.sleep ?? sleep;
  let delay = deps.pollMs ?? 500;
  let said = '';
  for (;;) {
    if (signal?.aborted) {
      if (!opts.cancelOnAbort)
        throw new RuntimeError(
          `interrupted while Storage Transfer Service job ${spec.job} runs; it goes on at Google, and what it stages is reused by the next run`,
        );
      // A restore's job writes into the target (the live bucket in place): it must not go on once gwctl has stopped.
      const cancelled = await cancelAndWait(deps, operation, wait).then(
        (ended) => (ended ? 'it was cancelled' : `it was asked to stop (operation ${operation})`),
        (err: unknown) =>
          `cancelling it failed (${(err as Error).message}): cancel it with gcloud transfer operations cancel ${operation}`,
      );
      throw new RuntimeError(`interrupted while Storage Transfer Service job ${spec.job} ran; ${cancelled}`);
    }
    const p = await deps.jobs.progress(operation);
    const line = `${p.status.toLowerCase()}: ${p.objectsCopied}/${p.objectsFound} object(s), ${formatBytes(p.bytesCopied)}/${formatBytes(p.bytesFound)} copied${p.objectsFailed ? `, ${p.objectsFailed} failed` : ''}`;
    if (line !== said) deps.note?.(`  … ${spec.job} ${line}`);
    said = line;
    if (p.done || ['SUCCESS', 'FAILED', 'ABORTED'].includes(p.status)) {
      if (p.status === 'SUCCESS' && p.errors.length === 0) return p;
      if (opts.tolerateVanished && p.status === 'FAILED' && onlyVanished(spec, p)) return p;
      throw new TransferFailedError(describeFailure(deps.agent, spec, p), p);
    }
    await wait(delay);
    delay = Math.min(5_000, delay * 2);
  }
}

/**
 * CancelOperation, then a few looks until the operation has ended (cancellation is asynchronous: until then it may
 * still write), so that what it staged can be deleted after it. False if it has not ended within about 20 s.
 */
async function cancelAndWait(
  deps: StsDeps,
  operation: string,
  wait: (ms: number) => Promise<unknown>,
): Promise<boolean> {
  await deps.jobs.cancel(operation);
  let delay = deps.pollMs ?? 500;
  for (let waited = 0; waited < 20_000; waited += delay, delay = Math.min(5_000, delay * 2)) {
    if ((await deps.jobs.progress(operation)).done) return true;
    await wait(delay);
  }
  return false;
}

/**
 * The operation failed only because objects the transfer manifest names were not found in the source: deleted
 * between gwctl's listing and the job, as a Vault that is not quiesced does. The manifest's docs
 * (https://cloud.google.com/storage-transfer/docs/manifest) say "Files or objects that fail to transfer are listed
 * in the transfer logs", i.e. the job goes on and fails those; ErrorSummary (google/storagetransfer/v1/
 * transfer_types.proto) names each failure by its google.rpc.Code with at most 5 sample ErrorLogEntry a code, whose
 * `url` "refers to the target (a data source, a data sink, or an object)". So: every code NOT_FOUND, and every
 * sample's url an object under the source path (not the source bucket, the sink or the manifest itself, which are
 * fatal). Which objects they were is read from what was staged, not from the samples (5 at most).
 */
export function onlyVanished(spec: TransferSpec, p: TransferProgress): boolean {
  const objects = gsUrl(spec.source.bucket, spec.source.path);
  const object = (url: string) => url.startsWith(objects) && url.length > objects.length && url !== spec.manifest;
  return (
    p.errors.length > 0 &&
    p.errors.every((e) => e.code === 'NOT_FOUND' && e.samples.length > 0 && e.samples.every((s) => object(s.url)))
  );
}

/** One line: what failed, on which objects (the service's samples), and for PERMISSION_DENIED the role the agent lacks. */
export function describeFailure(agent: string, spec: TransferSpec, p: TransferProgress): string {
  const errors = p.errors.length
    ? p.errors
        .map((e) => {
          const sample = e.samples[0];
          return `${e.code} ×${e.count}${sample ? ` (${sample.url}${sample.details[0] ? `: ${sample.details[0]}` : ''})` : ''}`;
        })
        .join('; ')
    : 'no error reported';
  const denied = p.errors.find((e) => e.code === 'PERMISSION_DENIED');
  const hint = denied ? `; ${missingRole(agent, spec, denied.samples[0]?.url ?? '')}` : '';
  return `Storage Transfer Service job ${spec.job} ended ${p.status}: ${errors}${hint}; nothing was committed, re-run to finish (staged objects are reused)`;
}

/**
 * STS checks the service agent's access to both buckets when a job is created, and answers PERMISSION_DENIED naming
 * the bucket: then the agent's missing role is what to grant, not the caller's.
 */
export function refusedJob(agent: string, spec: TransferSpec, err: unknown): unknown {
  const message = (err as Error)?.message ?? '';
  if (!/PERMISSION_DENIED/.test(message)) return err;
  const bucket = [spec.source.bucket, spec.sink.bucket].find((b) => message.includes(b));
  if (!bucket) return err;
  return new RuntimeError(`${message}; or ${missingRole(agent, spec, gsUrl(bucket, ''))}`, { cause: err });
}

/** Which role the service agent lacks, from where the job was refused (the sample's URL names the bucket). */
export function missingRole(agent: string, spec: TransferSpec, url: string): string {
  const who = `the Storage Transfer Service agent ${agent || '(see gcloud transfer authorize)'}`;
  const manifestBucket = /^gs:\/\/([^/]+)\//.exec(spec.manifest)?.[1] ?? '';
  const on = (bucket: string) =>
    url.includes(`//${bucket}/`) || url.endsWith(`//${bucket}`) || url.includes(`/b/${bucket}/`);
  if (url === spec.manifest)
    return `${who} needs roles/storage.objectViewer on ${gsUrl(manifestBucket)} to read the transfer manifest`;
  if (on(spec.sink.bucket))
    return `${who} needs roles/storage.legacyBucketWriter on ${gsUrl(spec.sink.bucket)} (and roles/storage.objectViewer there, for the transfer manifest)`;
  if (on(spec.source.bucket))
    return `${who} needs roles/storage.objectViewer and roles/storage.legacyBucketReader on ${gsUrl(spec.source.bucket)}`;
  return `${who} needs roles/storage.objectViewer and roles/storage.legacyBucketReader on ${gsUrl(spec.source.bucket)}, and roles/storage.legacyBucketWriter and roles/storage.objectViewer on ${gsUrl(spec.sink.bucket)}`;
}

/**
 * `backup restore --engine sts`: STS cannot rename, so the job copies the blobs the restore needs into the target
 * bucket's `gwctl-staging/restore-<backup id>/<blob key>`, and the restore's rewrites (within the target bucket,
 * each checked against the manifest as always) put them under their names; then the staging prefix is deleted,
 * whatever happened (a failed job, a failed copy, Ctrl-C: applyRestore's `finally`). Interrupted, the job's
 * operation is cancelled, and waited for, before that: it must not go on writing into the target once gwctl is gone.
 */
export async function stageForRestore(
  deps: StsDeps,
  loc: BackupLocation,
  backupId: string,
  targetBucket: string,
  copies: AsyncIterable<RestoreCopy>,
  signal?: AbortSignal,
): Promise<StagedBlobs | undefined> {
  // Packed (28 bytes a content address, outside the heap: blob-keys.ts), not a Set of ~70-character strings.
  const keys = new BlobKeySet();
  for await (const c of copies) keys.add(c.entry.blob);
  if (keys.size === 0) return undefined;
  const { store } = deps;
  const run = `restore-${backupId}-${randomBytes(3).toString('hex')}`;
  const manifest = transferManifestName(loc, run);
  const manifestInfo = await writeManifest(store, { bucket: loc.backupBucket, name: manifest }, () =>
    transferManifestChunks(keys),
  );
  const prefix = restoreStagingPrefix(backupId);
  const job = `transferJobs/gwctl-${run}`;
  const staged: StagedBlobs = {
    job,
    where: gsUrl(targetBucket, prefix),
    source: (key) => ({ bucket: targetBucket, name: `${prefix}${key}` }),
    // Page by page as the prefix is listed: a million staged blobs are never held at once.
    cleanUp: async () => {
      await deleteUnder(store, targetBucket, prefix);
      await deleteObjects(store, [manifestInfo]);
    },
    left: async () => {
      const left = { count: 0, first: [] as string[] };
      for await (const page of store.list(targetBucket, { prefix })) {
        left.count += page.length;
        for (const o of page) if (left.first.length < 3) left.first.push(o.name);
      }
      return left;
    },
  };
  try {
    await runJob(
      deps,
      signal,
      {
        job,
        description: `gwctl restore of backup ${backupId} into ${gsUrl(targetBucket)}`,
        source: { bucket: loc.backupBucket, path: blobsPrefix(loc) },
        sink: { bucket: targetBucket, path: prefix },
        manifest: gsUrl(loc.backupBucket, manifest),
      },
      { cancelOnAbort: true },
    );
  } catch (err) {
    // Nothing of the target is touched yet but the staging prefix: it goes now, not left in the (live) bucket.
    await cleanUpStaged(staged, deps.warn);
    throw err;
  }
  return staged;
}
