import {
  decodeHashTile,
  div,
  entryBundlePath,
  locateNode,
  rangeNodes,
  subtreeHashInTile,
  TILE_WIDTH,
  tilePath,
  tileWidthInTree,
  type NodeId,
} from '../../tlog/index.js';

/**
 * The right edge of a tree of `size` entries: its partial entry bundle and the partial hash tile of each
 * level. That is all an integrator reads to append (appendToTiles/appendToBundles read nothing else) and all
 * a reader needs for the root (treeRootFromTiles): everything left of it is full, immutable tiles.
 */
export function edgePaths(size: number): string[] {
  const paths: string[] = [];
  if (size % TILE_WIDTH > 0) paths.push(entryBundlePath(div(size, TILE_WIDTH), size % TILE_WIDTH));
  for (let level = 0; div(size, TILE_WIDTH ** level) > 0; level++) {
    const count = div(size, TILE_WIDTH ** level);
    if (count % TILE_WIDTH > 0) paths.push(tilePath(level, div(count, TILE_WIDTH), count % TILE_WIDTH));
  }
  return paths;
}

/** Entry bundle paths of a tree of `size` entries, left to right, with the index of each one's first entry. */
export function bundlePaths(size: number): { path: string; first: number; width: number }[] {
  const out: { path: string; first: number; width: number }[] = [];
  for (let first = 0; first < size; first += TILE_WIDTH) {
    const width = Math.min(TILE_WIDTH, size - first);
    out.push({ path: entryBundlePath(first / TILE_WIDTH, width), first, width });
  }
  return out;
}

/**
 * The hashes of the perfect subtrees that make up [0, size) (rangeNodes), read from the right edge: a
 * compact summary of the whole tree. Kept with the last checkpoint a machine saw, it tells which range of
 * entries a rewritten history changed.
 */
export function edgeNodes(size: number, edge: ReadonlyMap<string, Uint8Array>): { node: NodeId; hash: Uint8Array }[] {
  return rangeNodes(0, size).map((node) => {
    const at = locateNode(node);
    const width = tileWidthInTree(at.level, at.index, size);
    const data = edge.get(tilePath(at.level, at.index, width));
    if (!data) throw new Error(`bad tile math: no edge tile for node (${node.level}, ${node.index})`);
    return { node, hash: subtreeHashInTile(decodeHashTile(data, width), at.first, at.count) };
  });
}
