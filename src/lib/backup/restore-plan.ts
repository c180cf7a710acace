import { ATTRIBUTE_FIELDS, type ObjectInfo, type ObjectStore } from '../cloud/object-store.js';
import { compareNames } from '../cloud/name-order.js';
import { listInOrder } from '../cloud/ordered-listing.js';
import { StreamedTargets, type RecordedTargets } from '../audit/targets.js';
import { gsUrl } from '../config/gs-url.js';
import { RuntimeError } from '../errors/gwctl-error.js';
import { openBackup } from './catalog.js';
import type { BackupSummary, Manifest, ManifestEntry } from './manifest.js';
import { isRestoreStaging } from './staging.js';
import { spillWriter, type ExtraObject, type RestoreWork } from './restore-spill.js';

/** Ranges of the target listed at once: each holds up to two pages while it waits its turn. */
const RANGES_AT_ONCE = 8;

/** Names each category of a plan shows; the rest are counted. */
export const SAMPLE = 20;

/** How many objects a category holds, their bytes, and the first of them by name. */
export interface Sampled<T> {
  objects: number;
  bytes: number;
  sample: T[];
}

/** What a restore will do, decided before anything is touched: printed, serialised, then applied. */
export interface RestorePlanValue {
  id: string;
  sourceBucket: string;
  targetBucket: string;
  inPlace: boolean;
  /** The backup was taken with Vault stopped. */
  quiesced: boolean;
  createBucket: boolean;
  /** Objects the target lacks. */
  create: Sampled<string>;
  /** Objects the target has with other content or attributes, with the generation each copy replaces. */
  overwrite: Sampled<ExtraObject>;
  /** Objects already exactly as backed up: left alone, so a re-run after a failure only does what is left. */
  unchanged: number;
  /** Objects not in the backup, deleted (only with --delete-extra). */
  deleteExtra: Sampled<ExtraObject>;
  /** Objects not in the backup, left in place. */
  keptExtra: number;
  /** Bytes copied. */
  bytes: number;
  /** What the audit records name: the bucket, and every object overwritten or deleted (capped, with a digest of all). */
  targets: RecordedTargets;
  /** Every copy and delete decided, spilled to a private file in name order: what the apply does. */
  work: RestoreWork;
}

/** The backup to restore, its entries part by part in name order. */
export interface RestoreSource {
  manifest: Pick<Manifest, 'id' | 'sourceBucket' | 'quiesced'>;
  entries: AsyncIterable<ManifestEntry[]>;
  /** The parts' object names, for a message naming the one out of order (none for the first format). */
  partNames?: string[];
}

export interface RestoreTarget {
  bucket: string;
  exists: boolean;
  /** Its live objects in name order, page by page (none when it does not exist). */
  objects: AsyncIterable<ObjectInfo[]>;
}

/** Same content (size, CRC32C, MD5) and same attributes as the backed-up object. */
export function matchesEntry(e: ManifestEntry, o: ObjectInfo): boolean {
  if (o.size !== e.size || o.crc32c !== e.crc32c || o.md5 !== e.md5) return false;
  if (ATTRIBUTE_FIELDS.some((f) => (o[f] ?? undefined) !== (e[f] ?? undefined))) return false;
  const a = Object.entries(e.metadata);
  const b = o.metadata;
  return a.length === Object.keys(b).length && a.every(([k, v]) => b[k] === v);
}

/**
 * The target's objects, listed in name order over ranges cut where the manifest's parts start (a target
 * like the backed-up bucket has about a part's worth of objects in each), several ranges at once.
 */
export async function readTarget(
  store: ObjectStore,
  bucket: string,
  partFirsts: string[] = [],
): Promise<RestoreTarget> {
  if (!(await store.bucketExists(bucket))) return { bucket, exists: false, objects: emptyListing() };
  return {
    bucket,
    exists: true,
    objects: listInOrder(store, bucket, { bounds: partFirsts.slice(1), concurrency: RANGES_AT_ONCE }),
  };
}

async function* emptyListing(): AsyncIterable<ObjectInfo[]> {}

/** Plans the restore of a backup into a bucket: its manifest and the bucket's listing, side by side (see planRestore). */
export async function planBackupRestore(
  store: ObjectStore,
  summary: BackupSummary,
  targetBucket: string,
  opts: { inPlace: boolean; deleteExtra: boolean },
): Promise<RestorePlanValue> {
  const backup = await openBackup(store, summary);
  return planRestore(backup, await readTarget(store, targetBucket, backup.partFirsts), opts);
}

