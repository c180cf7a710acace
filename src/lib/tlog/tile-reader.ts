import { assertHash, assertSize, bytesEqual, emptyRoot, foldRight, rangeNodes, type NodeId } from './merkle.js';
import { consistencyProofPlan, inclusionProofPlan, type ProofPlan } from './proofs.js';
import { TILE_HEIGHT, TILE_WIDTH, tilePath, tileWidthInTree } from './tile-paths.js';
import { decodeHashTile, locateNode, subtreeHashInTile, type TileReader } from './tiles.js';

/** The part of a checkpoint the tree math needs. */
export interface TreeHead {
  readonly size: number;
  readonly rootHash: Uint8Array;
}

/**
 * Root of a tree of `size` leaves as its right-edge tiles claim it, unauthenticated: what a verifier
 * compares with a checkpoint's root hash (Go tlog TreeHash over tiles).
 */
export async function treeRootFromTiles(size: number, readTile: TileReader): Promise<Uint8Array> {
  return (await readRightEdge(size, readTile)).root;
}

/**
 * Reads node hashes of one tree from its tiles, each authenticated against the tree head before it is
 * returned (Go tlog TileHashReader): the right-edge partial tiles must hash to the root, and every full
 * tile must hash to its entry in an authenticated tile one level up. A lying store makes reads reject,
 * never return a wrong hash. Tiles are fetched in parallel and kept for the reader's lifetime.
 */
export class TileHashReader {
  private readonly tiles = new Map<string, Promise<Uint8Array[]>>();
  private edge: Promise<void> | undefined;

  constructor(
    readonly tree: TreeHead,
    private readonly readTile: TileReader,
  ) {
    assertSize(tree.size, 'tree size');
    assertHash(tree.rootHash, 'root hash');
  }

  /** Hash of the perfect subtree `node`, which must be complete in the tree. */
  async nodeHash(node: NodeId): Promise<Uint8Array> {
    assertSize(node.level, 'node level');
    assertSize(node.index, 'node index');
    if ((node.index + 1) * 2 ** node.level > this.tree.size) {
      throw new RangeError(`node (${node.level}, ${node.index}) is not in a tree of size ${this.tree.size}`);
    }
    const at = locateNode(node);
    return subtreeHashInTile(await this.tile(at.level, at.index), at.first, at.count);
  }

  async readNodeHashes(nodes: readonly NodeId[]): Promise<Uint8Array[]> {
    return Promise.all(nodes.map((node) => this.nodeHash(node)));
  }

  async leafHash(index: number): Promise<Uint8Array> {
    return this.nodeHash({ level: 0, index });
  }

  /** Root hash of the tree's first `size` leaves (any size up to the tree's). */
  async rootAt(size: number): Promise<Uint8Array> {
    assertSize(size, 'tree size');
    if (size > this.tree.size) throw new RangeError(`size ${size} is beyond the tree's ${this.tree.size}`);
    if (size === this.tree.size) {
      await this.authenticateEdge();
      return this.tree.rootHash;
    }
    return foldRight(await this.readNodeHashes(rangeNodes(0, size)));
  }

  /** RFC 9162 inclusion proof for leaf `index` in the tree of `size` (default: this tree). */
  async inclusionProof(index: number, size = this.tree.size): Promise<Uint8Array[]> {
    if (size > this.tree.size) throw new RangeError(`size ${size} is beyond the tree's ${this.tree.size}`);
    return this.resolve(inclusionProofPlan(index, size));
  }

  /** RFC 9162 consistency proof from `oldSize` to `newSize` (default: this tree). */
  async consistencyProof(oldSize: number, newSize = this.tree.size): Promise<Uint8Array[]> {
    if (newSize > this.tree.size) throw new RangeError(`size ${newSize} is beyond the tree's ${this.tree.size}`);
    return this.resolve(consistencyProofPlan(oldSize, newSize));
  }

