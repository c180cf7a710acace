import { MAX_BATCH_CALLS } from '../cloud/batch-wire.js';
import type { CopyRequest, ObjectInfo, ObjectStore } from '../cloud/object-store.js';
import { chunk, forEachBounded } from './bounded.js';

/**
 * Calls (copies, or prune's deletes) per request: enough that every request slot gets work (a small
 * backup still runs `concurrency` requests side by side), at most `max` (and the service's 100).
 */
export function batchSize(calls: number, concurrency: number, max: number = MAX_BATCH_CALLS): number {
  return Math.max(1, Math.min(max, MAX_BATCH_CALLS, Math.ceil(calls / Math.max(1, concurrency))));
}

/** How a caller copies one item: the request, what it does with a landed copy, and the one-by-one path. */
export interface BatchedCopy<T> {
  request(item: T): CopyRequest;
  landed(item: T, copy: ObjectInfo): void;
  /** A batch of one, or a copy its batch could not do (throttled, precondition, source changed): with retries and checks. */
  alone(item: T): Promise<void>;
}

/** Copies `items` in batches (one request each), `concurrency` requests at a time; see `forEachBounded` for stopping. */
export async function copyInBatches<T>(
  store: ObjectStore,
  items: T[],
  opts: { concurrency: number; batchSize?: number; signal?: AbortSignal },
  how: BatchedCopy<T>,
): Promise<void> {
  await forEachBounded(
    chunk(items, batchSize(items.length, opts.concurrency, opts.batchSize)),
    opts.concurrency,
    (batch) => copyBatch(store, batch, how),
    opts.signal,
  );
}

/** One batch of copies in one request; a batch of one, and each copy the batch could not do, alone. */
export async function copyBatch<T>(store: ObjectStore, batch: T[], how: BatchedCopy<T>): Promise<void> {
  if (batch.length === 1) return how.alone(batch[0]!);
  const results = await store.copyMany(batch.map((item) => how.request(item)));
  for (const [i, r] of results.entries()) {
    if (r instanceof Error) await how.alone(batch[i]!);
    else how.landed(batch[i]!, r);
  }
}
