import { setTimeout as sleep } from 'node:timers/promises';
import {
  ObjectNotFoundError,
  PreconditionFailedError,
  type ObjectInfo,
  type ObjectStore,
} from '../cloud/object-store.js';
import { listInParallel } from '../cloud/parallel-listing.js';
import { RuntimeError } from '../errors/gwctl-error.js';
import { silentProgress, type Progress } from '../ui/progress.js';
import { copyInBatches } from './batched-copies.js';
import { blobCopyRequest, blobHolds, checkHolds, copyBlob, type BlobCopy, type CopiedObject } from './blob-copies.js';
import {
  declareIntent,
  INTENT_REFRESH_MS,
  listIntents,
  liveIntents,
  PRUNE_INTENT_TTL_MS,
  type Intent,
} from './intents.js';
import { LISTERS, listBlobs, type BlobIndex } from './catalog.js';
import { blobKey, manifestName, newBackupId, type BackupLocation } from './layout.js';
import { MANIFEST_FORMAT, partsOf, sealManifest, type ManifestSeal, type PartRef } from './manifest.js';
import { BlobKeySet } from './blob-keys.js';
import { isRestoreStaging } from './staging.js';
import {
  dropListed,
  entryOf,
  keyOf,
  ListedObjects,
  numberOf,
  replaceListed,
  sizeOf,
  type ListedRef,
} from './listed-objects.js';
import { backupStep } from './step-ids.js';
import { gsUrl } from '../config/gs-url.js';

/** What the plan of a backup counts. */
export interface BackupPreview {
  objects: number;
  bytes: number;
  newBlobs: number;
  newBytes: number;
  /** Objects whose content the backup bucket holds already. */
  storedObjects: number;
}

/** The source bucket as listed at one moment, in name order. */
export interface SourceSnapshot {
  objects: ListedObjects;
  listedAt: Date;
}

export async function listSource(
  store: ObjectStore,
  loc: BackupLocation,
  now: () => Date = () => new Date(),
): Promise<SourceSnapshot> {
  const listedAt = now();
  const objects = new ListedObjects();
  try {
    // Each object's blob key and manifest line are made now, while other pages are on their way.
    // A restore's staging left in the bucket (gwctl-staging/) is gwctl's scratch space, never backed up.
    for await (const page of listInParallel(store, loc.sourceBucket, { concurrency: LISTERS }))
      objects.add(page.filter((o) => !isRestoreStaging(o.name)));
  } catch (err) {
    objects.close();
    throw err;
  }
  objects.seal();
  return { objects, listedAt };
}

/**
 * What a backup of `objects` would copy, given the blobs already there: content seen before is not copied
 * again. `copies` are the objects' numbers (see `ListedObjects.ref`): a million first copies are 8 MB.
 */
export function planCopies(
  objects: ListedObjects,
  blobs: BlobIndex,
): { copies: number[]; objects: number; reused: number; bytes: number; copyBytes: number } {
  const copies: number[] = [];
  const copying = new BlobKeySet();
  let count = 0;
  let reused = 0;
  let bytes = 0;
  let copyBytes = 0;
  for (const r of objects.refs()) {
    count++;
    const size = sizeOf(r);
    bytes += size;
    const key = keyOf(r);
    // An object's key names its size and hashes, so a blob listed with those holds its content.
    if (blobs.holds(key)) reused++;
    else if (copying.add(key)) {
      copies.push(numberOf(r));
      copyBytes += size;
    }
  }
  return { copies, objects: count, reused, bytes, copyBytes };
}

/** What a copy needs of a listed object, from its manifest line. */
function copiedObject(r: ListedRef): CopiedObject {
  const e = entryOf(r);
  const o: CopiedObject = { bucket: '', name: e.name, generation: e.generation, size: e.size, crc32c: e.crc32c };
  if (e.md5) o.md5 = e.md5;
  return o;
}

export interface CreateBackupDeps {
  store: ObjectStore;
  now?: () => Date;
  /** A progress bar for the copies, given their number. */
  progress?: (total: number) => Promise<Progress>;
  /** Aborting stops the copies; no manifest is written, so the backup does not exist. */
  signal?: AbortSignal;
  /** A plan step finished (copy-blobs, write-manifest): for the audit outcome. */
  stepDone?: (id: string) => void;
  /** After each blob copied (tests use it to stop a backup midway). */
  onCopied?: (copied: number) => void;
  warn?: (message: string) => void;
  sleep?: (ms: number) => Promise<void>;
  /** Random suffix of the id (tests). */
  idSuffix?: string;
  /** How often the run's intent is rewritten (INTENT_REFRESH_MS; tests shorten it). */
  refreshMs?: number;
}

