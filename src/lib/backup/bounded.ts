import pLimit from 'p-limit';

/**
 * Runs `fn` on every item, at most `concurrency` at a time. The first failure (or an abort) stops
 * anything not yet started; calls in flight finish; then that first error is thrown.
 */
export async function forEachBounded<T>(
  items: Iterable<T>,
  concurrency: number,
  fn: (item: T) => Promise<void>,
  signal?: AbortSignal,
): Promise<void> {
  const limit = pLimit(Math.max(1, concurrency));
  let failure: { err: unknown } | undefined;
  const onAbort = () => (failure ??= { err: signal!.reason });
  if (signal?.aborted) onAbort();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    await Promise.all(
      Array.from(items, (item) =>
        limit(async () => {
          if (failure) return;
          try {
            await fn(item);
          } catch (err) {
            failure ??= { err };
          }
        }),
      ),
    );
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
  if (failure) throw failure.err;
}

/** `items` in consecutive groups of `size` (the last one shorter). */
export function chunk<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
