import { PreconditionFailedError, type ObjectInfo, type ObjectStore } from '../cloud/object-store.js';
import { UsageError } from '../errors/gwctl-error.js';
import { silentProgress, type Progress } from '../ui/progress.js';
import { batchSize } from './batched-copies.js';
import { BlobKeySet } from './blob-keys.js';
import { chunk, forEachBounded } from './bounded.js';
import { manifestEntries, storedBlobs } from './catalog.js';
import {
  declareIntent,
  listIntents,
  liveIntents,
  PRUNE_INTENT_TTL_MS,
  PRUNE_WORK_LIMIT_MS,
  type IntentInfo,
} from './intents.js';
import { idFromPartName, manifestsPrefix, newBackupId, type BackupLocation } from './layout.js';
import { collectStaging } from './staging.js';
import { backupStep } from './step-ids.js';
import { ManifestError, summaryOf, type BackupSummary } from './manifest.js';

/**
 * How prune stays safe next to a `backup create` running at the same time.
 *
 * Blobs are shared between backups and a manifest is written only after all its blobs, so at any
 * moment a running create may depend on blobs no manifest references yet, of two sorts:
 *  - blobs it copied itself. They are new: the grace period (default 24 h) keeps every blob younger than
 *    that, referenced or not (and the intent below, those of a run longer than that);
 *  - blobs it found already stored and decided to reuse instead of copying. Those can be old, and
 *    unreferenced if the manifests that used them were just pruned. Age cannot protect them; the
 *    intents (intents.ts) do: a create announces itself before it lists blobs, and a prune announces
 *    itself before it looks for creates. A prune that sees a create collects nothing this time; a
 *    create that sees a prune waits for it to end before it decides what to reuse.
 *    A create rewrites its intent every hour (INTENT_REFRESH_MS), so a run longer than the grace period (a
 *    day-long Storage Transfer job) stays visible; should a prune still remove its intent (refreshes failing
 *    for a whole grace period), the create finds out before it seals and checks its reused blobs again.
 * Manifests are listed only after the intents, so a create that finished before then is seen by its
 * manifest. A manifest that cannot be read stops collection too: its blobs are unknown.
 */
export interface PrunePolicy {
  /** Keep this many newest backups. */
  keep?: number;
  /** Remove backups completed longer ago than this. */
  olderThanMs?: number;
}

export interface PruneSelection {
  remove: BackupSummary[];
  keep: BackupSummary[];
}

/**
 * With both limits, a backup goes only when both say so. The newest backup always stays: pruning is
 * never how the last good copy of the bucket disappears.
 */
export function selectForPrune(backups: BackupSummary[], policy: PrunePolicy, now: Date): PruneSelection {
  if (policy.keep === undefined && policy.olderThanMs === undefined)
    throw new UsageError('say what to prune: --keep N and/or --older-than DURATION');
  if (policy.keep !== undefined && (!Number.isInteger(policy.keep) || policy.keep < 1))
    throw new UsageError(`--keep ${policy.keep}: keep at least 1 backup`);
  const newestFirst = [...backups].sort(
    (a, b) => Date.parse(b.completedAt) - Date.parse(a.completedAt) || (a.id < b.id ? 1 : -1),
  );
  const selection: PruneSelection = { remove: [], keep: [] };
  newestFirst.forEach((b, i) => {
    const beyondKeep = policy.keep === undefined || i >= policy.keep;
    const oldEnough =
      policy.olderThanMs === undefined || now.getTime() - Date.parse(b.completedAt) > policy.olderThanMs;
    (i > 0 && beyondKeep && oldEnough ? selection.remove : selection.keep).push(b);
  });
  return selection;
}

export interface GarbageScan {
  /** Blobs referenced by the remaining manifests. */
  referenced: number;
  /** Unreferenced blobs older than the grace period. */
  garbage: ObjectInfo[];
  garbageBytes: number;
  /** Unreferenced blobs younger than the grace period: kept, a running backup may be about to reference them. */
  young: number;
  /** Manifest parts no remaining manifest lists (of removed backups, or of backups killed before their manifest), old enough to go. */
  parts: ObjectInfo[];
  /** Manifests that could not be read; any stops collection. */
  unreadable: string[];
}