export interface CreateBackupOptions {
  location: BackupLocation;
  /** Requests in flight at once. */
  concurrency: number;
  /** At most this many copies per request (1: no batches); default and ceiling 100, the service's limit. */
  batchSize?: number;
  quiesced: boolean;
  /** A listing already taken (the plan's); listed afresh when absent (e.g. once the workload is quiesced). */
  source?: SourceSnapshot;
  /** Opened by the caller (who releases it) so the plan and the copy share one blob listing; opened here otherwise. */
  session?: BackupSession;
  gwctlVersion?: string;
  /** Copies the new content another way than gwctl's own batched rewrites (`--engine sts`: sts-engine.ts). */
  engine?: CopyEngine;
}

/** What a copy engine is given: the planned copies, and how to count one done or fall back to gwctl's own copy. */
export interface EngineRun {
  id: string;
  /** The planned copies, as the listed objects' numbers (`ref` gives each one). */
  copies: number[];
  ref(n: number): ListedRef;
  blobs: BlobIndex;
  signal?: AbortSignal;
  /** One blob is in place with the object's content. */
  done(c: BlobCopy): void;
  /** gwctl's own copy of one object, with its handling of objects changed or deleted since the listing. */
  alone(n: number): Promise<void>;
  /** The object changed since the listing: the backup holds `live`, whose content is in place at its key. */
  changedTo(r: ListedRef, live: ObjectInfo): void;
}

export interface CopyEngine {
  name: string;
  /** Puts every planned copy's content in its blob; the name of the job that did, if one ran. */
  copy(run: EngineRun): Promise<{ job?: string }>;
}

export interface CreateBackupResult {
  id: string;
  manifest: string;
  sourceBucket: string;
  backupBucket: string;
  startedAt: string;
  completedAt: string;
  quiesced: boolean;
  objects: number;
  bytes: number;
  blobs: { copied: number; copiedBytes: number; reused: number };
  /** Objects overwritten between the listing and their copy: backed up as they were when copied. */
  changedDuringBackup: string[];
  /** Objects deleted between the listing and their copy: not in this backup. */
  vanishedDuringBackup: string[];
  durationMs: number;
  /** The copy engine, and its job if one ran (`--engine sts`). */
  engine: { name: string; job?: string };
}

/** Stopped by SIGINT/SIGTERM or a caller: nothing was committed. */
export class BackupInterruptedError extends RuntimeError {
  constructor(message: string) {
    super(message);
    this.name = 'BackupInterruptedError';
  }
}

const PRUNE_POLL_MS = 2_000;

/**
 * A backup from its intent on. While the intent is held no prune collects blobs, and blobs vanish only
 * through a prune, so the blob listing taken once the intent is visible stays true for the whole run.
 * The intent is rewritten every INTENT_REFRESH_MS, so a run longer than prune's grace period stays held.
 * `backup create` opens it before planning, as Terraform takes its state lock before a plan, so the
 * plan and the copy share that one listing.
 */
export interface BackupSession {
  id: string;
  blobs: BlobIndex;
  /**
   * Right before sealing: refreshes the intent. If a prune removed it meanwhile (it was not refreshed for a whole
   * grace period), blobs may have been collected: the intent is declared again and, once no prune runs, the blobs
   * are listed again; that listing is returned (the old one is not true any more).
   */
  confirm(): Promise<BlobIndex | undefined>;
  release(): Promise<void>;
}

