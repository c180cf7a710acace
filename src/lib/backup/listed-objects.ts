import type { ObjectInfo } from '../cloud/object-store.js';
import { compareNames } from '../cloud/name-order.js';
import { blobKey } from './layout.js';
import { entryLine, manifestEntry, type ManifestEntry } from './manifest.js';

/**
 * One page of the source listing, kept as the manifest will hold it: each object's manifest line (UTF-8,
 * in one buffer), blob key (in one string) and size. A listed object's ObjectInfo and manifest entry cost
 * kilobytes, and a string built piece by piece keeps its pieces; this costs the line's bytes and its key's.
 */
interface ListedPage {
  first: string;
  last: string;
  lines: Buffer;
  /** Where each line ends in `lines` (its line break excluded). */
  lineEnds: Uint32Array;
  keys: string;
  keyEnds: Uint32Array;
  sizes: Float64Array;
  /** Objects changed since they were listed, by place: what they are now. */
  changed?: Map<number, { line: string; key: string; size: number }>;
  /** Objects deleted since they were listed. */
  dropped?: Set<number>;
}

/** One listed object: its page and its place on it. */
export interface ListedRef {
  page: ListedPage;
  i: number;
}

/** Objects of the source as listed, compactly; in name order once `seal`ed. */
export class ListedObjects {
  private pages: ListedPage[] = [];
  private sorted = true;

  add(objects: ObjectInfo[]): void {
    if (objects.length === 0) return;
    const lines: string[] = [];
    const keys: string[] = [];
    for (const o of objects) {
      const key = blobKey(o);
      lines.push(entryLine(manifestEntry(o, key)));
      keys.push(key);
    }
    const page = pageOf(
      lines,
      keys,
      Float64Array.from(objects, (o) => o.size),
    );
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
    if (this.sorted) return;
    this.pages.sort((a, b) => compareNames(a.first, b.first));
    this.sorted = true;
    if (this.pages.every((p, n) => n === 0 || compareNames(this.pages[n - 1]!.last, p.first) < 0)) return;
    const all = [...this.refs()].map((r) => ({ line: lineOf(r), key: keyOf(r), size: sizeOf(r) }));
    const names = all.map((o) => nameOf(o.line));
    const order = all.map((_, i) => i).sort((a, b) => compareNames(names[a]!, names[b]!));
    this.pages = [
      pageOf(
        order.map((i) => all[i]!.line),
        order.map((i) => all[i]!.key),
        Float64Array.from(order, (i) => all[i]!.size),
      ),
    ];
  }

  /** Every listed object still in the backup. */
  *refs(): Iterable<ListedRef> {
    for (const page of this.pages)
      for (let i = 0; i < page.sizes.length; i++) if (!page.dropped?.has(i)) yield { page, i };
  }
}

/** The page of these objects' lines, keys and sizes, in this order. */
function pageOf(lines: string[], keys: string[], sizes: Float64Array): ListedPage {
  return {
    first: nameOf(lines[0]!),
    last: nameOf(lines.at(-1)!),
    lines: Buffer.from(lines.join('\n')),
    lineEnds: ends(lines, (line) => Buffer.byteLength(line)),
    keys: keys.join('\n'),
    keyEnds: ends(keys, (key) => key.length),
    sizes,
  };
}

function ends(items: string[], length: (item: string) => number): Uint32Array {
  const out = new Uint32Array(items.length);
  let at = -1;
  items.forEach((item, i) => (out[i] = at = at + 1 + length(item)));
  return out;
}

const start = (ends: Uint32Array, i: number) => (i === 0 ? 0 : ends[i - 1]! + 1);

/** The object's manifest line. */
export const lineOf = (r: ListedRef): string =>
  r.page.changed?.get(r.i)?.line ?? r.page.lines.toString('utf8', start(r.page.lineEnds, r.i), r.page.lineEnds[r.i]);
/** The object's manifest line, as bytes (a view of the page's while the object is as listed). */
export function lineBytesOf(r: ListedRef): Buffer {
  const changed = r.page.changed?.get(r.i);
  return changed ? Buffer.from(changed.line) : r.page.lines.subarray(start(r.page.lineEnds, r.i), r.page.lineEnds[r.i]);
}
/** Its blob key. */
export const keyOf = (r: ListedRef): string =>
  r.page.changed?.get(r.i)?.key ?? r.page.keys.slice(start(r.page.keyEnds, r.i), r.page.keyEnds[r.i]);
export const sizeOf = (r: ListedRef): number => r.page.changed?.get(r.i)?.size ?? r.page.sizes[r.i]!;
/** The entry, parsed again from its line (only for the objects being copied, one batch at a time). */
export const entryOf = (r: ListedRef) => JSON.parse(lineOf(r)) as ManifestEntry;

/** The object changed since it was listed: its entry is now that of `live`, its content at `key`. */
export function replaceListed(r: ListedRef, live: ObjectInfo, key: string): void {
  (r.page.changed ??= new Map()).set(r.i, { line: entryLine(manifestEntry(live, key)), key, size: live.size });
}

/** The object was deleted since it was listed: it is not in the backup. */
export function dropListed(r: ListedRef): void {
  (r.page.dropped ??= new Set()).add(r.i);
}

const nameOf = (line: string) => (JSON.parse(line) as ManifestEntry).name;
