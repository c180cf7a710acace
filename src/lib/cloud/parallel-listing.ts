import {
  compareNames,
  namesLeft,
  prefixEnd,
  sampleNames,
  splitPoint,
  splitPoints,
  type NameSample,
} from './name-order.js';
import type { ObjectInfo, ObjectStore } from './object-store.js';

export interface ParallelListOptions {
  prefix?: string;
  /** Listing requests in flight at once; 1 lists page after page. */
  concurrency: number;
  /** Splits the keyspace at the "directories" it finds (default `/`). */
  delimiter?: string;
  pageSize?: number;
}

/** Names from `from` (inclusive; `skip`, already seen, left out) to `to` (exclusive; absent: to the end). */
interface Range {
  kind: 'range';
  from?: string;
  skip?: string;
  to?: string;
}

/** Everything under `prefix`, not yet split. */
interface Directory {
  kind: 'directory';
  prefix: string;
  depth: number;
}

type Task = Range | Directory;

/**
 * How deep directories are looked into to find where the keyspace splits (one round trip a level);
 * below that, ranges split themselves at names sampled from their own pages.
 */
const MAX_DEPTH = 2;

/**
 * Every live object under a prefix, listed over several ranges of its keyspace at once: pages of one
 * listing come one after another (100–300 ms each on GCS), so a bucket of a million objects takes
 * minutes page by page. The keyspace is split first where a listing with a delimiter shows
 * "directories", then, whenever a lister is idle, a range still being listed is cut in two at a name
 * between the last one listed and its end (`startOffset`/`endOffset`). Ranges never overlap and
 * together cover the whole prefix, so no object is missed or listed twice.
 *
 * Pages come in no particular order (each page is in name order); at most a few pages per lister are
 * held, so memory stays bounded however large the bucket is.
 */
export async function* listInParallel(
  store: ObjectStore,
  bucket: string,
  opts: ParallelListOptions,
): AsyncIterable<ObjectInfo[]> {
  const prefix = opts.prefix ?? '';
  if (opts.concurrency <= 1) {
    yield* store.list(bucket, { prefix, pageSize: opts.pageSize });
    return;
  }
  const lister = new RangeLister(store, bucket, opts);
  lister.start({ kind: 'directory', prefix, depth: 0 });
  try {
    for (;;) {
      const page = await lister.next();
      if (!page) return;
      yield page;
    }
  } finally {
    lister.stop();
  }
}

class RangeLister {
  private readonly queue: Task[] = [];
  private readonly pages: ObjectInfo[][] = [];
  private active = 0;
  private idle = 0;
  private finished = false;
  private failure: { error: unknown } | undefined;
  /** Wakes whoever waits: idle listers for a task, the consumer for a page, listers for room in the buffer. */
  private waiters: (() => void)[] = [];
  private readonly maxBuffered: number;

  constructor(
    private readonly store: ObjectStore,
    private readonly bucket: string,
    private readonly opts: ParallelListOptions,
  ) {
    this.maxBuffered = 2 * opts.concurrency;
  }

  start(root: Task): void {
    this.queue.push(root);
    for (let i = 0; i < this.opts.concurrency; i++) void this.work();
  }

  stop(): void {
    this.finished = true;
    this.wake();
  }

  async next(): Promise<ObjectInfo[] | undefined> {
    for (;;) {
      if (this.failure) throw this.failure.error;
      const page = this.pages.shift();
      if (page) {
        this.wake();
        return page;
      }
      if (this.finished) return undefined;
      await this.wait();
    }
  }

