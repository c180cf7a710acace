import { hostname } from 'node:os';
import { PreconditionFailedError, type ObjectStore } from '../cloud/object-store.js';
import { intentName, intentsPrefix, parseIntentName, type BackupLocation, type IntentKind } from './layout.js';

/**
 * Create and prune coordinate through small "intent" objects, with no lock service: each writes its own
 * intent first and only then looks for the other's (Dekker's flags over GCS, whose writes and listings
 * are strongly consistent). Of a create and a prune that overlap, at least one sees the other:
 * a create that sees a prune waits for it to finish before it decides which blobs it can reuse;
 * a prune that sees a create leaves every blob alone this time. See prune.ts for why that matters.
 *
 * Intents of processes that died stay behind, so they expire: a prune's after PRUNE_INTENT_TTL_MS (a
 * prune stops deleting well before that), a create's after the grace period. A create may run longer than
 * that (a day-long Storage Transfer job), so it rewrites its intent every INTENT_REFRESH_MS: an intent's age is
 * that of its latest generation (GCS gives each generation its own timeCreated), i.e. of its latest refresh.
 */
export const PRUNE_INTENT_TTL_MS = 15 * 60_000;
/** A prune stops collecting blobs once its intent is this old, long before creates stop honouring it. */
export const PRUNE_WORK_LIMIT_MS = 10 * 60_000;
/** How often a running create rewrites its intent: far below any grace period a prune would use. */
export const INTENT_REFRESH_MS = 60 * 60_000;

export interface IntentInfo {
  kind: IntentKind;
  id: string;
  name: string;
  generation: string;
  /** Server time it was written. */
  created: Date;
}

export interface Intent extends IntentInfo {
  release(): Promise<void>;
  /**
   * Rewrites the intent (a new generation, so a new creation time), only over the generation written last:
   * false if it is gone or not ours any more, i.e. a prune judged it dead and removed it.
   */
  refresh(): Promise<boolean>;
  /** Whether the intent is still there as written last (one stat). */
  held(): Promise<boolean>;
}

export async function declareIntent(
  store: ObjectStore,
  loc: BackupLocation,
  kind: IntentKind,
  id: string,
): Promise<Intent> {
  const ref = { bucket: loc.backupBucket, name: intentName(loc, kind, id) };
  const body = Buffer.from(`${JSON.stringify({ kind, id, host: hostname(), pid: process.pid })}\n`);
  let info;
  try {
    info = await store.write(ref, body, {
      ifGenerationMatch: '0',
      attributes: { contentType: 'application/json', metadata: {} },
    });
  } catch (err) {
    // Our own first attempt landed but its answer was lost: the id is ours alone.
    if (!(err instanceof PreconditionFailedError)) throw err;
    info = await store.stat(ref);
    if (!info) throw err;
  }
  const intent: Intent = {
    kind,
    id,
    name: ref.name,
    generation: info.generation,
    created: new Date(info.created),
    release: async () => {
      await store.delete({ bucket: ref.bucket, name: ref.name }, { ifGenerationMatch: intent.generation });
    },
    refresh: async () => {
      try {
        const now = await store.write(ref, body, {
          ifGenerationMatch: intent.generation,
          attributes: { contentType: 'application/json', metadata: {} },
        });
        intent.generation = now.generation;
        return true;
      } catch (err) {
        if (!(err instanceof PreconditionFailedError)) throw err;
        // Only we write this name: one there is our own rewrite, which landed with its answer lost.
        const there = await store.stat(ref);
        if (!there) return false;
        intent.generation = there.generation;
        return true;
      }
    },
    held: async () => (await store.stat(ref))?.generation === intent.generation,
  };
  return intent;
}

export async function listIntents(store: ObjectStore, loc: BackupLocation): Promise<IntentInfo[]> {
  const found: IntentInfo[] = [];
  for await (const page of store.list(loc.backupBucket, { prefix: intentsPrefix(loc) })) {
    for (const o of page) {
      const parsed = parseIntentName(loc, o.name);
      if (parsed) found.push({ ...parsed, name: o.name, generation: o.generation, created: new Date(o.created) });
    }
  }
  return found;
}

/** Intents of the kind that are not expired at `now` (a server time), other than `self`. */
export function liveIntents(
  intents: IntentInfo[],
  kind: IntentKind,
  now: Date,
  ttlMs: number,
  self?: string,
): IntentInfo[] {
  return intents.filter((i) => i.kind === kind && i.id !== self && now.getTime() - i.created.getTime() < ttlMs);
}