/**
 * Plans a restore by merging two streams in name order, the manifest's entries and the target's
 * objects: a name only in the manifest is created, one in both overwritten unless it matches, one only
 * in the target is extra. Nothing is held but counts, the first names of each kind, and the digest of
 * the targets; each decided copy and delete goes to the spill file the apply reads back.
 */
export async function planRestore(
  source: RestoreSource,
  target: RestoreTarget,
  opts: { inPlace: boolean; deleteExtra: boolean },
): Promise<RestorePlanValue> {
  const spill = await spillWriter();
  try {
    const plan = {
      create: sampled<string>(),
      overwrite: sampled<ExtraObject>(),
      deleteExtra: sampled<ExtraObject>(),
      unchanged: 0,
      keptExtra: 0,
    };
    const bucketUrl = gsUrl(target.bucket, '');
    const targets = new StreamedTargets();
    targets.add(bucketUrl);
    const extra = async (o: ObjectInfo) => {
      // A restore's staging that was left behind (a failed clean-up) is gwctl's, not the bucket's: never extra.
      if (isRestoreStaging(o.name)) return;
      if (!opts.deleteExtra) return void plan.keptExtra++;
      add(plan.deleteExtra, { name: o.name, generation: o.generation }, o.size);
      targets.add(gsUrl(target.bucket, o.name));
      await spill.delete({ name: o.name, generation: o.generation });
    };

    const objects = inOrder(target.objects, `the listing of ${gsUrl(target.bucket)}`);
    let next = await objects.next();
    let last: string | undefined;
    let partNumber = 0;
    try {
      for await (const part of source.entries) {
        const partName = source.partNames?.[partNumber] ?? 'its entries';
        partNumber++;
        for (const entry of part) {
          // The merge relies on the manifest's order as on the listing's: out of order, a name could be planned
          // both as extra and as created (then deleted). Checked across parts too, as they are handed over.
          if (last !== undefined && compareNames(last, entry.name) >= 0)
            throw new RuntimeError(
              `the manifest of backup ${source.manifest.id} is not in name order (${partName}, at ${JSON.stringify(entry.name)}); nothing was restored: run gwctl backup verify ${source.manifest.id} and restore another backup`,
            );
          last = entry.name;
          while (!next.done && compareNames(next.value.name, entry.name) < 0) {
            await extra(next.value);
            next = await objects.next();
          }
          const there = !next.done && next.value.name === entry.name ? next.value : undefined;
          if (!there) {
            add(plan.create, entry.name, entry.size);
            await spill.copy({ entry, ifGenerationMatch: '0' });
            continue;
          }
          next = await objects.next();
          if (matchesEntry(entry, there)) {
            plan.unchanged++;
            continue;
          }
          add(plan.overwrite, { name: entry.name, generation: there.generation }, entry.size);
          targets.add(gsUrl(target.bucket, entry.name));
          await spill.copy({ entry, ifGenerationMatch: there.generation });
        }
      }
      while (!next.done) {
        await extra(next.value);
        next = await objects.next();
      }
    } finally {
      // Stops the target's listing too when the manifest fails (a damaged part).
      void objects.return(undefined);
    }
    return {
      id: source.manifest.id,
      sourceBucket: source.manifest.sourceBucket,
      targetBucket: target.bucket,
      inPlace: opts.inPlace,
      quiesced: source.manifest.quiesced,
      createBucket: !target.exists,
      ...plan,
      bytes: plan.create.bytes + plan.overwrite.bytes,
      targets: targets.recorded(),
      work: await spill.finish(),
    };
  } catch (err) {
    await spill.abandon();
    throw err;
  }
}

const sampled = <T>(): Sampled<T> => ({ objects: 0, bytes: 0, sample: [] });

function add<T>(s: Sampled<T>, item: T, bytes: number): void {
  s.objects++;
  s.bytes += bytes;
  if (s.sample.length < SAMPLE) s.sample.push(item);
}

/** The objects of a listing one by one, refused if they are not strictly in name order (the merge relies on it). */
async function* inOrder(pages: AsyncIterable<ObjectInfo[]>, what: string): AsyncGenerator<ObjectInfo> {
  let last: string | undefined;
  for await (const page of pages)
    for (const o of page) {
      if (last !== undefined && compareNames(last, o.name) >= 0)
        throw new RuntimeError(`${what} is not in name order at ${o.name}; nothing was restored`);
      last = o.name;
      yield o;
    }
}
