import { gsUrl } from '../config/gs-url.js';
import { RuntimeError } from '../errors/gwctl-error.js';
import { compareNames } from './name-order.js';
import type { ObjectInfo, ObjectStore } from './object-store.js';

export interface OrderedListOptions {
  /** Names the keyspace is cut at, in code point order: range i lists from bounds[i - 1] up to bounds[i]. */
  bounds: string[];
  /** Ranges listed at once, the one being handed over first. */
  concurrency: number;
  pageSize?: number;
}

/** Pages a range lists ahead of the consumer, besides the one in flight. */
const PAGES_AHEAD = 1;

/**
 * Every live object of a bucket, in name order (code points, as GCS lists), listed over consecutive
 * ranges of its keyspace at once: a merge with another sorted stream (a restore's manifest) needs the
 * order, which listInParallel gives up for speed. The ranges ahead of the one being handed over list
 * their first pages and wait, so memory holds about `concurrency × 2` pages whatever the bucket's size.
 */
export async function* listInOrder(
  store: ObjectStore,
  bucket: string,
  opts: OrderedListOptions,
): AsyncIterable<ObjectInfo[]> {
  for (let i = 1; i < opts.bounds.length; i++)
    if (compareNames(opts.bounds[i - 1]!, opts.bounds[i]!) >= 0)
      throw new RuntimeError(
        `cannot list ${gsUrl(bucket)} in name order: the names it is cut at are not in order (${JSON.stringify(opts.bounds[i]!)} after ${JSON.stringify(opts.bounds[i - 1]!)}); the backup manifest whose parts gave them is damaged: run gwctl backup verify on it`,
      );
  const edges = [undefined, ...opts.bounds, undefined];
  const ranges: RangeListing[] = [];
  let stopped = false;
  const start = (i: number) => {
    if (i < edges.length - 1 && !ranges[i])
      ranges[i] = new RangeListing(store, bucket, edges[i], edges[i + 1], opts.pageSize, () => stopped);
  };
  try {
    for (let i = 0; i < edges.length - 1; i++) {
      for (let j = i; j < i + Math.max(1, opts.concurrency); j++) start(j);
      for (;;) {
        const page = await ranges[i]!.next();
        if (!page) break;
        yield page;
      }
      delete ranges[i];
    }
  } finally {
    stopped = true;
    for (const r of ranges) r?.wake();
  }
}

/** One range listed page by page into a small buffer, waiting while the buffer is full. */
class RangeListing {
  private readonly pages: ObjectInfo[][] = [];
  private done = false;
  private failure: { error: unknown } | undefined;
  private waiters: (() => void)[] = [];

  constructor(
    store: ObjectStore,
    bucket: string,
    from: string | undefined,
    to: string | undefined,
    pageSize: number | undefined,
    private readonly stopped: () => boolean,
  ) {
    void this.run(store.list(bucket, { startOffset: from, endOffset: to, pageSize, prefetch: false }));
  }

  private async run(pages: AsyncIterable<ObjectInfo[]>): Promise<void> {
    try {
      for await (const page of pages) {
        if (this.stopped()) return;
        this.pages.push(page);
        this.wake();
        while (this.pages.length > PAGES_AHEAD && !this.stopped()) await this.wait();
        if (this.stopped()) return;
      }
    } catch (error) {
      this.failure = { error };
    } finally {
      this.done = true;
      this.wake();
    }
  }

  async next(): Promise<ObjectInfo[] | undefined> {
    for (;;) {
      const page = this.pages.shift();
      if (page) {
        this.wake();
        return page;
      }
      if (this.failure) throw this.failure.error;
      if (this.done) return undefined;
      await this.wait();
    }
  }

  private wait(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  wake(): void {
    const waiting = this.waiters;
    this.waiters = [];
    for (const w of waiting) w();
  }
}
