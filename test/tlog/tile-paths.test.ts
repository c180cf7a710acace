import { describe, expect, it } from 'vitest';
import {
  entryBundlePath,
  entryBundlePathForIndex,
  formatTileIndex,
  parseTilePath,
  tilePath,
  tileWidthInTree,
} from '../../src/lib/tlog/tile-paths.js';
import { locateNode } from '../../src/lib/tlog/tiles.js';

describe('tile paths', () => {
  // c2sp.org/tlog-tiles: "index 1234067 will be encoded as x001/x234/067"
  it('encodes N in 3-digit groups as the spec example', () => {
    expect(formatTileIndex(1234067)).toBe('x001/x234/067');
  });

  // github.com/transparency-dev/tessera api/layout/paths_test.go TestTilePath (p = 0 means full, width 256 here)
  it.each([
    [0, 0, 256, 'tile/0/000'],
    [0, 0, 255, 'tile/0/000.p/255'],
    [1, 0, 256, 'tile/1/000'],
    [15, 455667, 256, 'tile/15/x455/667'],
    [15, 123456789, 41, 'tile/15/x123/x456/789.p/41'],
  ])('tilePath(%i, %i, %i) = %s', (level, index, width, want) => {
    expect(tilePath(level, index, width)).toBe(want);
    expect(parseTilePath(want)).toEqual({ kind: 'hash', level, index, width });
  });

  // golang.org/x/mod/sumdb/tlog tile_test.go tilePaths: the N part (their paths also carry the height, tile/H/L/N,
  // which C2SP dropped), e.g. Tile{H: 3, L: 5, N: 123456078, W: 2} is tile/3/5/x123/x456/078.p/2.
  it.each([
    [1, '001'],
    [123456078, 'x123/x456/078'],
    [3057500, 'x003/x057/500'],
  ])('formatTileIndex(%i) = %s', (n, want) => expect(formatTileIndex(n)).toBe(want));

  // tessera api/layout/paths_test.go TestEntriesPath
  it.each([
    [0, 256, 'tile/entries/000'],
    [0, 8, 'tile/entries/000.p/8'],
    [255, 256, 'tile/entries/255'],
    [255, 253, 'tile/entries/255.p/253'],
  ])('entryBundlePath(%i, %i) = %s', (index, width, want) => {
    expect(entryBundlePath(index, width)).toBe(want);
    expect(parseTilePath(want)).toEqual({ kind: 'entries', index, width });
  });

  // tessera api/layout/paths_test.go TestEntriesPathForLogIndex
  it.each([
    [0, 256, 'tile/entries/000'],
    [255, 256, 'tile/entries/000'],
    [251, 255, 'tile/entries/000.p/255'],
    [256, 512, 'tile/entries/001'],
    [3, 257, 'tile/entries/000'],
    [256, 257, 'tile/entries/001.p/1'],
    [123456789 * 256, 123456790 * 256, 'tile/entries/x123/x456/789'],
  ])('entryBundlePathForIndex(%i, %i) = %s', (seq, size, want) =>
    expect(entryBundlePathForIndex(seq, size)).toBe(want),
  );

  // tessera api/layout/paths_test.go TestParseTileLevelIndexPartial, as whole paths tile/<level>/<index>
  it.each([
    ['tile/0/x001/x234/067', { kind: 'hash', level: 0, index: 1234067, width: 256 }],
    ['tile/0/x001/x234/067.p/89', { kind: 'hash', level: 0, index: 1234067, width: 89 }],
    ['tile/0/001', { kind: 'hash', level: 0, index: 1, width: 256 }],
  ])('parses %s', (path, want) => expect(parseTilePath(path)).toEqual(want));

  it.each([
    // tessera TestParseTileLevelIndexPartial error cases
    'tile/0/x001/x234/067.p/',
    'tile/0/x001/x234/067.p',
    'tile/0/x001/x234/',
    'tile/0/x001/x234',
    'tile/0/x001/',
    'tile/0/x001',
    'tile/1/x001/.p/abc',
    'tile/64/x001/002',
    'tile/-1/x001/002',
    'tile/abc/x001/002',
    'tile/8/001/002',
    'tile/8/x001/0002',
    'tile/8/x001/-002',
    'tile/8/x001/002.p/256',
    'tile/63/x999/x999/x999/x999/x999/x999/999.p/255',
    // golang.org/x/mod/sumdb/tlog tile_test.go tilePaths error cases, in C2SP form
    'tile/5/123/456/078',
    'tile/-1/123/456/078',
    // Non-canonical spellings of valid tiles: one resource, one name.
    'tile/00/000',
    'tile/0/x000/001',
    'tile/0/000.p/0',
    'tile/0/000.p/07',
    'tile/entries/000.p/256',
    'tile/data/000',
    '/tile/0/000',
  ])('rejects %s', (path) => expect(() => parseTilePath(path)).toThrow(/malformed tile path/));

  it('rejects indexes beyond 2^53 instead of rounding them', () => {
    // tessera accepts x999/x999/x999/x999/x999/999 (10^18 - 1) as a uint64; a JS number cannot hold it exactly.
    expect(() => parseTilePath('tile/63/x999/x999/x999/x999/x999/999.p/255')).toThrow(/malformed tile path/);
    expect(parseTilePath('tile/63/x009/x007/x199/x254/x740/991')).toMatchObject({ index: Number.MAX_SAFE_INTEGER });
  });
});

describe('tile geometry', () => {
  // c2sp.org/tlog-tiles: "a tree of size 70,000 will be represented by 273 full level 0 tiles, one partial level 0
  // tile of width 112, one full level 1 tile, one partial level 1 tile of width 17, and one partial level 2 tile of width 1"
  it('gives the widths of the spec example', () => {
    expect(tileWidthInTree(0, 272, 70000)).toBe(256);
    expect(tileWidthInTree(0, 273, 70000)).toBe(112);
    expect(tileWidthInTree(0, 274, 70000)).toBe(0);
    expect(tileWidthInTree(1, 0, 70000)).toBe(256);
    expect(tileWidthInTree(1, 1, 70000)).toBe(17);
    expect(tileWidthInTree(2, 0, 70000)).toBe(1);
    expect(tileWidthInTree(3, 0, 70000)).toBe(0);
  });

  // tessera api/layout/tile_test.go TestNodeCoordsToTileAddress: (tree level, index) → (tile level, tile index, node level, node index)
  it.each([
    [0, 0, 0, 0, 0, 0],
    [0, 255, 0, 0, 0, 255],
    [0, 256, 0, 1, 0, 0],
    [1, 0, 0, 0, 1, 0],
    [8, 0, 1, 0, 0, 0],
  ])('node (%i, %i) is in tile %i/%i as (%i, %i)', (level, index, tileLevel, tileIndex, nodeLevel, nodeIndex) => {
    // We address the node by the tile hashes it spans: `count` = 2^nodeLevel of them from `first`.
    const at = locateNode({ level, index });
    expect(at).toEqual({
      level: tileLevel,
      index: tileIndex,
      first: nodeIndex * 2 ** nodeLevel,
      count: 2 ** nodeLevel,
    });
  });
});
