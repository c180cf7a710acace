import { compareNames } from '../cloud/name-order.js';
import type { ObjectInfo } from '../cloud/object-store.js';

/** A planned copy (the listed object's number) and its staged copy. */
export interface StagedMove {
  n: number;
  staged: ObjectInfo;
}

/**
 * Pairs the copies a transfer job was asked for with what it staged under `prefix`, as the staging listing
 * arrives: both are in name order (the copies are numbered in the listing's order, and GCS lists in code point
 * order), so one walk through both pairs them and nothing is held beyond the page at hand. One result per page:
 * the copies staged on it, and the copies passed over, which were not staged (deleted since the listing); the
 * copies after the last staged name come last. Staged objects no copy names are left out (prune removes them).
 */
export async function* pairStaged(
  copies: readonly number[],
  nameOf: (n: number) => string,
  prefix: string,
  pages: AsyncIterable<ObjectInfo[]>,
): AsyncGenerator<{ moves: StagedMove[]; missing: number[] }> {
  let i = 0;
  let name = copies.length > 0 ? nameOf(copies[0]!) : '';
  const next = () => {
    i++;
    if (i < copies.length) name = nameOf(copies[i]!);
  };
  for await (const page of pages) {
    const moves: StagedMove[] = [];
    const missing: number[] = [];
    for (const o of page) {
      if (!o.name.startsWith(prefix)) continue;
      const staged = o.name.slice(prefix.length);
      let order = -1;
      while (i < copies.length && (order = compareNames(name, staged)) < 0) {
        missing.push(copies[i]!);
        next();
      }
      if (i < copies.length && order === 0) {
        moves.push({ n: copies[i]!, staged: o });
        next();
      }
    }
    yield { moves, missing };
  }
  for (; i < copies.length; i += PAGE) yield { moves: [], missing: copies.slice(i, i + PAGE) };
}

const PAGE = 1000;
