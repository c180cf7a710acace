import type { ObjectInfo } from '../cloud/object-store.js';
import { compareNames } from '../cloud/name-order.js';
import { PACKED_KEY_BYTES, packKey, unpackKey } from './blob-keys.js';
import { blobKey } from './layout.js';
import { entryLine, manifestEntry, type ManifestEntry } from './manifest.js';
import { SpillFile } from './spill-file.js';

/**
 * One page of the source listing, kept as the manifest will hold it: each object's manifest line (UTF-8,
 * written to the listing's spill file, read back when a copy or the manifest needs it) and its blob key
 * (28 bytes, packed; the key names the size). A listed object's ObjectInfo and manifest entry cost
 * kilobytes; this costs 32 bytes in memory.
 */
interface ListedPage {
  spill: SpillFile;
  /** The number of the page's first object (see `ListedObjects.count`), once sealed. */
  start: number;
  first: string;
  last: string;
  /** Where its lines are in the spill file: `bytes` bytes from `at`, one line break between lines. */
  at: number;
  bytes: number;
  /** Where each line ends (its line break excluded). */
  lineEnds: Uint32Array;
  /** Each object's packed blob key, PACKED_KEY_BYTES each. */
  keys: Buffer;
  /** Keys that do not pack (composite objects'), by place. */
  otherKeys?: Map<number, string>;
  /** Objects changed since they were listed, by place: what they are now. */
  changed?: Map<number, { line: string; key: string }>;
  /** Objects deleted since they were listed. */
  dropped?: Set<number>;
}

/** One listed object: its page and its place on it. */
export interface ListedRef {
  page: ListedPage;
  i: number;
}

/** Objects of the source as listed, compactly; in name order once `seal`ed. Close it to free its spill file. */
export class ListedObjects {
  private pages: ListedPage[] = [];
  private sorted = true;
  private spill: SpillFile | undefined;

  add(objects: ObjectInfo[]): void {
    if (objects.length === 0) return;
    const lines: string[] = [];
    const keys: string[] = [];
    for (const o of objects) {
      const key = blobKey(o);
      lines.push(entryLine(manifestEntry(o, key)));
      keys.push(key);
    }
    const page = this.pageOf(lines, keys);
    const prev = this.pages.at(-1);
    if (prev && compareNames(prev.last, page.first) >= 0) this.sorted = false;
    this.pages.push(page);
  }

  /**
   * Puts the pages in name order. Parallel listing hands over pages out of order, but each is in name
   * order and covers its own stretch of the keyspace (ranges never overlap), so ordering pages by their
   * first name orders every object; should two pages overlap after all, every object is sorted by name.
   */
  seal(): void {
    this.order();
    let n = 0;
    for (const page of this.pages) {
      page.start = n;
      n += page.lineEnds.length;
    }
  }

  private order(): void {
    if (this.sorted) return;
    this.pages.sort((a, b) => compareNames(a.first, b.first));
    this.sorted = true;
    if (this.pages.every((p, n) => n === 0 || compareNames(this.pages[n - 1]!.last, p.first) < 0)) return;
    const all = [...this.refs()].map((r) => ({ line: lineOf(r), key: keyOf(r) }));
    const names = all.map((o) => nameOf(o.line));
    const order = all.map((_, i) => i).sort((a, b) => compareNames(names[a]!, names[b]!));
    this.pages = [
      this.pageOf(
        order.map((i) => all[i]!.line),
        order.map((i) => all[i]!.key),
      ),
    ];
  }

  /** Every listed object still in the backup. */
  *refs(): Iterable<ListedRef> {
    for (const page of this.pages)
      for (let i = 0; i < page.lineEnds.length; i++) if (!page.dropped?.has(i)) yield { page, i };
  }

  /** Every listed object's number (its place in name order, from 0), as `ref` takes it; dropped ones too. */
  get count(): number {
    const last = this.pages.at(-1);
    return last ? last.start + last.lineEnds.length : 0;
  }

