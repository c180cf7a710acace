import { describe, expect, it } from 'vitest';
import { parseCheckpoint } from '../../src/lib/tlog/checkpoint.js';
import { decodeEntryBundle } from '../../src/lib/tlog/entry-bundle.js';
import { bytesEqual, leafHash, rootFromLeafHashes } from '../../src/lib/tlog/merkle.js';
import { parseNote } from '../../src/lib/tlog/note.js';
import { consistencyProof, inclusionProof, verifyConsistency, verifyInclusion } from '../../src/lib/tlog/proofs.js';
import { parseTilePath, tileIdPath, tilePath } from '../../src/lib/tlog/tile-paths.js';
import { TileHashReader, treeRootFromTiles } from '../../src/lib/tlog/tile-reader.js';
import { appendToTiles, decodeHashTile, tilesForTree, tilesToWrite } from '../../src/lib/tlog/tiles.js';
import {
  b64,
  buildTesseraLog,
  hex,
  leaves,
  mapReader,
  prng,
  sha256hex,
  TESSERA_ENTRIES,
  TESSERA_SHA256,
} from './helpers.js';

// One 70,000-leaf tree (three tile levels) shared by the tests below: hashing it is the slow part.
const BIG = leaves(70000);
const BIG_TILES = tilesForTree(BIG);
/** A tile path without its .p/W suffix: where the tile sits, whatever its width. */
const place = (path: string) => path.replace(/\.p\/\d+$/, '');
const BIG_TILES_BY_PLACE = new Map([...BIG_TILES].map(([path, data]) => [place(path), data]));

// Our rebuild of tessera's testdata/log (helpers.ts), shown byte-identical to it, file for file, by the test
// "rebuilds tessera's whole testdata/log" below. The TileHashReader tests read it where they would read tessera's files.
const TESSERA_LOG = await buildTesseraLog();
const rebuiltReader = mapReader(TESSERA_LOG);
function tesseraCheckpoint(size: number) {
  return parseCheckpoint(parseNote(Buffer.from(TESSERA_LOG.get(`checkpoint.${size}`)!).toString()).text);
}

describe('tilesToWrite', () => {
  // c2sp.org/tlog-tiles: size 70,000 is 273 full level 0 tiles, a partial level 0 tile of width 112, one full
  // level 1 tile, a partial level 1 tile of width 17 and a partial level 2 tile of width 1.
  it('lists the tiles of the spec example for 70,000 leaves', () => {
    const paths = tilesToWrite(0, 70000).map(tileIdPath);
    const level0 = paths.filter((p) => p.startsWith('tile/0/'));
    expect(level0).toHaveLength(274);
    expect(level0.at(-2)).toBe('tile/0/272');
    expect(level0.at(-1)).toBe('tile/0/273.p/112');
    expect(paths.filter((p) => !p.startsWith('tile/0/'))).toEqual(['tile/1/000', 'tile/1/001.p/17', 'tile/2/000.p/1']);
  });

  // c2sp.org/tlog-tiles: "a tree of size 256 will be represented by a full level 0 tile and a partial level 1 tile of width 1"
  it('lists the tiles of the spec example for 256 leaves', () => {
    expect(tilesToWrite(0, 256).map(tileIdPath)).toEqual(['tile/0/000', 'tile/1/000.p/1']);
  });

  it('lists only what changed', () => {
    expect(tilesToWrite(5, 5)).toEqual([]);
    expect(tilesToWrite(300, 301).map(tileIdPath)).toEqual(['tile/0/001.p/45']);
    expect(tilesToWrite(255, 257).map(tileIdPath)).toEqual(['tile/0/000', 'tile/0/001.p/1', 'tile/1/000.p/1']);
    expect(tilesToWrite(65535, 65536).map(tileIdPath)).toEqual(['tile/0/255', 'tile/1/000', 'tile/2/000.p/1']);
    expect(() => tilesToWrite(2, 1)).toThrow(RangeError);
  });
});

