import { assertSize, div } from './merkle.js';
import { entryBundlePath, TILE_WIDTH } from './tile-paths.js';
import type { TileReader } from './tiles.js';

/** Entries are prefixed with a big-endian uint16 length, so none can be longer. */
export const MAX_ENTRY_SIZE = 0xffff;

/** Bundle bytes: each entry as uint16 length ‖ bytes (C2SP tlog-tiles). */
export function encodeEntryBundle(entries: readonly Uint8Array[]): Uint8Array {
  if (entries.length < 1 || entries.length > TILE_WIDTH)
    throw new RangeError(`a bundle holds 1..${TILE_WIDTH} entries, got ${entries.length}`);
  const parts: Uint8Array[] = [];
  for (const entry of entries) {
    if (entry.length > MAX_ENTRY_SIZE) throw new RangeError(`entry of ${entry.length} bytes exceeds ${MAX_ENTRY_SIZE}`);
    const length = Buffer.alloc(2);
    length.writeUInt16BE(entry.length);
    parts.push(length, entry);
  }
  return Buffer.concat(parts);
}

/**
 * The entries of a bundle. With `width` (known from the bundle's path) the bundle must hold exactly that
 * many, so extra bytes after them are rejected too; without it, up to 256. Entries are views into `data`.
 */
export function decodeEntryBundle(data: Uint8Array, width?: number): Uint8Array[] {
  if (width !== undefined && (!Number.isInteger(width) || width < 1 || width > TILE_WIDTH))
    throw new RangeError(`bundle width must be 1..${TILE_WIDTH}, got ${width}`);
  const max = width ?? TILE_WIDTH;
  const entries: Uint8Array[] = [];
  let offset = 0;
  while (offset < data.length) {
    if (entries.length === max)
      throw new Error(`entry bundle has ${data.length - offset} bytes after its ${max} entries`);
    if (offset + 2 > data.length) throw new Error(`entry bundle truncated: a length prefix is cut at byte ${offset}`);
    const length = (data[offset]! << 8) | data[offset + 1]!;
    const start = offset + 2;
    if (start + length > data.length)
      throw new Error(
        `entry bundle truncated: entry ${entries.length} needs ${length} bytes, ${data.length - start} left`,
      );
    entries.push(data.subarray(start, start + length));
    offset = start + length;
  }
  if (width !== undefined && entries.length !== width)
    throw new Error(`entry bundle has ${entries.length} entries, want ${width}`);
  return entries;
}

/**
 * The entry bundles to write when appending `entries` to a log of `oldSize` entries: the bundles that
 * became full and the new partial one, with the old partial bundle's entries (read with `readBundle`) kept.
 */
export async function appendToBundles(
  oldSize: number,
  entries: readonly Uint8Array[],
  readBundle: TileReader,
): Promise<Map<string, Uint8Array>> {
  assertSize(oldSize, 'old tree size');
  assertSize(oldSize + entries.length, 'new tree size');
  const out = new Map<string, Uint8Array>();
  if (entries.length === 0) return out;
  const firstBundle = div(oldSize, TILE_WIDTH);
  const kept = oldSize % TILE_WIDTH;
  const old = kept > 0 ? decodeEntryBundle(await readBundle(entryBundlePath(firstBundle, kept)), kept) : [];
  const row = [...old, ...entries];
  for (let start = 0; start < row.length; start += TILE_WIDTH) {
    const bundle = row.slice(start, start + TILE_WIDTH);
    out.set(entryBundlePath(firstBundle + start / TILE_WIDTH, bundle.length), encodeEntryBundle(bundle));
  }
  return out;
}
