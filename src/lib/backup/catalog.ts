import { ObjectNotFoundError, type ObjectInfo, type ObjectStore } from '../cloud/object-store.js';
import { listInParallel } from '../cloud/parallel-listing.js';
import { UsageError } from '../errors/gwctl-error.js';
import { parseDuration } from '../ui/duration.js';
import { PackedKeyTable } from './blob-keys.js';
import { base64ToHex } from './hashes.js';
import { blobsPrefix, manifestsPrefix, type BackupLocation } from './layout.js';
import {
  ManifestError,
  summaryOf,
  type BackupSummary,
  type Manifest,
  type ManifestEntry,
  type PartRef,
} from './manifest.js';
import { gsUrl } from '../config/gs-url.js';

/** Where a location's backups are, as messages name it. */
export const locationText = (loc: BackupLocation) => gsUrl(loc.backupBucket, loc.prefix);

/** Every committed backup of the location, newest first: one listing, manifests' metadata only. */
export async function listBackups(store: ObjectStore, loc: BackupLocation): Promise<BackupSummary[]> {
  const found: BackupSummary[] = [];
  for await (const page of store.list(loc.backupBucket, { prefix: manifestsPrefix(loc) })) {
    for (const o of page) {
      const s = summaryOf(loc, o);
      if (s) found.push(s);
    }
  }
  // Ids sort by start to the second; two runs in one second are told apart by when they completed.
  return found.sort(
    (a, b) => Date.parse(b.completedAt) - Date.parse(a.completedAt) || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0),
  );
}

/**
 * `latest`, an id, or with `at` the newest backup completed at or before that time. Completed, not
 * started: a backup still copying when the bucket was damaged may hold some of the damage.
 */
export function selectBackup(
  backups: BackupSummary[],
  ref: string | undefined,
  at?: Date,
  where = 'the backup bucket',
): BackupSummary {
  if (at) {
    if (ref && ref !== 'latest') throw new UsageError(`give a backup id or --at, not both`);
    const chosen = backups
      .filter((b) => Date.parse(b.completedAt) <= at.getTime())
      .sort((a, b) => Date.parse(b.completedAt) - Date.parse(a.completedAt))[0];
    if (!chosen)
      throw new UsageError(
        `no backup in ${where} was completed at or before ${at.toISOString()}; see \`gwctl backup list\``,
      );
    return chosen;
  }
  if (!ref || ref === 'latest') {
    if (!backups[0])
      throw new UsageError(`there are no backups in ${where} yet; take one with \`gwctl backup create\``);
    return backups[0];
  }
  const chosen = backups.find((b) => b.id === ref);
  if (!chosen) throw new UsageError(`no backup "${ref}" in ${where}; see \`gwctl backup list\``);
  return chosen;
}

/** `--at`: an ISO 8601 time (`2025-06-01T12:00Z`), or a duration meaning that long ago (`3h`). */
export function parseAt(text: string, now: Date): Date {
  const ago = parseDuration(text);
  if (ago !== undefined) return new Date(now.getTime() - ago);
  const t = Date.parse(text);
  if (Number.isNaN(t) || !/^\d{4}-\d{2}-\d{2}/.test(text))
    throw new UsageError(`--at ${text}: expected an ISO 8601 time (2025-06-01T12:00:00Z) or a duration ago (3h, 2d)`);
  return new Date(t);
}

/** Reads a backup's manifest and every part of it, checking each checksum; throws ManifestError when it cannot be trusted. */
export async function loadManifest(store: ObjectStore, summary: BackupSummary): Promise<Manifest> {
  const { manifest, parts } = await openSeal(store, summary);
  if (!parts) return manifest;
  const objects: Manifest['objects'] = [];
  for await (const entries of parts) objects.push(...entries);
  return { ...manifest, objects };
}

/**
 * A backup's entries part by part, in name order, each part checked before it is handed over: a reader
 * that keeps only what it needs of each (prune keeps blob keys) holds one part at a time.
 */
export async function* manifestEntries(store: ObjectStore, summary: BackupSummary): AsyncIterable<ManifestEntry[]> {
  yield* (await openBackup(store, summary)).entries;
}

/** A backup's manifest (without its entries), the names its parts start with, and its entries part by part (manifestEntries). */
export async function openBackup(
  store: ObjectStore,
  summary: BackupSummary,
): Promise<{
  manifest: Omit<Manifest, 'objects'>;
  partFirsts: string[];
  partNames: string[];
  entries: AsyncIterable<ManifestEntry[]>;
}> {
  const { manifest, parts, refs } = await openSeal(store, summary);
  const { objects, ...header } = manifest;
  return {
    manifest: header,
    partFirsts: refs?.map((r) => r.first) ?? [],
    partNames: refs?.map((r) => r.name) ?? [],
    entries:
      parts ??
      (async function* () {
        yield objects;
      })(),
  };
}

/** Parts read ahead of the one being handed over. */
const PARTS_AHEAD = 4;

