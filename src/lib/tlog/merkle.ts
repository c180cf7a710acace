import { createHash } from 'node:crypto';

/**
 * RFC 6962 / RFC 9162 §2.1 Merkle Tree Hashes with SHA-256.
 *
 * Indexes and sizes are JS numbers and must be safe integers: a log with 2^53 entries is out of reach,
 * and numbers keep every caller free of bigint. Arithmetic avoids 32-bit bitwise operators for that reason.
 */

export const HASH_SIZE = 32;

/** A perfect subtree: leaves [index * 2^level, (index + 1) * 2^level). */
export interface NodeId {
  readonly level: number;
  readonly index: number;
}

const LEAF_PREFIX = Buffer.from([0x00]);
const NODE_PREFIX = Buffer.from([0x01]);

/** SHA-256(0x00 ‖ entry). */
export function leafHash(entry: Uint8Array): Uint8Array {
  return createHash('sha256').update(LEAF_PREFIX).update(entry).digest();
}

/** SHA-256(0x01 ‖ left ‖ right). */
export function nodeHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  return createHash('sha256').update(NODE_PREFIX).update(left).update(right).digest();
}

/** MTH({}) = SHA-256 of the empty string. */
export function emptyRoot(): Uint8Array {
  return createHash('sha256').digest();
}

/** Root of the tree whose leaves have these hashes, MTH(D[0:n]). */
export function rootFromLeafHashes(leafHashes: readonly Uint8Array[]): Uint8Array {
  if (leafHashes.length === 0) return emptyRoot();
  for (const h of leafHashes) assertHash(h, 'leaf hash');
  // A stack of perfect subtrees (a compact range) hashes n leaves in O(n) without recursion.
  const stack: Uint8Array[] = [];
  for (let i = 0; i < leafHashes.length; i++) {
    let h = leafHashes[i]!;
    // Each trailing 1 bit of i closes a subtree whose left half is on the stack.
    for (let j = i; j % 2 === 1; j = (j - 1) / 2) h = nodeHash(stack.pop()!, h);
    stack.push(h);
  }
  return foldRight(stack);
}

/**
 * Perfect subtrees that make up the leaf range [lo, hi), left to right.
 * For the ranges RFC 6962 proofs use (lo aligned to the range's bit ceiling) this is Go tlog's subTreeIndex.
 */
export function rangeNodes(lo: number, hi: number): NodeId[] {
  assertSize(lo, 'range start');
  assertSize(hi, 'range end');
  if (lo > hi) throw new RangeError(`range [${lo}, ${hi}) is inverted`);
  const nodes: NodeId[] = [];
  while (lo < hi) {
    let level = 0;
    while (lo % 2 ** (level + 1) === 0 && lo + 2 ** (level + 1) <= hi) level++;
    nodes.push({ level, index: lo / 2 ** level });
    lo += 2 ** level;
  }
  return nodes;
}

/** Hash of a range from the hashes of its rangeNodes: they combine right to left, as MTH splits at the largest power of two. */
export function foldRight(hashes: readonly Uint8Array[]): Uint8Array {
  if (hashes.length === 0) return emptyRoot();
  let h = hashes[hashes.length - 1]!;
  for (let i = hashes.length - 2; i >= 0; i--) h = nodeHash(hashes[i]!, h);
  return h;
}

/** The largest power of two strictly less than n (n ≥ 2): where MTH splits D[0:n]. */
export function splitPoint(n: number): number {
  if (n < 2) throw new RangeError(`cannot split a tree of size ${n}`);
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** Hash of the perfect subtree `node`, computed from all its leaves. */
export function nodeFromLeafHashes(leafHashes: readonly Uint8Array[], node: NodeId): Uint8Array {
  const start = node.index * 2 ** node.level;
  const end = start + 2 ** node.level;
  if (end > leafHashes.length)
    throw new RangeError(
      `node (${node.level}, ${node.index}) is not complete in a tree of ${leafHashes.length} leaves`,
    );
  return rootFromLeafHashes(leafHashes.slice(start, end));
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.compare(a, b) === 0;
}

export function isHash(h: Uint8Array): boolean {
  return h instanceof Uint8Array && h.length === HASH_SIZE;
}

export function assertHash(h: Uint8Array, what: string): void {
  if (!isHash(h)) throw new TypeError(`${what} must be ${HASH_SIZE} bytes`);
}

/** Tree sizes and indexes: non-negative safe integers. */
export function isSize(n: number): boolean {
  return Number.isSafeInteger(n) && n >= 0;
}

export function assertSize(n: number, what: string): void {
  if (!isSize(n)) throw new RangeError(`${what} must be a non-negative safe integer, got ${n}`);
}

/** Exact floor(a / b) for non-negative safe integers (a / b alone can round up near 2^53). */
export function div(a: number, b: number): number {
  return (a - (a % b)) / b;
}

/** The concatenation of some byte strings. */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  return Buffer.concat(parts);
}
