import {
  assertSize,
  bytesEqual,
  foldRight,
  isHash,
  isSize,
  nodeFromLeafHashes,
  nodeHash,
  rangeNodes,
  splitPoint,
  type NodeId,
} from './merkle.js';

/**
 * RFC 9162 §2.1.3 (inclusion) and §2.1.4 (consistency) proofs.
 *
 * Generation is split into a plan (which subtree hashes each proof element is, as perfect nodes to fold)
 * and a fetch, so the same plan serves an in-memory tree and a tile reader.
 */

/** A proof element: the hash of a range, as the perfect nodes that fold into it. */
export type ProofPlan = NodeId[][];

/** PATH(index, D[0:size]) of RFC 9162 §2.1.3.1, leaf to root. */
export function inclusionProofPlan(index: number, size: number): ProofPlan {
  assertSize(index, 'leaf index');
  assertSize(size, 'tree size');
  if (index >= size) throw new RangeError(`leaf index ${index} is not in a tree of size ${size}`);
  const plan: ProofPlan = [];
  // Walk down from the root collecting the sibling ranges; the RFC lists them bottom-up, so reverse at the end.
  let lo = 0;
  let hi = size;
  while (hi - lo > 1) {
    const k = splitPoint(hi - lo);
    if (index < lo + k) {
      plan.push(rangeNodes(lo + k, hi));
      hi = lo + k;
    } else {
      plan.push(rangeNodes(lo, lo + k));
      lo += k;
    }
  }
  return plan.reverse();
}

/**
 * PROOF(oldSize, D[0:newSize]) of RFC 9162 §2.1.4.1, for 0 < oldSize ≤ newSize (empty when equal).
 * A proof from the empty tree is meaningless (RFC 9162 defines none), so oldSize 0 is refused.
 */
export function consistencyProofPlan(oldSize: number, newSize: number): ProofPlan {
  assertSize(oldSize, 'old tree size');
  assertSize(newSize, 'new tree size');
  if (oldSize === 0 || oldSize > newSize)
    throw new RangeError(`no consistency proof from size ${oldSize} to ${newSize}`);
  const plan: ProofPlan = [];
  // SUBPROOF(m, D[lo:hi], b), iteratively from the top; elements are appended after the recursive part, so reverse.
  let lo = 0;
  let hi = newSize;
  let known = true;
  while (oldSize !== hi) {
    const k = splitPoint(hi - lo);
    if (oldSize <= lo + k) {
      plan.push(rangeNodes(lo + k, hi));
      hi = lo + k;
    } else {
      plan.push(rangeNodes(lo, lo + k));
      lo += k;
      known = false;
    }
  }
  // Reached the old tree's subtree D[lo:oldSize]: the verifier knows it only if it is the whole old tree.
  if (!known) plan.push(rangeNodes(lo, hi));
  return plan.reverse();
}

/** Runs a plan against a synchronous node source. */
export function resolvePlan(plan: ProofPlan, node: (id: NodeId) => Uint8Array): Uint8Array[] {
  return plan.map((ids) => foldRight(ids.map(node)));
}

/**
 * Inclusion proof for leaf `index` in the tree made of the first `size` leaf hashes. In-memory proofs hash
 * the leaves they span, O(size) each: fine for tests and small trees; a log serves proofs from its tiles
 * (TileHashReader).
 */
export function inclusionProof(
  leafHashes: readonly Uint8Array[],
  index: number,
  size = leafHashes.length,
): Uint8Array[] {
  if (size > leafHashes.length) throw new RangeError(`tree size ${size} exceeds the ${leafHashes.length} leaves given`);
  return resolvePlan(inclusionProofPlan(index, size), (id) => nodeFromLeafHashes(leafHashes, id));
}

/** Consistency proof from the tree of `oldSize` leaves to the tree of `newSize` leaves. */
export function consistencyProof(
  leafHashes: readonly Uint8Array[],
  oldSize: number,
  newSize = leafHashes.length,
): Uint8Array[] {
  if (newSize > leafHashes.length)
    throw new RangeError(`tree size ${newSize} exceeds the ${leafHashes.length} leaves given`);
  return resolvePlan(consistencyProofPlan(oldSize, newSize), (id) => nodeFromLeafHashes(leafHashes, id));
}

/** RFC 9162 §2.1.3.2: does `proof` show `leafHash` at `index` in the tree of `size` with `root`? */
export function verifyInclusion(
  leafHash: Uint8Array,
  index: number,
  size: number,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): boolean {
  if (!isSize(index) || !isSize(size) || index >= size) return false;
  if (!isHash(leafHash) || !isHash(root) || !proof.every(isHash)) return false;
  let fn = index;
  let sn = size - 1;
  let r = leafHash;
  for (const p of proof) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      while (fn % 2 === 0 && fn !== 0) {
        fn /= 2;
        sn = Math.floor(sn / 2);
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && bytesEqual(r, root);
}

/**
 * RFC 9162 §2.1.4.2: does `proof` show the tree of `newSize` with `newRoot` extends the tree of `oldSize` with `oldRoot`?
 * Equal sizes need an empty proof and equal roots; oldSize 0 is refused (see consistencyProofPlan).
 */
export function verifyConsistency(
  oldSize: number,
  newSize: number,
  proof: readonly Uint8Array[],
  oldRoot: Uint8Array,
  newRoot: Uint8Array,
): boolean {
  if (!isSize(oldSize) || !isSize(newSize) || oldSize === 0 || oldSize > newSize) return false;
  if (!isHash(oldRoot) || !isHash(newRoot) || !proof.every(isHash)) return false;
  if (oldSize === newSize) return proof.length === 0 && bytesEqual(oldRoot, newRoot);
  if (proof.length === 0) return false;
  // The old root is the first path element when the old tree is a perfect subtree of the new one.
  const path = isPowerOfTwo(oldSize) ? [oldRoot, ...proof] : [...proof];
  let fn = oldSize - 1;
  let sn = newSize - 1;
  while (fn % 2 === 1) {
    fn = (fn - 1) / 2;
    sn = Math.floor(sn / 2);
  }
  let fr = path[0]!;
  let sr = path[0]!;
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      while (fn % 2 === 0 && fn !== 0) {
        fn /= 2;
        sn = Math.floor(sn / 2);
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && bytesEqual(fr, oldRoot) && bytesEqual(sr, newRoot);
}

function isPowerOfTwo(n: number): boolean {
  let k = 1;
  while (k < n) k *= 2;
  return k === n;
}