/** Which blobs no manifest (other than those being removed) references, and which of them are old enough to go. */
export async function findGarbage(
  store: ObjectStore,
  loc: BackupLocation,
  opts: { graceMs: number; now: Date; removing?: Set<string> },
): Promise<GarbageScan> {
  const referenced = new BlobKeySet();
  const unreadable: string[] = [];
  const summaries: BackupSummary[] = [];
  const parts: { id: string; part: ObjectInfo }[] = [];
  for await (const page of store.list(loc.backupBucket, { prefix: manifestsPrefix(loc) })) {
    for (const o of page) {
      const s = summaryOf(loc, o);
      const partOf = s ? undefined : idFromPartName(loc, o.name);
      if (partOf) parts.push({ id: partOf, part: o });
      else if (!s) unreadable.push(o.name);
      else if (!opts.removing?.has(s.id)) summaries.push(s);
    }
  }
  for (const s of summaries) {
    try {
      // Part by part: only the blob keys are kept, packed (28 bytes each, see blob-keys.ts).
      for await (const entries of manifestEntries(store, s)) for (const e of entries) referenced.add(e.blob);
    } catch (err) {
      if (!(err instanceof ManifestError)) throw err;
      unreadable.push(s.manifest.name);
    }
  }
  const scan: GarbageScan = {
    referenced: referenced.size,
    garbage: [],
    garbageBytes: 0,
    young: 0,
    parts: [],
    unreadable,
  };
  const old = (o: ObjectInfo) => opts.now.getTime() - Date.parse(o.created) >= opts.graceMs;
  for await (const [key, blob] of storedBlobs(store, loc)) {
    if (referenced.has(key)) continue;
    if (!old(blob)) scan.young++;
    else {
      scan.garbage.push(blob);
      scan.garbageBytes += blob.size;
    }
  }
  // Parts no remaining manifest lists: of removed backups, or of a backup killed before its manifest (a
  // running one's are younger than the grace period).
  const kept = new Set(summaries.map((s) => s.id));
  scan.parts = parts.filter(({ id, part }) => !kept.has(id) && old(part)).map(({ part }) => part);
  return scan;
}

export interface PruneResult {
  removed: string[];
  blobs: { deleted: number; bytesFreed: number; referenced: number; young: number; left: number };
  /** Why blobs were not collected this time (they will be by a later prune), if they were not. */
  deferred?: string;
  staleIntentsRemoved: number;
  /** Manifest parts no manifest listed any more, deleted. */
  partsDeleted: number;
  /** Objects `--engine sts` staged (and transfer manifests) that no run needs any more, deleted. */
  stagingDeleted?: number;
}

export interface PruneDeps {
  store: ObjectStore;
  now?: () => Date;
  progress?: (total: number) => Promise<Progress>;
  signal?: AbortSignal;
  /** A plan step finished (a backup deleted, the blobs collected): for the audit outcome. */
  stepDone?: (id: string) => void;
}