describe('tile contents', () => {
  // github.com/transparency-dev/tessera testdata/log: tile/0/000.p/<n> after each of the 15 appends, given as SHA-256
  // digests (helpers.ts): equal digests, equal bytes.
  it('match the tessera test log at every size', () => {
    const hashes = TESSERA_ENTRIES.map((e) => leafHash(Buffer.from(e)));
    for (let n = 1; n <= 15; n++) {
      const tiles = tilesForTree(hashes.slice(0, n));
      expect([...tiles.keys()]).toEqual([tilePath(0, 0, n)]);
      expect(sha256hex(tiles.get(tilePath(0, 0, n))!), tilePath(0, 0, n)).toBe(TESSERA_SHA256.get(tilePath(0, 0, n)));
    }
  });

  // github.com/florolf/tlog-scales tests/test_writer.py test_many_entries: 500 entries i.to_bytes(8) (big-endian),
  // "known good data as validated by tessera/tlog_fsck", given as SHA-256 of each file.
  it('match tlog-scales for 500 entries, across two tile levels', () => {
    const hashes = Array.from({ length: 500 }, (_, i) => {
      const entry = Buffer.alloc(8);
      entry.writeBigUInt64BE(BigInt(i));
      return leafHash(entry);
    });
    const tiles = tilesForTree(hashes);
    expect([...tiles.keys()]).toEqual(['tile/0/000', 'tile/0/001.p/244', 'tile/1/000.p/1']);
    expect(sha256hex(tiles.get('tile/0/000')!)).toBe(
      '20cd0859c7fb4ae9eeac1d244887e6f9342d86ce0b1a1c7bb244915d3d0dc971',
    );
    expect(sha256hex(tiles.get('tile/0/001.p/244')!)).toBe(
      '02ed988bacba01ac7917ea0bb9c29dbaa1d7bcf23fef761e24daf4893aeb8f1c',
    );
    expect(sha256hex(tiles.get('tile/1/000.p/1')!)).toBe(
      '6798b752c531ad04237b025eaf98e4e00ee73d3af503cc71b8b220de3573b550',
    );
  });

  it('follow the tlog-tiles definition: hash i of tile (l, n) is MTH(D[(256n + i)·256^l : (256n + i + 1)·256^l])', () => {
    const all = BIG;
    for (const [path, data] of BIG_TILES) {
      const tile = parseTilePath(path);
      if (tile.kind !== 'hash') throw new Error(path);
      const { level, index } = tile;
      const hashes = decodeHashTile(data, tile.width);
      // Spot-check a few hashes per tile rather than all 70,000 subtree roots of level 0.
      for (const i of [0, hashes.length - 1]) {
        const span = 256 ** level;
        const start = (256 * index + i) * span;
        expect(bytesEqual(hashes[i]!, rootFromLeafHashes(all.slice(start, start + span))), `${path}[${i}]`).toBe(true);
      }
    }
  });
});

describe('appendToTiles', () => {
  it('computed over many small appends equals tiles computed at once', async () => {
    const next = prng(0x711e);
    const store = new Map<string, Uint8Array>();
    let size = 0;
    let batches = 0;
    while (size < BIG.length) {
      // Mostly small batches, sometimes large ones that fill whole tiles and cross levels.
      const batch = Math.min(BIG.length - size, next(20) === 0 ? next(5000) : 1 + next(200));
      const written = await appendToTiles(size, BIG.slice(size, size + batch), mapReader(store));
      expect([...written.keys()]).toEqual(tilesToWrite(size, size + batch).map(tileIdPath));
      for (const [path, data] of written) {
        // A partial tile is a prefix of the final tree's tile at the same place (full tiles never change).
        const final = BIG_TILES_BY_PLACE.get(place(path))!;
        expect(hex(data), path).toBe(hex(final.subarray(0, data.length)));
        store.set(path, data);
      }
      size += batch;
      batches++;
    }
    expect(batches).toBeGreaterThan(100);
    for (const [path, data] of BIG_TILES) expect(hex(store.get(path)!), path).toBe(hex(data));
    expect(hex(await treeRootFromTiles(size, mapReader(store)))).toBe(hex(rootFromLeafHashes(BIG)));
  });

  it('rebuilds the tessera log one entry at a time', async () => {
    const store = new Map<string, Uint8Array>();
    for (let n = 0; n < 15; n++) {
      const written = await appendToTiles(n, [leafHash(Buffer.from(TESSERA_ENTRIES[n]!))], mapReader(store));
      expect([...written.keys()]).toEqual([tilePath(0, 0, n + 1)]);
      for (const [path, data] of written) store.set(path, data);
      expect(sha256hex(store.get(tilePath(0, 0, n + 1))!)).toBe(TESSERA_SHA256.get(tilePath(0, 0, n + 1)));
    }
  });

  // What the TileHashReader tests below read instead of tessera's files: every file of our rebuild (tiles, entry
  // bundles, signed checkpoints) hashes to the digest of tessera's file at the same path, and no file is missing.
  it("rebuilds tessera's whole testdata/log, file for file", () => {
    expect([...TESSERA_LOG.keys()].sort()).toEqual([...TESSERA_SHA256.keys()].sort());
    expect(TESSERA_LOG.size).toBe(46); // checkpoint.0 … checkpoint.15, 15 tiles, 15 entry bundles
    for (const [path, data] of TESSERA_LOG) expect(sha256hex(data), path).toBe(TESSERA_SHA256.get(path));
  });

  it('refuses an old partial tile of the wrong size', async () => {
    const store = new Map([['tile/0/000.p/3', new Uint8Array(64)]]);
    await expect(appendToTiles(3, leaves(1), mapReader(store))).rejects.toThrow(/64 bytes, want 96/);
  });
});

