import { assertSize, div, isSize } from './merkle.js';

/** C2SP tlog-tiles: tiles are 8 levels high, so 256 hashes (or entries) wide when full. */
export const TILE_HEIGHT = 8;
export const TILE_WIDTH = 256;
const MAX_LEVEL = 63;

/**
 * A hash tile, or an entry bundle when used with entryBundlePath (whose tiles are all level 0).
 * `width` is the number of hashes or entries, 1..256; 256 is a full tile.
 */
export interface TileId {
  readonly level: number;
  readonly index: number;
  readonly width: number;
}

export type ParsedTilePath = ({ kind: 'hash' } & TileId) | { kind: 'entries'; index: number; width: number };

/** `<N>` of a tile path: 3-digit groups, all but the last prefixed with x, e.g. 1234067 → x001/x234/067. */
export function formatTileIndex(index: number): string {
  assertSize(index, 'tile index');
  let rest = index;
  let path = pad3(rest % 1000);
  rest = div(rest, 1000);
  while (rest > 0) {
    path = `x${pad3(rest % 1000)}/${path}`;
    rest = div(rest, 1000);
  }
  return path;
}

/** `tile/<L>/<N>[.p/<W>]`. */
export function tilePath(level: number, index: number, width: number = TILE_WIDTH): string {
  if (!Number.isInteger(level) || level < 0 || level > MAX_LEVEL)
    throw new RangeError(`tile level must be 0..${MAX_LEVEL}, got ${level}`);
  return `tile/${level}/${formatTileIndex(index)}${widthSuffix(width)}`;
}

/** `tile/entries/<N>[.p/<W>]`. */
export function entryBundlePath(index: number, width: number = TILE_WIDTH): string {
  return `tile/entries/${formatTileIndex(index)}${widthSuffix(width)}`;
}

export function tileIdPath(tile: TileId): string {
  return tilePath(tile.level, tile.index, tile.width);
}

/**
 * Parses a tile or entry bundle path. Only the canonical spelling is accepted (it must format back to
 * itself), so one resource has one name: no `x000/` groups, no `.p/256`, no leading zeros.
 */
export function parseTilePath(path: string): ParsedTilePath {
  const bad = () => new Error(`malformed tile path ${JSON.stringify(path)}`);
  const m = /^tile\/(entries|0|[1-9][0-9]?)\/((?:x[0-9]{3}\/)*[0-9]{3})(?:\.p\/([1-9][0-9]{0,2}))?$/.exec(path);
  if (!m) throw bad();
  const index = Number(m[2]!.replace(/x|\//g, ''));
  const width = m[3] === undefined ? TILE_WIDTH : Number(m[3]);
  if (!isSize(index) || (m[3] !== undefined && width >= TILE_WIDTH)) throw bad();
  let parsed: ParsedTilePath;
  if (m[1] === 'entries') parsed = { kind: 'entries', index, width };
  else {
    const level = Number(m[1]);
    if (level > MAX_LEVEL) throw bad();
    parsed = { kind: 'hash', level, index, width };
  }
  const again = parsed.kind === 'entries' ? entryBundlePath(index, width) : tilePath(parsed.level, index, width);
  if (again !== path) throw bad();
  return parsed;
}

/**
 * Width of tile (level, index) in a tree of `treeSize` leaves: 256 if full, 1..255 if it is the partial
 * right-edge tile, 0 if the tree has no such tile.
 */
export function tileWidthInTree(level: number, index: number, treeSize: number): number {
  assertSize(index, 'tile index');
  assertSize(treeSize, 'tree size');
  const count = div(treeSize, TILE_WIDTH ** level); // hashes that exist at this tile level
  const start = index * TILE_WIDTH;
  if (count >= start + TILE_WIDTH) return TILE_WIDTH;
  return Math.max(0, count - start);
}

/** Path of the entry bundle holding entry `entryIndex` of a tree of `treeSize` entries. */
export function entryBundlePathForIndex(entryIndex: number, treeSize: number): string {
  assertSize(entryIndex, 'entry index');
  const index = div(entryIndex, TILE_WIDTH);
  const width = tileWidthInTree(0, index, treeSize);
  if (width === 0) throw new RangeError(`entry ${entryIndex} is not in a tree of size ${treeSize}`);
  return entryBundlePath(index, width);
}

function widthSuffix(width: number): string {
  if (!Number.isInteger(width) || width < 1 || width > TILE_WIDTH)
    throw new RangeError(`tile width must be 1..${TILE_WIDTH}, got ${width}`);
  return width === TILE_WIDTH ? '' : `.p/${width}`;
}

function pad3(n: number): string {
  return String(n).padStart(3, '0');
}