async function openSeal(
  store: ObjectStore,
  summary: BackupSummary,
): Promise<{ manifest: Manifest; parts?: AsyncIterable<ManifestEntry[]>; refs?: PartRef[] }> {
  const { bucket, name, generation } = summary.manifest;
  const where = gsUrl(bucket, name);
  const data = await store.read({ bucket, name, generation });
  // Loaded here, not up front: the schema library is needed only to open a manifest, never to write one.
  const { openManifest, openPart } = await import('./open-manifest.js');
  const opened = openManifest(data, { id: summary.id, sha256: summary.sha256, where });
  if (!('parts' in opened)) return { manifest: opened };
  const { parts: refs, ...header } = opened;
  // Parts ahead are kept as bytes and parsed when handed over: parsed entries take several times their bytes.
  const readPart = (ref: PartRef) =>
    store.read({ bucket, name: ref.name }).then(
      (bytes) => bytes,
      (err: unknown) => {
        if (err instanceof ObjectNotFoundError)
          throw new ManifestError(
            `manifest ${where} is damaged (part ${ref.name} is missing); this backup cannot be trusted: verify or restore another one`,
          );
        throw err;
      },
    );
  async function* parts(): AsyncIterable<ManifestEntry[]> {
    const ahead = refs.slice(0, PARTS_AHEAD).map(readPart);
    for (const p of ahead) p.catch(() => undefined); // awaited in turn below
    for (let i = 0; i < refs.length; i++) {
      const entries = openPart(await ahead[i]!, refs[i]!, where);
      if (i + PARTS_AHEAD < refs.length) {
        const next = readPart(refs[i + PARTS_AHEAD]!);
        next.catch(() => undefined);
        ahead.push(next);
      }
      ahead[i] = Promise.resolve(Buffer.alloc(0)); // let the part go once handed over
      yield entries;
    }
  }
  return { manifest: { ...header, objects: [] }, parts: parts(), refs };
}

/** What a backup needs to know of a stored blob. */
export type StoredBlob = Pick<ObjectInfo, 'generation' | 'size' | 'crc32c' | 'md5'>;

/**
 * Blobs already in the backup bucket, by key. A blob's key names its size and hashes, so a blob listed
 * with those is kept as its packed key (28 bytes, see blob-keys.ts) and generation (8) alone, outside the
 * JavaScript heap; one listed with others (damaged, or written by something else), or whose key or
 * generation does not pack, is kept whole, to be replaced or reported.
 */
export class BlobIndex {
  private readonly sound = new PackedKeyTable();
  /** By entry of `sound`; NaN once the key's blob is listed again otherwise (then in `odd` or `unpacked`). */
  private generations = new Float64Array(64);
  /** Entries of `sound` not NaN. */
  private held = 0;
  /** Sound blobs whose key or generation does not pack (composite objects' keys): generation by key. */
  private readonly unpacked = new Map<string, string>();
  private readonly odd = new Map<string, StoredBlob>();

  set(key: string, blob: StoredBlob): void {
    this.odd.delete(key);
    this.unpacked.delete(key);
    const entry = this.sound.find(key);
    if (entry !== undefined && entry >= 0 && !Number.isNaN(this.generations[entry])) {
      this.generations[entry] = NaN;
      this.held--;
    }
    if (key !== addressOf(key, blob)) {
      this.odd.set(key, { generation: blob.generation, size: blob.size, crc32c: blob.crc32c, md5: blob.md5 });
      return;
    }
    const generation = Number(blob.generation);
    const added = String(generation) === blob.generation ? this.sound.add(key) : undefined;
    if (!added) {
      this.unpacked.set(key, blob.generation);
      return;
    }
    if (added.entry >= this.generations.length) {
      const grown = new Float64Array(this.generations.length * 2);
      grown.set(this.generations);
      this.generations = grown;
    }
    this.generations[added.entry] = generation;
    this.held++;
  }

  /** Whether the blob at `key` is there with the size and hashes its key names: the content of any object with that key. */
  holds(key: string): boolean {
    return this.generationOf(key) !== undefined;
  }

  /** Whether `content` has the size and hashes `key` names. */
  named(key: string, content: Pick<ObjectInfo, 'size' | 'crc32c' | 'md5'>): boolean {
    return addressOf(key, content) === key;
  }

  get(key: string): StoredBlob | undefined {
    const generation = this.generationOf(key);
    if (generation === undefined) return this.odd.get(key);
    const [crc, md5] = key.split('-');
    return {
      generation,
      size: Number(key.slice(key.lastIndexOf('-') + 1)),
      crc32c: Buffer.from(crc!, 'hex').toString('base64'),
      ...(md5 === 'composite' ? {} : { md5: Buffer.from(md5!, 'hex').toString('base64') }),
    };
  }

  get size(): number {
    return this.held + this.odd.size + this.unpacked.size;
  }

  private generationOf(key: string): string | undefined {
    const entry = this.sound.find(key);
    const generation = entry === undefined || entry < 0 ? NaN : this.generations[entry]!;
    return Number.isNaN(generation) ? this.unpacked.get(key) : String(generation);
  }
}

/** The key a blob with these size and hashes would have (composite keys end with a name's hash, not the content's). */
function addressOf(key: string, b: Pick<StoredBlob, 'size' | 'crc32c' | 'md5'>): string | undefined {
  const crc = base64ToHex(b.crc32c);
  if (key.startsWith(`${crc}-composite-`)) return key.endsWith(`-${b.size}`) ? key : undefined;
  return b.md5 === undefined ? undefined : `${crc}-${base64ToHex(b.md5)}-${b.size}`;
}

/** Listing requests in flight at once, over ranges of a bucket's keyspace (see listInParallel). */
export const LISTERS = 32;

/** Every stored blob, listed over ranges of the keyspace side by side. */
export async function listBlobs(store: ObjectStore, loc: BackupLocation): Promise<BlobIndex> {
  const index = new BlobIndex();
  for await (const [key, o] of storedBlobs(store, loc)) index.set(key, o);
  return index;
}

/** Every stored blob with its key, as listed (in no particular order), none of them kept. */
export async function* storedBlobs(store: ObjectStore, loc: BackupLocation): AsyncIterable<[string, ObjectInfo]> {
  const prefix = blobsPrefix(loc);
  for await (const page of listInParallel(store, loc.backupBucket, { prefix, concurrency: LISTERS }))
    for (const o of page) yield [o.name.slice(prefix.length), o];
}