describe('TileHashReader', () => {
  it('reads the tessera log, authenticated by its checkpoints', async () => {
    const hashes = TESSERA_ENTRIES.map((e) => leafHash(Buffer.from(e)));
    for (let n = 1; n <= 15; n++) {
      const { size, rootHash } = tesseraCheckpoint(n);
      // The root is also the one an independent computation gives from the entries.
      expect(hex(rootHash)).toBe(hex(rootFromLeafHashes(hashes.slice(0, n))));
      expect(hex(await treeRootFromTiles(size, rebuiltReader))).toBe(hex(rootHash));
      const reader = new TileHashReader({ size, rootHash }, rebuiltReader);
      for (let i = 0; i < n; i++) {
        expect(hex(await reader.leafHash(i))).toBe(hex(hashes[i]!));
        expect(verifyInclusion(hashes[i]!, i, n, await reader.inclusionProof(i), rootHash)).toBe(true);
      }
      for (let m = 1; m < n; m++) {
        const old = tesseraCheckpoint(m);
        expect(hex(await reader.rootAt(m))).toBe(hex(old.rootHash));
        expect(verifyConsistency(m, n, await reader.consistencyProof(m), old.rootHash, rootHash)).toBe(true);
      }
    }
  });

  it('gives the in-memory proofs for trees spanning three tile levels', async () => {
    const next = prng(0x2ead);
    const all = BIG;
    for (const size of [1, 255, 256, 257, 600, 65536, 65537, 70000]) {
      const root = size === all.length ? rootFromLeafHashes(all) : rootFromLeafHashes(all.slice(0, size));
      const reader = new TileHashReader(
        { size, rootHash: root },
        mapReader(size === all.length ? BIG_TILES : tilesForTree(all.slice(0, size))),
      );
      // Byte-for-byte the in-memory proofs once per size (they cost a pass over the leaves)…
      const i = next(size);
      expect((await reader.inclusionProof(i)).map(hex)).toEqual(inclusionProof(all, i, size).map(hex));
      if (size > 1) {
        const m = 1 + next(size - 1);
        expect((await reader.consistencyProof(m)).map(hex)).toEqual(consistencyProof(all, m, size).map(hex));
        expect(hex(await reader.rootAt(m))).toBe(hex(rootFromLeafHashes(all.slice(0, m))));
      }
      // …and verifying against the root for more.
      for (let run = 0; run < 20; run++) {
        const j = next(size);
        expect(hex(await reader.leafHash(j))).toBe(hex(all[j]!));
        expect(verifyInclusion(all[j]!, j, size, await reader.inclusionProof(j), root)).toBe(true);
      }
    }
  });

  it('rejects tiles that do not match the tree head', async () => {
    const all = leaves(600);
    const files = tilesForTree(all);
    const root = rootFromLeafHashes(all);
    const flip = (path: string) => {
      const bad = new Map(files);
      const data = Uint8Array.from(bad.get(path)!);
      data[40]! ^= 1;
      bad.set(path, data);
      return mapReader(bad);
    };
    // A right-edge tile is checked against the root, a full tile against its parent entry.
    await expect(
      new TileHashReader({ size: 600, rootHash: root }, flip('tile/0/002.p/88')).leafHash(599),
    ).rejects.toThrow(/do not hash to the root/);
    await expect(
      new TileHashReader({ size: 600, rootHash: root }, flip('tile/1/000.p/2')).leafHash(599),
    ).rejects.toThrow(/do not hash to the root/);
    await expect(new TileHashReader({ size: 600, rootHash: root }, flip('tile/0/001')).leafHash(300)).rejects.toThrow(
      /does not match its parent/,
    );
    await expect(
      new TileHashReader({ size: 600, rootHash: root }, flip('tile/0/001')).consistencyProof(300),
    ).rejects.toThrow(/does not match its parent/);
    // Leaf 5's proof needs nothing from tile/0/001, so a bad copy of it does not matter there.
    expect(await new TileHashReader({ size: 600, rootHash: root }, flip('tile/0/001')).inclusionProof(5)).toHaveLength(
      10,
    );
    // A wrong root, or a tile of the wrong length.
    await expect(new TileHashReader({ size: 600, rootHash: all[0]! }, mapReader(files)).leafHash(0)).rejects.toThrow(
      /do not hash to the root/,
    );
    const short = new Map(files).set('tile/0/000', files.get('tile/0/000')!.subarray(32));
    await expect(new TileHashReader({ size: 600, rootHash: root }, mapReader(short)).leafHash(0)).rejects.toThrow(
      /8160 bytes, want 8192/,
    );
    await expect(new TileHashReader({ size: 600, rootHash: root }, mapReader(files)).leafHash(600)).rejects.toThrow(
      RangeError,
    );
  });

  it('falls back to the full tile once the partial one is gone', async () => {
    // c2sp.org/tlog-tiles: logs MAY delete a partial tile once the full one exists; clients MAY fetch the full one.
    const all = leaves(600);
    // The log's store after checkpoints at 300 and 600, with the partial tile/0/001.p/44 deleted.
    const files = new Map([...tilesForTree(all.slice(0, 300)), ...tilesForTree(all)]);
    files.delete('tile/0/001.p/44');
    const reader = mapReader(files);
    const tree = new TileHashReader({ size: 300, rootHash: rootFromLeafHashes(all.slice(0, 300)) }, reader);
    expect(hex(await tree.leafHash(299))).toBe(hex(all[299]!));
    expect(reader.reads).toContain('tile/0/001.p/44');
    expect(reader.reads).toContain('tile/0/001');
  });

  it('reads each tile once, and nothing for the empty tree', async () => {
    const all = leaves(600);
    const reader = mapReader(tilesForTree(all));
    const tree = new TileHashReader({ size: 600, rootHash: rootFromLeafHashes(all) }, reader);
    await Promise.all([tree.inclusionProof(3), tree.inclusionProof(4), tree.consistencyProof(17), tree.leafHash(599)]);
    expect(new Set(reader.reads).size).toBe(reader.reads.length);
    const empty = mapReader(new Map());
    expect(hex(await new TileHashReader({ size: 0, rootHash: rootFromLeafHashes([]) }, empty).rootAt(0))).toBe(
      hex(rootFromLeafHashes([])),
    );
    expect(empty.reads).toEqual([]);
  });

  it('rejects a tampered tile of the tessera log, and a root of another size', async () => {
    const { size, rootHash } = tesseraCheckpoint(15);
    const bad = new Map(TESSERA_LOG);
    const tile = Uint8Array.from(bad.get('tile/0/000.p/15')!);
    tile[7 * 32]! ^= 1; // leaf 7's hash
    bad.set('tile/0/000.p/15', tile);
    await expect(new TileHashReader({ size, rootHash }, mapReader(bad)).leafHash(7)).rejects.toThrow(
      /do not hash to the root/,
    );
    await expect(new TileHashReader({ size, rootHash }, mapReader(bad)).inclusionProof(0)).rejects.toThrow(
      /do not hash to the root/,
    );
    const older = tesseraCheckpoint(14).rootHash;
    await expect(new TileHashReader({ size, rootHash: older }, rebuiltReader).leafHash(0)).rejects.toThrow(
      /do not hash to the root/,
    );
  });

  // A checkpoint's hash line is what a verifier holds; the tessera bundles must hash to its tiles.
  it('ties the tessera entry bundles to the checkpoint', async () => {
    const { size, rootHash } = tesseraCheckpoint(15);
    const entries = decodeEntryBundle(await rebuiltReader('tile/entries/000.p/15'), 15);
    const reader = new TileHashReader({ size, rootHash }, rebuiltReader);
    for (let i = 0; i < size; i++) expect(hex(await reader.leafHash(i))).toBe(hex(leafHash(entries[i]!)));
    expect(b64('rKbDipCvhuX1GZ7g5BBe8sA6BbJ7ja/1nk427v383cs=')).toEqual(Buffer.from(rootHash));
  });
});
