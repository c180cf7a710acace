import {
  compareNames,
  namesLeft,
  prefixEnd,
  sampleNames,
  splitPoint,
  splitPoints,
  type NameSample,
} from './name-order.js';
import type { DirectoryPage, ObjectInfo, ObjectStore } from './object-store.js';

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
  /** The whole listing's prefix, on its first range only: its first full page decides how to split the rest. */
  explore?: string;
}

/** Everything under `prefix`, not yet split; `probed` is its delimiter page when already listed. */
interface Directory {
  kind: 'directory';
  prefix: string;
  depth: number;
  probed?: DirectoryPage;
}

type Task = Range | Directory;

/**
 * How deep directories are looked into to find where the keyspace splits (one round trip a level);
 * below that, ranges split themselves at names sampled from their own pages.
 */
const MAX_DEPTH = 2;

/**
 * Full pages a range holds at least, by the estimate, and a listing's budget of ranges (one fewer than
 * one per PAGES_PER_RANGE pages): each range ends in a page that is not full,
 * so a listing of P pages costs about P·(1 + 1/(2·PAGES_PER_RANGE)) requests, not 2·P (issue #18: a no-change
 * re-run of N objects makes ≤ 2·⌈N/1000⌉ + 10 requests in all).
 */
const PAGES_PER_RANGE = 4;