export async function openBackupSession(deps: CreateBackupDeps, loc: BackupLocation): Promise<BackupSession> {
  const id = newBackupId((deps.now ?? (() => new Date()))(), deps.idSuffix);
  let intent = await declareIntent(deps.store, loc, 'create', id);
  let warned = false;
  // Release and confirm wait for the rewrite in flight, so each acts on the latest generation.
  let refreshing: Promise<unknown> = Promise.resolve();
  const refresher = setInterval(
    () =>
      (refreshing = intent.refresh().then(
        (held) =>
          held || deps.warn?.(`${intent.name} was removed by a prune; the blobs are checked again before sealing`),
        (err: unknown) => {
          if (!warned) deps.warn?.(`could not refresh ${intent.name} (${(err as Error).message}); retrying`);
          warned = true;
        },
      )),
    deps.refreshMs ?? INTENT_REFRESH_MS,
  );
  // The timer alone never keeps the process alive.
  refresher.unref();
  const release = async () => {
    clearInterval(refresher);
    await refreshing;
    await intent
      .release()
      .catch((err: unknown) =>
        deps.warn?.(
          `could not remove ${intent.name} (${(err as Error).message}); prunes skip blob collection until it expires`,
        ),
      );
  };
  try {
    await waitForPrunes(deps, loc, intent, Date.now());
    const confirm = async () => {
      await refreshing;
      if (await intent.refresh()) return undefined;
      deps.warn?.(
        `${intent.name} was removed by a prune (not refreshed for a whole grace period); listing the stored blobs again and copying what is missing`,
      );
      intent = await declareIntent(deps.store, loc, 'create', id);
      await waitForPrunes(deps, loc, intent, Date.now());
      return listBlobs(deps.store, loc);
    };
    return { id, blobs: await listBlobs(deps.store, loc), confirm, release };
  } catch (err) {
    await release();
    throw err;
  }
}

/**
 * Takes a backup: list the source and the blobs already stored, copy server-side the content not
 * stored yet (bounded concurrency, in batches), then write the manifest — last, as the commit marker.
 * A backup that stops before that leaves only blobs, which the next run reuses, and no trace in `backup list`.
 */