export async function prune(
  deps: PruneDeps,
  loc: BackupLocation,
  selection: PruneSelection,
  opts: { graceMs: number; concurrency: number },
): Promise<PruneResult> {
  const { store } = deps;
  const now = deps.now ?? (() => new Date());
  const result: PruneResult = {
    removed: [],
    blobs: { deleted: 0, bytesFreed: 0, referenced: 0, young: 0, left: 0 },
    staleIntentsRemoved: 0,
    partsDeleted: 0,
  };

  // Manifests first: once one is gone the backup no longer exists, whatever happens to its blobs.
  await forEachBounded(
    selection.remove,
    opts.concurrency,
    async (b) => {
      try {
        await store.delete(
          { bucket: b.manifest.bucket, name: b.manifest.name },
          { ifGenerationMatch: b.manifest.generation },
        );
      } catch (err) {
        if (!(err instanceof PreconditionFailedError)) throw err;
      }
      result.removed.push(b.id);
      deps.stepDone?.(backupStep.deleteBackup(b.id));
    },
    deps.signal,
  );

  const intent = await declareIntent(store, loc, 'prune', newBackupId(now()));
  const declaredAt = Date.now();
  try {
    const intents = await listIntents(store, loc);
    const serverNow = intent.created;
    // Intents of processes that died (not refreshed for longer than they may be); removing them lets later prunes
    // collect again. A create intent that cannot be removed at the generation listed was refreshed meanwhile (or
    // may have been): its backup is alive, as the stat of a running create checks before it seals (create.ts).
    const refreshed: IntentInfo[] = [];
    for (const stale of intents.filter(
      (i) =>
        i.id !== intent.id &&
        serverNow.getTime() - i.created.getTime() >= (i.kind === 'prune' ? PRUNE_INTENT_TTL_MS : opts.graceMs),
    )) {
      const removed = await store
        .delete({ bucket: loc.backupBucket, name: stale.name }, { ifGenerationMatch: stale.generation })
        .then(
          () => true,
          () => false,
        );
      if (removed) result.staleIntentsRemoved++;
      else if (stale.kind === 'create') refreshed.push(stale);
    }
    const creates = [...liveIntents(intents, 'create', serverNow, opts.graceMs), ...refreshed];
    if (creates.length > 0) {
      result.deferred = `backup ${creates[0]!.id} is running (or died less than the grace period ago); unreferenced blobs are left for a later prune`;
      return result;
    }
    const scan = await findGarbage(store, loc, { graceMs: opts.graceMs, now: serverNow });
    result.blobs.referenced = scan.referenced;
    result.blobs.young = scan.young;
    if (scan.unreadable.length > 0) {
      result.deferred = `manifest ${scan.unreadable[0]} cannot be read, so the blobs it needs are unknown; no blob was deleted (run gwctl backup verify)`;
      result.blobs.left = scan.garbage.length;
      return result;
    }
    const progress =
      scan.garbage.length > 0 && deps.progress ? await deps.progress(scan.garbage.length) : silentProgress;
    try {
      // Up to 100 deletes per request, as copies go (see copyInBatches).
      await forEachBounded(
        chunk(scan.garbage, batchSize(scan.garbage.length, opts.concurrency)),
        opts.concurrency,
        async (blobs) => {
          // Creates honour a prune intent for PRUNE_INTENT_TTL_MS only: stop well before that.
          if (Date.now() - declaredAt > PRUNE_WORK_LIMIT_MS) {
            result.blobs.left += blobs.length;
            return;
          }
          const outcomes = await store.deleteMany(
            blobs.map((blob) => ({
              ref: { bucket: loc.backupBucket, name: blob.name },
              ifGenerationMatch: blob.generation,
            })),
          );
          let failure: Error | undefined;
          outcomes.forEach((outcome, i) => {
            // A PreconditionFailedError: re-created meanwhile by a backup (same content, new generation), so not garbage any more.
            if (outcome instanceof Error && !(outcome instanceof PreconditionFailedError)) {
              failure ??= outcome;
              return;
            }
            if (outcome === 'deleted') {
              result.blobs.deleted++;
              result.blobs.bytesFreed += blobs[i]!.size;
            }
            progress.tick();
          });
          if (failure) throw failure;
        },
        deps.signal,
      );
    } finally {
      progress.stop();
    }
    for (const parts of chunk(scan.parts, 100)) {
      const outcomes = await store.deleteMany(
        parts.map((p) => ({ ref: { bucket: loc.backupBucket, name: p.name }, ifGenerationMatch: p.generation })),
      );
      const failure = outcomes.find((o) => o instanceof Error && !(o instanceof PreconditionFailedError));
      if (failure) throw failure;
      result.partsDeleted += outcomes.filter((o) => o === 'deleted').length;
    }
    result.stagingDeleted = await collectStaging(store, loc, { graceMs: opts.graceMs, now: serverNow });
    if (scan.garbage.length > 0) deps.stepDone?.(backupStep.collectBlobs);
    if (result.blobs.left > 0)
      result.deferred = `stopped after ${PRUNE_WORK_LIMIT_MS / 60_000} min so backups are not held up; ${result.blobs.left} blob(s) left for the next prune`;
    return result;
  } finally {
    await intent.release().catch(() => undefined);
  }
}