/**
 * Every live object under a prefix, listed over several ranges of its keyspace at once: pages of one
 * listing come one after another (100–300 ms each on GCS), so a bucket of a million objects takes
 * minutes page by page. The first page is listed plainly (a bucket of one page costs one request); a
 * full one shows how to split the rest: where its names lie, or the "directories" a listing with a
 * delimiter shows. Then, whenever a lister is idle and the listing's budget of ranges allows, a range
 * still being listed is cut at names between the last one listed and its end (`startOffset`/`endOffset`).
 * Ranges never overlap and together cover the whole prefix, so no object is missed or listed twice.
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
  // One plain page first: a bucket of one page costs one request, and a larger one's first page is kept.
  lister.start({ kind: 'range', from: prefix || undefined, to: prefixEnd(prefix), explore: prefix });
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
  /** Every name up to this one was on the first page, and is left out wherever else it is listed again. */
  private listedUpTo: string | undefined;
  /** Names the listing likely holds, by its first page; absent when its directories were probed instead. */
  private estimate: number | undefined;
  private listed = 0;
  private ranges = 1;

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
    if (task.kind === 'range') this.ranges++;
    this.queue.push(task);
    this.wake();
  }

  private async emit(listed: ObjectInfo[]): Promise<void> {
    const upTo = this.listedUpTo;
    const page = upTo === undefined ? listed : listed.filter((o) => compareNames(o.name, upTo) > 0);
    if (page.length === 0) return;
    while (this.pages.length >= this.maxBuffered && !this.stopped) await this.wait();
    this.pages.push(page);
    this.listed += page.length;
    this.wake();
  }

  /**
   * One listing with a delimiter: the objects directly under the prefix are on it, each "directory" below
   * becomes a task of its own (looked into further while there are fewer than listers), and when the
   * page is not the last, what follows its last entry is one range.
   */
  private async discover(dir: Directory): Promise<void> {
    const page = dir.probed ?? (await this.probe(dir.prefix));
    const end = prefixEnd(dir.prefix);
    const { prefixes, objects } = page;
    // Directories the first page listed whole are not listed again.
    const upTo = this.listedUpTo;
    const unlisted = upTo === undefined ? prefixes : prefixes.filter((p) => !isBefore(p, upTo));
    const descend = unlisted.length < this.opts.concurrency && dir.depth < MAX_DEPTH;
    const ranges: Range[] = [];
    if (descend) for (const p of unlisted) this.add({ kind: 'directory', prefix: p, depth: dir.depth + 1 });
    else ranges.push(...groupDirectories(unlisted, this.opts.concurrency));
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

  private probe(prefix: string): Promise<DirectoryPage> {
    return this.store.listDirectory(this.bucket, { prefix, delimiter: this.opts.delimiter ?? '/' });
  }

  /**
   * Ranges to cut what is left into: PAGES_PER_RANGE pages' worth of names each by the estimate, at most
   * `most`.
   */
  private piecesFor(namesLeft: number, most: number): number {
    const perRange = PAGES_PER_RANGE * (this.opts.pageSize ?? 1000);
    return Math.max(1, Math.min(Math.floor(most), Math.floor(namesLeft / perRange)));
  }

  /**
   * After the listing's first full page (from the start of the prefix up to `last`), what follows it, one
   * range to go on with (undefined: stop, other tasks list the rest). Names without the delimiter past the
   * directory the page lies in: the rest is cut by where the page's names lie. Otherwise that directory's
   * delimiter page shows its subdirectories; when the page listed several of them whole, the rest are
   * estimated to hold as many names each and grouped into ranges of several pages; when it did not (few,
   * large directories), the directory is split as a fresh listing, leaving out what the page listed.
   */
  private async explore(range: Range, prefix: string, names: string[]): Promise<Range | undefined> {
    const last = names.at(-1)!;
    const rest: Range = { kind: 'range', from: last, skip: last, to: range.to };
    const delimiter = this.opts.delimiter ?? '/';
    const dir = commonDirectory(names[0]!, last, prefix, delimiter);
    if (!names.some((n) => n.indexOf(delimiter, dir.length) >= 0)) {
      const sample = sampleNames(names);
      const left = namesLeft(names, sample, last, range.to);
      this.estimate = names.length + left;
      return this.goOn(cutRange(rest, this.piecesFor(left, this.firstCut()), sample));
    }
    const probed = await this.probe(dir);
    const whole = probed.prefixes.filter((p) => isBefore(p, last));
    const after = probed.prefixes.filter((p) => compareNames(p, last) > 0);
    if (whole.length >= 2) {
      const perDirectory = names.filter((n) => whole.some((p) => n.startsWith(p))).length / whole.length;
      const left = perDirectory * (after.length + 0.5);
      this.estimate = names.length + left;
      const pieces = this.piecesFor(left, this.firstCut());
      const bounds = Array.from({ length: Math.min(pieces, after.length + 1) - 1 }, (_, i) =>
        Math.floor(((i + 1) * (after.length + 1)) / Math.min(pieces, after.length + 1)),
      ).map((i) => after[i - 1]!);
      return this.goOn(cutAt(rest, bounds));
    }
    this.listedUpTo = last;
    this.add({ kind: 'directory', prefix: dir, depth: 0, probed });
    const afterDir = prefixEnd(dir);
    if (dir !== prefix && afterDir !== undefined) this.add({ kind: 'range', from: afterDir, to: range.to });
    return undefined;
  }

  /**
   * Ranges the listing may have in all, one fewer than PAGES_PER_RANGE pages each of what the first page
   * estimated (or of what was listed, once that is more): a listing of up to about 2·PAGES_PER_RANGE pages
   * stays one range, page after page, where a split would add a request for a few round trips saved. A
   * page's names can be far denser than the rest of the bucket's, so a range's own estimate may be far too
   * high; a listing whose directories were probed has no budget.
   */
  private rangeBudget(): number {
    if (this.estimate === undefined) return Infinity;
    const names = Math.max(this.estimate, this.listed);
    return Math.max(1, Math.floor(names / (PAGES_PER_RANGE * (this.opts.pageSize ?? 1000))) - 1);
  }

  /** Ranges the first page cuts the rest into: half the budget, the other half for listers gone idle to share the largest. */
  private firstCut(): number {
    return Math.min(this.opts.concurrency, Math.ceil(this.rangeBudget() / 2));
  }

  /** The first of `ranges` is listed on by the caller, the others by idle listers. */
  private goOn([first, ...others]: Range[]): Range {
    for (const r of others) this.add(r);
    return first!;
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
        if (current.explore !== undefined && page.length > 0) {
          if (!full) {
            current = { ...current, explore: undefined };
            continue; // likely the only page: nothing to split
          }
          const next = await this.explore(
            current,
            current.explore,
            page.map((o) => o.name),
          );
          // Still to the same end: the listing goes on from its page token (a range from `last` would list it again).
          if (next !== undefined && next.to === current.to) {
            current = { ...current, explore: undefined };
            continue;
          }
          cut = next; // none: other tasks list the rest
          break;
        }
        if (full && this.idle > 0 && this.queue.length === 0 && this.ranges < this.rangeBudget()) {
          const names = page.map((o) => o.name);
          const sample = sampleNames(names);
          const most = Math.min(this.idle + 1, this.rangeBudget() - this.ranges + 1);
          const pieces = this.piecesFor(namesLeft(names, sample, last, current.to), most);
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

/** A range cut at `bounds` (ascending, strictly inside it), each piece ending where the next starts. */
function cutAt(range: Range, bounds: string[]): Range[] {
  const edges = [range.from, ...bounds, range.to];
  return bounds.length === 0
    ? [range]
    : edges.slice(0, -1).map((at, i) => ({
        kind: 'range' as const,
        from: at,
        ...(i === 0 && range.skip !== undefined ? { skip: range.skip } : {}),
        to: edges[i + 1],
      }));
}

/** The deepest directory (`prefix` or below it, ending in the delimiter) holding both names. */
function commonDirectory(first: string, last: string, prefix: string, delimiter: string): string {
  let shared = 0;
  while (shared < first.length && first[shared] === last[shared]) shared++;
  if (shared < delimiter.length) return prefix;
  const cut = first.lastIndexOf(delimiter, shared - delimiter.length);
  return cut + delimiter.length > prefix.length ? first.slice(0, cut + delimiter.length) : prefix;
}

/** Every name under `dir` sorts before `name` (so a listing that reached `name` listed the directory whole). */
const isBefore = (dir: string, name: string) => {
  const end = prefixEnd(dir);
  return end !== undefined && compareNames(end, name) <= 0;
};

const inRange = (name: string, r: Range) =>
  name !== r.skip &&
  (r.from === undefined || compareNames(name, r.from) >= 0) &&
  (r.to === undefined || compareNames(name, r.to) < 0);