  private resolve(plan: ProofPlan): Promise<Uint8Array[]> {
    return Promise.all(plan.map(async (ids) => foldRight(await this.readNodeHashes(ids))));
  }

  /** The authenticated hashes of tile (level, index) as it is in this tree. */
  private async tile(level: number, index: number): Promise<Uint8Array[]> {
    const width = tileWidthInTree(level, index, this.tree.size);
    if (width < TILE_WIDTH) {
      await this.authenticateEdge(); // a partial tile is a right-edge one, loaded there
      const edge = this.tiles.get(key(level, index));
      if (!edge)
        throw new Error(`bad tile math: no right-edge tile ${level}/${index} in a tree of size ${this.tree.size}`);
      return edge;
    }
    const k = key(level, index);
    let hashes = this.tiles.get(k);
    if (!hashes) {
      hashes = (async () => {
        const tile = await readTileHashes(this.readTile, level, index, TILE_WIDTH);
        // Its parent entry: the node spanning the whole tile, 8 levels up.
        const parent = await this.nodeHash({ level: (level + 1) * TILE_HEIGHT, index });
        if (!bytesEqual(subtreeHashInTile(tile), parent))
          throw new Error(`${tilePath(level, index)} does not match its parent tile`);
        return tile;
      })();
      this.tiles.set(k, hashes);
      hashes.catch(() => this.tiles.delete(k)); // let a later call retry a failed read
    }
    return hashes;
  }

  private authenticateEdge(): Promise<void> {
    this.edge ??= (async () => {
      const edge = await readRightEdge(this.tree.size, this.readTile);
      if (!bytesEqual(edge.root, this.tree.rootHash))
        throw new Error(`tiles do not hash to the root of the tree of size ${this.tree.size}`);
      for (const [k, hashes] of edge.tiles) this.tiles.set(k, Promise.resolve(hashes));
    })();
    this.edge.catch(() => (this.edge = undefined));
    return this.edge;
  }
}

/** The partial right-edge tile of each level, and the root they give. */
async function readRightEdge(
  size: number,
  readTile: TileReader,
): Promise<{ root: Uint8Array; tiles: Map<string, Uint8Array[]> }> {
  assertSize(size, 'tree size');
  if (size === 0) return { root: emptyRoot(), tiles: new Map() };
  const nodes = rangeNodes(0, size);
  const reads = new Map<string, Promise<Uint8Array[]>>();
  const hashes = await Promise.all(
    nodes.map(async (node) => {
      const at = locateNode(node);
      const width = tileWidthInTree(at.level, at.index, size);
      // The nodes of [0, size) at tile level L span exactly the hashes of level L's partial tile.
      if (width === TILE_WIDTH || width === 0)
        throw new Error(`bad tile math: node (${node.level}, ${node.index}) of size ${size}`);
      const k = key(at.level, at.index);
      if (!reads.has(k)) reads.set(k, readTileHashes(readTile, at.level, at.index, width));
      return subtreeHashInTile(await reads.get(k)!, at.first, at.count);
    }),
  );
  const tiles = new Map<string, Uint8Array[]>();
  for (const [k, read] of reads) tiles.set(k, await read);
  return { root: foldRight(hashes), tiles };
}

/** Reads a tile's hashes; a missing partial tile falls back to the prefix of the full one. */
async function readTileHashes(
  readTile: TileReader,
  level: number,
  index: number,
  width: number,
): Promise<Uint8Array[]> {
  if (width === TILE_WIDTH) return decodeHashTile(await readTile(tilePath(level, index)), TILE_WIDTH);
  try {
    return decodeHashTile(await readTile(tilePath(level, index, width)), width);
  } catch (err) {
    // tlog-tiles lets a log delete a partial tile once the full one exists; it starts with the same hashes.
    try {
      return decodeHashTile(await readTile(tilePath(level, index)), TILE_WIDTH).slice(0, width);
    } catch {
      throw err;
    }
  }
}

function key(level: number, index: number): string {
  return `${level}/${index}`;
}
