import type { ObjectStore } from '../cloud/object-store.js';
import { copyBatch, type BatchedCopy } from './batched-copies.js';

/**
 * Runs `fn` on every item of a stream, at most `concurrency` at a time, taking the next item only when a
 * call may start: a stream of a million copies is never held whole (forEachBounded takes an array). As
 * there, the first failure (or an abort) stops anything not yet started and calls in flight finish before
 * that first error is thrown, so an outcome is never recorded while calls are still landing.
 */
export async function forEachStreamed<T>(
  items: AsyncIterable<T> | Iterable<T>,
  concurrency: number,
  fn: (item: T) => Promise<void>,
  signal?: AbortSignal,
): Promise<void> {
  const inFlight = new Set<Promise<void>>();
  let failure: { err: unknown } | undefined;
  const onAbort = () => (failure ??= { err: signal!.reason });
  if (signal?.aborted) onAbort();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    for await (const item of items) {
      if (failure) break;
      const call: Promise<void> = fn(item)
        .catch((err: unknown) => void (failure ??= { err }))
        .finally(() => inFlight.delete(call));
      inFlight.add(call);
      while (inFlight.size >= Math.max(1, concurrency)) await Promise.race(inFlight);
      if (failure) break;
    }
  } catch (err) {
    // The stream itself failed (a file unreadable): what is in flight still finishes first.
    failure ??= { err };
  } finally {
    await Promise.all(inFlight);
    signal?.removeEventListener('abort', onAbort);
  }
  if (failure) throw failure.err;
}

/** A stream in consecutive groups of `size` (the last one shorter). */
export async function* inGroups<T>(items: AsyncIterable<T>, size: number): AsyncIterable<T[]> {
  let group: T[] = [];
  for await (const item of items) {
    group.push(item);
    if (group.length >= size) {
      yield group;
      group = [];
    }
  }
  if (group.length > 0) yield group;
}

/**
 * copyInBatches over a stream: groups of `batchSize` copies, one request each, `concurrency` requests
 * at a time, the next group taken from the stream only when a request may start.
 */
export async function copyStreamed<T>(
  store: ObjectStore,
  items: AsyncIterable<T>,
  opts: { concurrency: number; batchSize: number; signal?: AbortSignal },
  how: BatchedCopy<T>,
): Promise<void> {
  await forEachStreamed(
    inGroups(items, opts.batchSize),
    opts.concurrency,
    (batch) => copyBatch(store, batch, how),
    opts.signal,
  );
}