export async function createBackup(deps: CreateBackupDeps, opts: CreateBackupOptions): Promise<CreateBackupResult> {
  const { store } = deps;
  const now = deps.now ?? (() => new Date());
  const loc = opts.location;
  const clock = Date.now();
  const session = opts.session ?? (await openBackupSession(deps, loc));
  let listed: SourceSnapshot | undefined;
  try {
    const { id } = session;
    let blobs = session.blobs;
    const source = opts.source ?? (listed = await listSource(store, loc, now));
    const { copies } = planCopies(source.objects, blobs);
    const changed: string[] = [];
    const vanished: string[] = [];
    let copied = 0;
    let copiedBytes = 0;
    /**
     * Keys planned for a copy whose object changed or went before it: other listed objects may still name them.
     * Kept small (changed objects only), so a run where nothing changes holds and walks nothing more.
     */
    const orphaned = new Set<string>();
    /** Keys copied since the blobs were listed again (only after a prune removed this run's intent). */
    let landed: BlobKeySet | undefined;
    const progress = copies.length > 0 && deps.progress ? await deps.progress(copies.length) : silentProgress;
    const done = (c: BlobCopy) => {
      orphaned.delete(c.key);
      landed?.add(c.key);
      copied++;
      copiedBytes += c.object.size;
      progress.tick();
      deps.onCopied?.(copied);
    };
    const blobCopy = (key: string, o: CopiedObject): BlobCopy => ({
      key,
      object: o,
      replaces: blobs.get(key)?.generation,
    });
    // Made again from the object's manifest line when needed, so only the copies in flight are held whole.
    const listedCopy = (n: number) => {
      const r = source.objects.ref(n);
      return blobCopy(keyOf(r), { ...copiedObject(r), bucket: loc.sourceBucket });
    };
    const copyOne = async (key: string, o: ObjectInfo) => {
      const c = blobCopy(key, o);
      await copyBlob(store, loc, c);
      done(c);
    };
    // One by one: a single copy, or one its batch left over (throttled, already there, source changed).
    const copyAlone = async (n: number) => {
      const c = listedCopy(n);
      try {
        await copyBlob(store, loc, c);
        done(c);
      } catch (err) {
        if (!(err instanceof ObjectNotFoundError)) throw err;
        // The listed generation is gone: back up what is there now, or nothing if it was deleted.
        orphaned.add(c.key);
        await recopyChanged(store, loc, source.objects.ref(n), c.object, blobs, changed, vanished, copyOne);
      }
    };
    /**
     * Content is copied once per key, through the first object that has it. If that object changed or went before
     * its copy, other listed objects with the same key (empty objects, identical Vault entries) still need it:
     * each key `missing` says is neither stored nor copied is copied through a listed object that names it, until
     * every one is (each round settles or drops the objects it copies through, so the rounds end).
     */
    const settle = async (missing: (key: string) => boolean) => {
      for (let again = true; again;) {
        again = false;
        for (const r of source.objects.refs()) {
          const key = keyOf(r);
          if (!missing(key)) continue;
          if (deps.signal?.aborted) throw new BackupInterruptedError('interrupted');
          again = true;
          await copyAlone(numberOf(r));
        }
      }
    };
    let job: string | undefined;
    try {
      // An engine (`--engine sts`) copies them all, leaving gwctl's own batched rewrites nothing to do.
      if (opts.engine)
        ({ job } = await opts.engine.copy({
          id,
          copies,
          ref: (n) => source.objects.ref(n),
          blobs,
          signal: deps.signal,
          done,
          alone: copyAlone,
          changedTo: (r, live) => {
            orphaned.add(keyOf(r));
            replaceListed(r, live, blobKey(live));
            changed.push(live.name);
          },
        }));
      await copyInBatches(
        store,
        opts.engine ? [] : copies,
        { concurrency: opts.concurrency, batchSize: opts.batchSize, signal: deps.signal },
        {
          request: (r) => blobCopyRequest(loc, listedCopy(r)),
          landed: (n, blob) => {
            const c = listedCopy(n);
            checkHolds(loc, c, blob);
            done(c);
          },
          alone: copyAlone,
        },
      );
      if (orphaned.size > 0) await settle((key) => orphaned.has(key));
      const relisted = await session.confirm();
      if (relisted) {
        const stored = (blobs = relisted);
        const since = (landed = new BlobKeySet());
        await settle((key) => !stored.holds(key) && !since.has(key));
      }
    } catch (err) {
      if (deps.signal?.aborted)
        throw new BackupInterruptedError(
          `backup interrupted after copying ${copied} of ${copies.length} new blob(s); no manifest was written, so it does not exist. Re-run \`gwctl backup create\`: copied blobs are reused`,
        );
      throw err;
    } finally {
      progress.stop();
    }
    deps.stepDone?.(backupStep.copyBlobs);
    const totals = { objects: 0, bytes: 0, blobs: 0 };
    const distinct = new BlobKeySet();
    for (const r of source.objects.refs()) {
      totals.objects++;
      totals.bytes += sizeOf(r);
      distinct.add(keyOf(r));
    }
    totals.blobs = distinct.size;
    const header: Omit<ManifestSeal, 'parts'> = {
      format: MANIFEST_FORMAT,
      id,
      env: loc.env,
      sourceBucket: loc.sourceBucket,
      backupBucket: loc.backupBucket,
      prefix: loc.prefix,
      startedAt: source.listedAt.toISOString(),
      completedAt: now().toISOString(),
      quiesced: opts.quiesced,
      ...(opts.gwctlVersion ? { gwctlVersion: opts.gwctlVersion } : {}),
      totals,
    };
    if (deps.signal?.aborted)
      throw new BackupInterruptedError(
        'backup interrupted before its manifest was written; it does not exist. Re-run `gwctl backup create`: copied blobs are reused',
      );
    await writeManifest(store, loc, header, source.objects.lines());
    deps.stepDone?.(backupStep.writeManifest);
    if (changed.length + vanished.length > 0) {
      deps.warn?.(
        `${changed.length + vanished.length} object(s) changed while the backup ran (the workload was not quiesced?): ${[...changed, ...vanished].slice(0, 3).join(', ')}${changed.length + vanished.length > 3 ? ', …' : ''}`,
      );
    }
    return {
      id,
      manifest: gsUrl(loc.backupBucket, manifestName(loc, id)),
      sourceBucket: loc.sourceBucket,
      backupBucket: loc.backupBucket,
      startedAt: header.startedAt,
      completedAt: header.completedAt,
      quiesced: opts.quiesced,
      objects: totals.objects,
      bytes: totals.bytes,
      blobs: { copied, copiedBytes, reused: Math.max(0, totals.blobs - copied) },
      changedDuringBackup: changed,
      vanishedDuringBackup: vanished,
      durationMs: Date.now() - clock,
      engine: { name: opts.engine?.name ?? 'rewrite', ...(job ? { job } : {}) },
    };
  } finally {
    listed?.objects.close();
    if (!opts.session) await session.release();
  }
}

/** Waits while a prune is collecting blobs: reusing a blob it is about to delete would lose it. */
async function waitForPrunes(
  deps: CreateBackupDeps,
  loc: BackupLocation,
  intent: Intent,
  declaredAt: number,
): Promise<void> {
  const wait = deps.sleep ?? sleep;
  const deadline = Date.now() + PRUNE_INTENT_TTL_MS;
  let told = false;
  for (;;) {
    // Ages are measured on server time: our intent's creation is "now" as GCS sees it.
    const serverNow = new Date(intent.created.getTime() + (Date.now() - declaredAt));
    const prunes = liveIntents(await listIntents(deps.store, loc), 'prune', serverNow, PRUNE_INTENT_TTL_MS);
    if (prunes.length === 0) return;
    if (deps.signal?.aborted)
      throw new BackupInterruptedError('backup interrupted while waiting for a prune to finish; nothing was written');
    if (Date.now() > deadline)
      throw new RuntimeError(
        `a prune (${prunes[0]!.id}) is still collecting blobs in ${gsUrl(loc.backupBucket, loc.prefix)}; try again later`,
      );
    if (!told) deps.warn?.(`waiting for prune ${prunes[0]!.id} to finish collecting unreferenced blobs`);
    told = true;
    await wait(PRUNE_POLL_MS);
  }
}

