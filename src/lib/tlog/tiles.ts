import { assertHash, assertSize, concatBytes, div, HASH_SIZE, nodeHash, type NodeId } from './merkle.js';
import { TILE_HEIGHT, TILE_WIDTH, tilePath, type TileId } from './tile-paths.js';

/** Reads one stored resource by its tile path (a GCS object, a file, an HTTP GET). Rejects if absent. */
export type TileReader = (path: string) => Promise<Uint8Array>;

/**
 * The hash tiles that must be written when the tree grows from `oldSize` to `newSize` leaves
 * (Go tlog NewTiles with height 8): tiles that became full, and the new partial right-edge tile of each
 * level that changed. Level by level, left to right. Entry bundles are the level 0 ones.
 */
export function tilesToWrite(oldSize: number, newSize: number): TileId[] {
  assertSize(oldSize, 'old tree size');
  assertSize(newSize, 'new tree size');
  if (oldSize > newSize) throw new RangeError(`a tree cannot shrink from ${oldSize} to ${newSize}`);
  const tiles: TileId[] = [];
  for (let level = 0; div(newSize, TILE_WIDTH ** level) > 0; level++) {
    const oldCount = div(oldSize, TILE_WIDTH ** level);
    const newCount = div(newSize, TILE_WIDTH ** level);
    if (oldCount === newCount) break; // nothing changes at this level, nor above it
    for (let index = div(oldCount, TILE_WIDTH); index < div(newCount, TILE_WIDTH); index++)
      tiles.push({ level, index, width: TILE_WIDTH });
    const width = newCount % TILE_WIDTH;
    if (width > 0) tiles.push({ level, index: div(newCount, TILE_WIDTH), width });
  }
  return tiles;
}

/** Tile bytes: the hashes concatenated. */
export function encodeHashTile(hashes: readonly Uint8Array[]): Uint8Array {
  if (hashes.length < 1 || hashes.length > TILE_WIDTH)
    throw new RangeError(`a tile holds 1..${TILE_WIDTH} hashes, got ${hashes.length}`);
  for (const h of hashes) assertHash(h, 'tile hash');
  return concatBytes(hashes);
}

/** The hashes of a tile, checking it holds exactly `width` of them. */
export function decodeHashTile(data: Uint8Array, width: number): Uint8Array[] {
  if (!Number.isInteger(width) || width < 1 || width > TILE_WIDTH)
    throw new RangeError(`tile width must be 1..${TILE_WIDTH}, got ${width}`);
  if (data.length !== width * HASH_SIZE)
    throw new Error(`tile has ${data.length} bytes, want ${width * HASH_SIZE} for ${width} hashes`);
  const hashes: Uint8Array[] = [];
  for (let i = 0; i < width; i++) hashes.push(data.subarray(i * HASH_SIZE, (i + 1) * HASH_SIZE));
  return hashes;
}

/**
 * Hash of the perfect subtree made of `count` consecutive tile hashes from `first` (count a power of two,
 * first a multiple of it). With the 256 hashes of a full tile this is the tile's entry in its parent tile.
 */
export function subtreeHashInTile(hashes: readonly Uint8Array[], first = 0, count = hashes.length): Uint8Array {
  if (count === 1) return hashes[first]!;
  const half = count / 2;
  return nodeHash(subtreeHashInTile(hashes, first, half), subtreeHashInTile(hashes, first + half, half));
}

/** All the hash tiles of the tree with these leaf hashes, by path: full ones, and each level's partial one. */
export function tilesForTree(leafHashes: readonly Uint8Array[]): Map<string, Uint8Array> {
  const out = new Map<string, Uint8Array>();
  let level = 0;
  let row = leafHashes; // every complete hash at tile level `level`
  while (row.length > 0) {
    const parents: Uint8Array[] = [];
    for (let start = 0; start < row.length; start += TILE_WIDTH) {
      const hashes = row.slice(start, start + TILE_WIDTH);
      out.set(tilePath(level, start / TILE_WIDTH, hashes.length), encodeHashTile(hashes));
      if (hashes.length === TILE_WIDTH) parents.push(subtreeHashInTile(hashes));
    }
    row = parents;
    level++;
  }
  return out;
}

/**
 * The tiles to write when appending `newLeafHashes` to a tree of `oldSize` leaves, computed from those hashes
 * and the old tree's partial tiles (read with `readTile`). Yields exactly the tiles of tilesToWrite(oldSize,
 * newSize), with the same bytes tilesForTree would give for the whole tree. Pure: the caller writes them.
 */
export async function appendToTiles(
  oldSize: number,
  newLeafHashes: readonly Uint8Array[],
  readTile: TileReader,
): Promise<Map<string, Uint8Array>> {
  assertSize(oldSize, 'old tree size');
  for (const h of newLeafHashes) assertHash(h, 'leaf hash');
  const newSize = oldSize + newLeafHashes.length;
  assertSize(newSize, 'new tree size');
  const out = new Map<string, Uint8Array>();
  let fresh = newLeafHashes; // hashes at this tile level with indexes [oldCount, newCount)
  for (let level = 0; ; level++) {
    const oldCount = div(oldSize, TILE_WIDTH ** level);
    const newCount = div(newSize, TILE_WIDTH ** level);
    if (oldCount === newCount) break;
    const firstTile = div(oldCount, TILE_WIDTH);
    const kept = oldCount % TILE_WIDTH;
    // The old partial tile's hashes stay at the start of the first tile we write.
    const old = kept > 0 ? decodeHashTile(await readTile(tilePath(level, firstTile, kept)), kept) : [];
    const row = [...old, ...fresh]; // hashes from index firstTile * 256
    const parents: Uint8Array[] = [];
    for (let start = 0; start < row.length; start += TILE_WIDTH) {
      const hashes = row.slice(start, start + TILE_WIDTH);
      out.set(tilePath(level, firstTile + start / TILE_WIDTH, hashes.length), encodeHashTile(hashes));
      // A tile can only become full here (the first one was partial before), so each full one is a new parent hash.
      if (hashes.length === TILE_WIDTH) parents.push(subtreeHashInTile(hashes));
    }
    fresh = parents;
  }
  return out;
}

/** Where the hash of a perfect node lives: its tile, and which of that tile's hashes it spans. */
export function locateNode(node: NodeId): { level: number; index: number; first: number; count: number } {
  const level = div(node.level, TILE_HEIGHT);
  const count = 2 ** (node.level % TILE_HEIGHT); // tile hashes under the node
  const position = node.index * count; // of its first tile hash within the tile level
  return { level, index: div(position, TILE_WIDTH), first: position % TILE_WIDTH, count };
}
