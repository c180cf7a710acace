/** Firestore commits at most 500 writes and 10 MiB per request; stay under the byte limit for protocol overhead. */
export const BATCH_LIMITS = { writes: 500, bytes: 9 * 1024 * 1024 } as const;

/** Splits writes, in order, into batches within both limits. Pure. */
export function splitIntoBatches<T extends { bytes: number }>(
  items: readonly T[],
  limits: { writes: number; bytes: number } = BATCH_LIMITS,
): T[][] {
  const batches: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const item of items) {
    if (current.length > 0 && (current.length >= limits.writes || bytes + item.bytes > limits.bytes)) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += item.bytes;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}