async function recopyChanged(
  store: ObjectStore,
  loc: BackupLocation,
  at: ListedRef,
  listed: CopiedObject,
  blobs: BlobIndex,
  changed: string[],
  vanished: string[],
  copyOne: (key: string, o: ObjectInfo) => Promise<void>,
): Promise<void> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const live = await store.stat({ bucket: listed.bucket, name: listed.name });
    if (!live) {
      dropListed(at);
      vanished.push(listed.name);
      return;
    }
    const key = blobKey(live);
    try {
      const stored = blobs.get(key);
      if (!stored || !blobHolds(stored, live)) await copyOne(key, live);
      replaceListed(at, live, key);
      changed.push(live.name);
      return;
    } catch (err) {
      if (!(err instanceof ObjectNotFoundError)) throw err;
    }
  }
  throw new RuntimeError(
    `${gsUrl(listed.bucket, listed.name)} keeps changing while it is copied; re-run with --quiesce`,
  );
}

/** Parts written at once. */
const PART_WRITERS = 8;

/**
 * The parts first, then the manifest that lists them, which commits the backup. All write-once: a retry
 * that finds one already there checks it is ours, by its checksum. Parts are made as they are written, a
 * few at a time, so only those in flight are held.
 */
async function writeManifest(
  store: ObjectStore,
  loc: BackupLocation,
  header: Omit<ManifestSeal, 'parts'>,
  lines: Iterable<Buffer>,
): Promise<void> {
  const refs: PartRef[] = [];
  const writing = new Set<Promise<void>>();
  let failure: { err: unknown } | undefined;
  for (const { ref, data } of partsOf(loc, header.id, lines)) {
    if (failure) break;
    refs.push(ref);
    const w: Promise<void> = writeOnce(
      store,
      { bucket: loc.backupBucket, name: ref.name },
      data,
      ref.sha256,
      'application/jsonl',
    )
      .catch((err: unknown) => void (failure ??= { err }))
      .finally(() => writing.delete(w));
    writing.add(w);
    if (writing.size >= PART_WRITERS) await Promise.race(writing);
  }
  await Promise.all(writing);
  if (failure) throw failure.err;
  const sealed = sealManifest({ ...header, parts: refs });
  await writeOnce(
    store,
    { bucket: loc.backupBucket, name: manifestName(loc, header.id) },
    sealed.data,
    sealed.sha256,
    'application/json',
    sealed.metadata,
  );
}

async function writeOnce(
  store: ObjectStore,
  ref: { bucket: string; name: string },
  data: Buffer,
  sha256: string,
  contentType: string,
  metadata: Record<string, string> = { 'gwctl-sha256': sha256 },
): Promise<void> {
  try {
    await store.write(ref, data, { ifGenerationMatch: '0', attributes: { contentType, metadata } });
  } catch (err) {
    if (!(err instanceof PreconditionFailedError)) throw err;
    const there = await store.stat(ref);
    if (there?.metadata['gwctl-sha256'] !== sha256)
      throw new RuntimeError(
        `${gsUrl(ref.bucket, ref.name)} already exists with other content; backup ids must be unique`,
      );
  }
}

/** What the plan shows: the source as listed now and how much of it would be copied. Listings already taken are used as they are. */
export async function previewBackup(
  store: ObjectStore,
  loc: BackupLocation,
  taken: { source?: SourceSnapshot; blobs?: BlobIndex } = {},
): Promise<{ source: SourceSnapshot; preview: BackupPreview }> {
  const [source, blobs] = await Promise.all([
    taken.source ?? listSource(store, loc),
    taken.blobs ?? listBlobs(store, loc),
  ]);
  const p = planCopies(source.objects, blobs);
  return {
    source,
    preview: {
      objects: p.objects,
      bytes: p.bytes,
      newBlobs: p.copies.length,
      newBytes: p.copyBytes,
      storedObjects: p.reused,
    },
  };
}
