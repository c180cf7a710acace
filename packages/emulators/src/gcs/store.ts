import type { BucketRecord, ObjectVersion } from './records.js';
import { UploadSessions, type RewriteJobs } from './sessions.js';
import { compareNames, SortedNames } from './sorted-names.js';

/** Told about every change, so persistence can write through without rescanning the store. */
export interface StoreObserver {
  bucketSaved(bucket: BucketRecord): void;
  bucketDropped(name: string): void;
  versionSaved(version: ObjectVersion): void;
  versionDropped(version: ObjectVersion): void;
}

/** One bucket's objects: live and noncurrent generations indexed by name for listing, soft-deleted ones kept apart. */
export class BucketState {
  readonly live = new Map<string, ObjectVersion>();
  /** Noncurrent generations per name, oldest first. */
  readonly noncurrent = new Map<string, ObjectVersion[]>();
  readonly softDeleted = new Map<string, ObjectVersion[]>();
  readonly liveNames = new SortedNames();
  /** Names with a live or noncurrent generation: what `versions=true` walks. */
  readonly versionedNames = new SortedNames();

  constructor(public record: BucketRecord) {}

  get name(): string {
    return this.record.name;
  }

  get versioningEnabled(): boolean {
    return this.record.fields.versioning?.enabled === true;
  }

  get softDeleteMs(): number {
    return Number(this.record.fields.softDeletePolicy?.retentionDurationSeconds ?? 0) * 1000;
  }

  /** Soft-deleted objects do not stop a bucket from being deleted. */
  get isEmpty(): boolean {
    return this.live.size === 0 && this.noncurrent.size === 0;
  }

  /** Live and noncurrent generations of a name, oldest first. */
  versionsOf(name: string): ObjectVersion[] {
    const older = this.noncurrent.get(name) ?? [];
    const live = this.live.get(name);
    return live ? [...older, live] : older;
  }

  /** The live generation, or the given live or noncurrent one. */
  find(name: string, generation?: number): ObjectVersion | undefined {
    const live = this.live.get(name);
    if (generation === undefined || live?.generation === generation) return live;
    return this.noncurrent.get(name)?.find((v) => v.generation === generation);
  }

  /** A soft-deleted generation; the most recently deleted one when no generation is given. */
  findSoftDeleted(name: string, generation?: number): ObjectVersion | undefined {
    const versions = this.softDeleted.get(name) ?? [];
    if (generation !== undefined) return versions.find((v) => v.generation === generation);
    return versions.reduce<ObjectVersion | undefined>(
      (a, v) => (!a || v.softDeleteTime! >= a.softDeleteTime! ? v : a),
      undefined,
    );
  }

  /** Soft-deleted names in listing order (sorted on demand: listing them is rare). */
  softDeletedNames(): string[] {
    return [...this.softDeleted.keys()].sort(compareNames);
  }

  reindex(name: string): void {
    if (this.live.has(name)) this.liveNames.add(name);
    else this.liveNames.delete(name);
    if (this.live.has(name) || this.noncurrent.has(name)) this.versionedNames.add(name);
    else this.versionedNames.delete(name);
  }
}

/**
 * All state: buckets and objects, with the rules for how generations move between live, noncurrent and
 * soft-deleted, and what lasts between the calls of one operation (resumable uploads, rewrites).
 */
export class Store {
  private readonly buckets = new Map<string, BucketState>();
  private lastGeneration = 0;
  /** Resumable upload sessions by id (kept in memory only: a restarted emulator forgets them, as GCS's expire). */
  readonly uploads = new UploadSessions();
  /** Rewrites that take more calls, by rewrite token. */
  readonly rewrites: RewriteJobs = new Map();

  constructor(private readonly observer?: StoreObserver) {}

  bucket(name: string): BucketState | undefined {
    return this.buckets.get(name);
  }

  allBuckets(): BucketState[] {
    return [...this.buckets.values()].sort((a, b) => compareNames(a.name, b.name));
  }

  addBucket(record: BucketRecord): BucketState {
    const state = new BucketState(record);
    this.buckets.set(record.name, state);
    this.observer?.bucketSaved(record);
    return state;
  }

  saveBucket(state: BucketState): void {
    this.observer?.bucketSaved(state.record);
  }

  /** Drops a bucket with whatever soft-deleted objects it still holds. */
  dropBucket(state: BucketState): void {
    for (const versions of state.softDeleted.values()) for (const v of versions) this.observer?.versionDropped(v);
    this.buckets.delete(state.name);
    this.observer?.bucketDropped(state.name);
  }