  private wait(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private wake(): void {
    const waiting = this.waiters;
    this.waiters = [];
    for (const w of waiting) w();
  }

  private get stopped(): boolean {
    return this.finished || this.failure !== undefined;
  }

  private async work(): Promise<void> {
    while (!this.stopped) {
      const task = this.queue.shift();
      if (!task) {
        if (this.active === 0) {
          this.finished = true;
          this.wake();
          return;
        }
        this.idle++;
        await this.wait();
        this.idle--;
        continue;
      }
      this.active++;
      try {
        if (task.kind === 'directory') await this.discover(task);
        else await this.listRange(task);
      } catch (error) {
        // Recorded before this lister counts as done, so no other one takes the listing for finished.
        this.failure ??= { error };
      } finally {
        this.active--;
        this.wake();
      }
    }
  }

  private add(task: Task): void {
    this.queue.push(task);
    this.wake();
  }

  private async emit(page: ObjectInfo[]): Promise<void> {
    if (page.length === 0) return;
    while (this.pages.length >= this.maxBuffered && !this.stopped) await this.wait();
    this.pages.push(page);
    this.wake();
  }

  /**
   * One listing with a delimiter: the objects directly under the prefix are on it, each "directory" below
   * becomes a task of its own (looked into further while there are fewer than listers), and when the
   * page is not the last, what follows its last entry is one range.
   */
  private async discover(dir: Directory): Promise<void> {
    const page = await this.store.listDirectory(this.bucket, {
      prefix: dir.prefix,
      delimiter: this.opts.delimiter ?? '/',
    });
    const end = prefixEnd(dir.prefix);
    const { prefixes, objects } = page;
    const descend = prefixes.length < this.opts.concurrency && dir.depth < MAX_DEPTH;
    const ranges: Range[] = [];
    if (descend) for (const p of prefixes) this.add({ kind: 'directory', prefix: p, depth: dir.depth + 1 });
    else ranges.push(...groupDirectories(prefixes, this.opts.concurrency));
    if (page.truncated && objects.length === 0 && prefixes.length === 0) {
      // A page may hold nothing and still not be the last ("the next page may be empty", objects.list nextPageToken):
      // the whole directory is still to list, as one range that splits itself once it has pages to sample.
      ranges.push({ kind: 'range', from: dir.prefix || undefined, to: end });
    } else if (page.truncated) {
      const lastObject = objects.at(-1)?.name;
      const lastPrefix = prefixes.at(-1);
      const afterPrefix =
        lastPrefix !== undefined && (lastObject === undefined || compareNames(lastPrefix, lastObject) > 0);
      const from = afterPrefix ? prefixEnd(lastPrefix!) : lastObject;
      // Nothing sorts after a prefix without an end. What follows the page may be most of a large directory:
      // it starts cut into as many ranges as its names likely fill pages, up to its share of the listers (the
      // others list its siblings), not waiting for listers to go idle one by one.
      if (from !== undefined) {
        const seen = [...prefixes, ...objects.map((o) => o.name)].sort(compareNames);
        const sample = sampleNames(seen);
        const pieces = this.piecesFor(namesLeft(seen, sample, seen.at(-1)!, end), this.opts.concurrency / this.active);
        ranges.push(
          ...cutRange({ kind: 'range', from, skip: afterPrefix ? undefined : from, to: end }, pieces, sample),
        );
      }
    }
    // Objects a range will list anyway are left to it (grouped directories span the objects between them).
    await this.emit(objects.filter((o) => !ranges.some((r) => inRange(o.name, r))));
    for (const r of ranges) this.add(r);
  }

  /**
   * Ranges to cut what is left into: a page's worth of names each by the estimate (each range ends in a
   * page that is not full, so more ranges cost more requests), at most `most`.
   */
  private piecesFor(namesLeft: number, most: number): number {
    return Math.max(1, Math.min(Math.ceil(most), Math.ceil(namesLeft / (this.opts.pageSize ?? 1000))));
  }

  /** A range page by page; cut in two, at a name past the last one listed, whenever a lister has nothing to do. */
  private async listRange(range: Range): Promise<void> {
    let current = range;
    for (;;) {
      let cut: Range | undefined;
      for await (const page of this.store.list(this.bucket, {
        startOffset: current.from,
        endOffset: current.to,
        pageSize: this.opts.pageSize,
        // A range may be cut after any page: the next is asked for only when it is wanted. Other listers overlap.
        prefetch: false,
      })) {
        if (this.stopped) return;
        const last = page.at(-1)?.name;
        await this.emit(current.skip === undefined ? page : page.filter((o) => o.name !== current.skip));
        // A full page is likely not the last (a short one may still not be: the iteration says when it is).
        const full = last !== undefined && page.length >= (this.opts.pageSize ?? 1000);
        if (full && this.idle > 0 && this.queue.length === 0) {
          const names = page.map((o) => o.name);
          const sample = sampleNames(names);
          const pieces = this.piecesFor(namesLeft(names, sample, last, current.to), this.idle + 1);
          const [rest, ...others] = cutRange({ kind: 'range', from: last, skip: last, to: current.to }, pieces, sample);
          if (others.length > 0) {
            for (const r of others) this.add(r);
            cut = rest;
            break;
          }
        }
        // The name to skip comes first in the range: only a page with something on it is past it (pages may be empty).
        if (page.length > 0) current = { ...current, skip: undefined };
      }
      if (!cut) return;
      current = cut;
    }
  }
}

/**
 * Consecutive directories as at most `count` ranges: each directory a range of its own would cost a
 * request even for one object. A group spans from its first directory to the end of its last.
 */
function groupDirectories(prefixes: string[], count: number): Range[] {
  const size = Math.ceil(prefixes.length / count);
  const ranges: Range[] = [];
  for (let i = 0; i < prefixes.length; i += size) {
    const last = prefixes[Math.min(i + size, prefixes.length) - 1]!;
    ranges.push({ kind: 'range', from: prefixes[i], to: prefixEnd(last) });
  }
  return ranges;
}

/**
 * A range cut into about `pieces` ranges at names spread over the alphabet sampled from names already
 * listed (a range's own last page, a directory's first); at a point in the middle when it gives none.
 */
function cutRange(range: Range, pieces: number, sample: NameSample): Range[] {
  if (pieces < 2) return [range];
  const from = range.from ?? '';
  let points = splitPoints(from, range.to, sample, pieces - 1);
  if (points.length === 0) {
    const middle = splitPoint(from, range.to);
    points = middle === undefined ? [] : [middle];
  }
  const bounds = [range.from, ...points, range.to];
  return points.length === 0
    ? [range]
    : bounds.slice(0, -1).map((at, i) => ({
        kind: 'range' as const,
        from: at,
        ...(i === 0 && range.skip !== undefined ? { skip: range.skip } : {}),
        to: bounds[i + 1],
      }));
}

const inRange = (name: string, r: Range) =>
  name !== r.skip &&
  (r.from === undefined || compareNames(name, r.from) >= 0) &&
  (r.to === undefined || compareNames(name, r.to) < 0);
