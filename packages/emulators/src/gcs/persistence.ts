import { closeSync, existsSync, ftruncateSync, readdirSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { makePrivateDir, openPrivateFile, replacePrivateFile, writePrivateFile } from '../common/private-files.js';
import type { BucketRecord, ObjectVersion } from './records.js';
import type { StoreObserver } from './store.js';

type StoredVersion = Omit<ObjectVersion, 'data'>;

type JournalEntry =
  | { t: 'bucket'; bucket: BucketRecord }
  | { t: 'dropBucket'; name: string }
  | { t: 'version'; version: StoredVersion }
  | { t: 'dropVersion'; generation: number };

interface Snapshot {
  buckets: BucketRecord[];
  versions: StoredVersion[];
}

export interface LoadedState {
  buckets: BucketRecord[];
  versions: ObjectVersion[];
}

/** Prefixed so the directory can be shared with other emulators' data. */
const FILES = { snapshot: 'gcs-state.json', journal: 'gcs-journal.jsonl', blobs: 'gcs-blobs' };

/** Compact the journal into the snapshot after this many entries, so restarts stay fast. */
const COMPACT_AFTER = 50_000;

const withoutData = ({ data: _data, ...rest }: ObjectVersion): StoredVersion => rest;

/**
 * Keeps the emulator's state in a directory: object bytes one file per generation, metadata as a
 * snapshot plus an append-only journal of changes. Each change costs one small append (and one
 * file for new bytes), never a rewrite of the whole state; the journal folds into the snapshot
 * at start, on close and when it grows long.
 */
export class Persistence implements StoreObserver {
  private fd: number;
  private entries = 0;
  /** The bytes last written for each generation, so metadata-only changes skip the blob. */
  private readonly written = new WeakMap<ObjectVersion, Buffer>();
  private dump?: () => LoadedState;

  private constructor(private readonly dir: string) {
    this.fd = openPrivateFile(join(dir, FILES.journal), 'a');
  }

  /** Loads whatever the directory holds (creating it if need be) and compacts it. */
  static open(dir: string): { persistence: Persistence; state: LoadedState } {
    makePrivateDir(dir);
    makePrivateDir(join(dir, FILES.blobs));
    const state = readState(dir);
    removeOrphanBlobs(dir, state);
    const persistence = new Persistence(dir);
    for (const v of state.versions) persistence.written.set(v, v.data);
    persistence.writeSnapshot(state);
    return { persistence, state };
  }

  /** Where compaction reads the current state from. */
  attach(dump: () => LoadedState): void {
    this.dump = dump;
  }

  bucketSaved(bucket: BucketRecord): void {
    this.append({ t: 'bucket', bucket });
  }

  bucketDropped(name: string): void {
    this.append({ t: 'dropBucket', name });
  }

  versionSaved(v: ObjectVersion): void {
    // Bytes before the journal entry that points at them.
    if (this.written.get(v) !== v.data) {
      writePrivateFile(this.blobPath(v.generation), v.data);
      this.written.set(v, v.data);
    }
    this.append({ t: 'version', version: withoutData(v) });
  }

  versionDropped(v: ObjectVersion): void {
    rmSync(this.blobPath(v.generation), { force: true });
    this.append({ t: 'dropVersion', generation: v.generation });
  }

  close(): void {
    if (this.dump) this.writeSnapshot(this.dump());
    closeSync(this.fd);
  }

  private append(entry: JournalEntry): void {
    writeSync(this.fd, `${JSON.stringify(entry)}\n`);
    if (++this.entries >= COMPACT_AFTER && this.dump) this.writeSnapshot(this.dump());
  }

  /** Snapshot first (atomically, by rename), then empty the journal it now contains. */
  private writeSnapshot(state: LoadedState): void {
    const snapshot: Snapshot = { buckets: state.buckets, versions: state.versions.map(withoutData) };
    replacePrivateFile(join(this.dir, FILES.snapshot), JSON.stringify(snapshot));
    ftruncateSync(this.fd, 0);
    this.entries = 0;
  }

  private blobPath(generation: number): string {
    return join(this.dir, FILES.blobs, String(generation));
  }
}

/** Snapshot, then journal replayed over it; a torn last line (a crash mid-append) is ignored. */
function readState(dir: string): LoadedState {
  const buckets = new Map<string, BucketRecord>();
  const versions = new Map<number, StoredVersion>();
  const snapshotPath = join(dir, FILES.snapshot);
  if (existsSync(snapshotPath)) {
    const snapshot = JSON.parse(readFileSync(snapshotPath, 'utf8')) as Snapshot;
    for (const b of snapshot.buckets) buckets.set(b.name, b);
    for (const v of snapshot.versions) versions.set(v.generation, v);
  }
  const journalPath = join(dir, FILES.journal);
  const lines = existsSync(journalPath) ? readFileSync(journalPath, 'utf8').split('\n') : [];
  for (const line of lines) {
    let entry: JournalEntry;
    try {
      entry = JSON.parse(line) as JournalEntry;
    } catch {
      continue;
    }
    if (entry.t === 'bucket') buckets.set(entry.bucket.name, entry.bucket);
    else if (entry.t === 'dropBucket') buckets.delete(entry.name);
    else if (entry.t === 'version') versions.set(entry.version.generation, entry.version);
    else if (entry.t === 'dropVersion') versions.delete(entry.generation);
  }
  const loaded: ObjectVersion[] = [];
  for (const v of versions.values()) {
    if (!buckets.has(v.bucket)) continue;
    let data: Buffer;
    try {
      data = readFileSync(join(dir, FILES.blobs, String(v.generation)));
    } catch {
      continue; // bytes lost (e.g. deleted by hand): drop the generation rather than serve wrong content
    }
    loaded.push({ ...v, data });
  }
  return { buckets: [...buckets.values()], versions: loaded };
}

/** Bytes written just before a crash, whose journal entry never made it. */
function removeOrphanBlobs(dir: string, state: LoadedState): void {
  const known = new Set(state.versions.map((v) => String(v.generation)));
  for (const file of readdirSync(join(dir, FILES.blobs)))
    if (!known.has(file)) rmSync(join(dir, FILES.blobs, file), { force: true });
}