  /** Generations are microsecond timestamps, as in GCS, made strictly increasing. */
  nextGeneration(nowMs: number): number {
    this.lastGeneration = Math.max(this.lastGeneration + 1, nowMs * 1000);
    return this.lastGeneration;
  }

  /** Makes `v` live; the generation it replaces becomes noncurrent in a versioned bucket, else is removed. */
  putLive(b: BucketState, v: ObjectVersion, now: number): void {
    const previous = b.live.get(v.name);
    if (previous) {
      if (b.versioningEnabled) this.makeNoncurrent(b, previous, now);
      else this.remove(b, previous, now);
    }
    b.live.set(v.name, v);
    b.reindex(v.name);
    this.observer?.versionSaved(v);
  }

  makeNoncurrent(b: BucketState, v: ObjectVersion, now: number): void {
    this.detach(b, v);
    v.timeDeleted = now;
    const older = b.noncurrent.get(v.name);
    if (older) older.push(v);
    else b.noncurrent.set(v.name, [v]);
    b.reindex(v.name);
    this.observer?.versionSaved(v);
  }

  /** Removes a live or noncurrent generation: into soft-delete when the bucket has a policy, else for good. */
  remove(b: BucketState, v: ObjectVersion, now: number): void {
    this.detach(b, v);
    b.reindex(v.name);
    const keepMs = b.softDeleteMs;
    if (keepMs <= 0) {
      this.observer?.versionDropped(v);
      return;
    }
    v.timeDeleted ??= now;
    v.softDeleteTime = now;
    v.hardDeleteTime = now + keepMs;
    const deleted = b.softDeleted.get(v.name);
    if (deleted) deleted.push(v);
    else b.softDeleted.set(v.name, [v]);
    this.observer?.versionSaved(v);
  }

  /** Forgets a soft-deleted generation. */
  purge(b: BucketState, v: ObjectVersion): void {
    const versions = b.softDeleted.get(v.name);
    if (!versions) return;
    const rest = versions.filter((x) => x !== v);
    if (rest.length) b.softDeleted.set(v.name, rest);
    else b.softDeleted.delete(v.name);
    this.observer?.versionDropped(v);
  }

  /** Records a change to a version's metadata or bytes. */
  saveVersion(v: ObjectVersion): void {
    this.observer?.versionSaved(v);
  }

  /** Every bucket and every generation (live, noncurrent, soft-deleted), for a persistence snapshot. */
  dump(): { buckets: BucketRecord[]; versions: ObjectVersion[] } {
    const versions: ObjectVersion[] = [];
    for (const b of this.buckets.values()) {
      for (const v of b.live.values()) versions.push(v);
      for (const older of b.noncurrent.values()) for (const v of older) versions.push(v);
      for (const deleted of b.softDeleted.values()) for (const v of deleted) versions.push(v);
    }
    return { buckets: [...this.buckets.values()].map((b) => b.record), versions };
  }

  /** Bulk load from persistence: no observer calls, one sort per index. */
  load(buckets: BucketRecord[], versions: ObjectVersion[]): void {
    for (const record of buckets) this.buckets.set(record.name, new BucketState(record));
    for (const v of versions) {
      const b = this.buckets.get(v.bucket);
      if (!b) continue;
      this.lastGeneration = Math.max(this.lastGeneration, v.generation);
      const into =
        v.softDeleteTime !== undefined ? b.softDeleted : v.timeDeleted !== undefined ? b.noncurrent : undefined;
      if (!into) b.live.set(v.name, v);
      else if (into.has(v.name)) into.get(v.name)!.push(v);
      else into.set(v.name, [v]);
    }
    for (const b of this.buckets.values()) {
      for (const versions of b.noncurrent.values()) versions.sort((x, y) => x.generation - y.generation);
      b.liveNames.reset(b.live.keys());
      b.versionedNames.reset(new Set([...b.live.keys(), ...b.noncurrent.keys()]));
    }
  }

  private detach(b: BucketState, v: ObjectVersion): void {
    if (b.live.get(v.name) === v) {
      b.live.delete(v.name);
      return;
    }
    const older = b.noncurrent.get(v.name);
    if (!older) return;
    const rest = older.filter((x) => x !== v);
    if (rest.length) b.noncurrent.set(v.name, rest);
    else b.noncurrent.delete(v.name);
  }
}