  /** The object numbered `n` (see `count`). */
  ref(n: number): ListedRef {
    let lo = 0;
    let hi = this.pages.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.pages[mid]!.start <= n) lo = mid;
      else hi = mid - 1;
    }
    return { page: this.pages[lo]!, i: n - this.pages[lo]!.start };
  }

  /** The manifest lines of every object still in the backup, in order, each page read back from the spill file in one go. */
  *lines(): Iterable<Buffer> {
    for (const page of this.pages) {
      const bytes = page.spill.read(page.at, page.bytes);
      for (let i = 0; i < page.lineEnds.length; i++) {
        if (page.dropped?.has(i)) continue;
        const changed = page.changed?.get(i);
        yield changed ? Buffer.from(changed.line) : bytes.subarray(start(page.lineEnds, i), page.lineEnds[i]);
      }
    }
  }

  /** Frees the spill file (its lines can no longer be read). */
  close(): void {
    this.spill?.close();
  }

  /** The page of these objects' lines and keys, in this order; the lines go to the spill file. */
  private pageOf(lines: string[], keys: string[]): ListedPage {
    const data = Buffer.from(lines.join('\n'));
    const spill = (this.spill ??= new SpillFile('gwctl-listing-'));
    const packed = Buffer.alloc(keys.length * PACKED_KEY_BYTES);
    let otherKeys: Map<number, string> | undefined;
    keys.forEach((key, i) => {
      if (!packKey(key, packed, i * PACKED_KEY_BYTES)) (otherKeys ??= new Map()).set(i, key);
    });
    return {
      spill,
      start: 0,
      first: nameOf(lines[0]!),
      last: nameOf(lines.at(-1)!),
      at: spill.append(data),
      bytes: data.length,
      lineEnds: ends(lines),
      keys: packed,
      ...(otherKeys ? { otherKeys } : {}),
    };
  }
}

function ends(lines: string[]): Uint32Array {
  const out = new Uint32Array(lines.length);
  let at = -1;
  lines.forEach((line, i) => (out[i] = at = at + 1 + Buffer.byteLength(line)));
  return out;
}

const start = (ends: Uint32Array, i: number) => (i === 0 ? 0 : ends[i - 1]! + 1);

/** The object's manifest line. */
export const lineOf = (r: ListedRef): string => r.page.changed?.get(r.i)?.line ?? lineBytesOf(r).toString('utf8');
/** The object's manifest line, as bytes. */
export function lineBytesOf(r: ListedRef): Buffer {
  const changed = r.page.changed?.get(r.i);
  if (changed) return Buffer.from(changed.line);
  const { page, i } = r;
  return page.spill.read(page.at, page.bytes).subarray(start(page.lineEnds, i), page.lineEnds[i]);
}
/** Its number (see `ListedObjects.count`). */
export const numberOf = (r: ListedRef): number => r.page.start + r.i;
/** Its blob key. */
export const keyOf = (r: ListedRef): string =>
  r.page.changed?.get(r.i)?.key ?? r.page.otherKeys?.get(r.i) ?? unpackKey(r.page.keys, r.i * PACKED_KEY_BYTES);
/** Its size, which its blob key names. */
export function sizeOf(r: ListedRef): number {
  const { page, i } = r;
  const key = page.changed?.get(i)?.key ?? page.otherKeys?.get(i);
  return key === undefined
    ? page.keys.readDoubleBE(i * PACKED_KEY_BYTES + 20)
    : Number(key.slice(key.lastIndexOf('-') + 1));
}
/** The entry, parsed again from its line (only for the objects being copied, one batch at a time). */
export const entryOf = (r: ListedRef) => JSON.parse(lineOf(r)) as ManifestEntry;

/** The object changed since it was listed: its entry is now that of `live`, its content at `key`. */
export function replaceListed(r: ListedRef, live: ObjectInfo, key: string): void {
  (r.page.changed ??= new Map()).set(r.i, { line: entryLine(manifestEntry(live, key)), key });
}

/** The object was deleted since it was listed: it is not in the backup. */
export function dropListed(r: ListedRef): void {
  (r.page.dropped ??= new Set()).add(r.i);
}

const nameOf = (line: string) => (JSON.parse(line) as ManifestEntry).name;
