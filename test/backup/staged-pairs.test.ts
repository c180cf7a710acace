import { describe, expect, it } from 'vitest';
import { pairStaged } from '../../src/lib/backup/staged-pairs.js';
import type { ObjectInfo } from '../../src/lib/cloud/object-store.js';

const PREFIX = 'staging/run-1/';
const staged = (name: string): ObjectInfo => ({
  bucket: 'backups',
  name: `${PREFIX}${name}`,
  generation: '1',
  size: 1,
  crc32c: 'AAAAAA==',
  updated: '',
  created: '',
  metadata: {},
});

/** Pages as a listing hands them over, counting how many were asked for. */
function listing(pages: string[][]) {
  const asked = { pages: 0 };
  async function* list() {
    for (const p of pages) {
      asked.pages++;
      yield p.map(staged);
    }
  }
  return { asked, list: list() };
}

async function collect(copies: number[], names: string[], pages: string[][]) {
  const moved: [number, string][] = [];
  const missing: number[] = [];
  for await (const r of pairStaged(copies, (n) => names[n]!, PREFIX, listing(pages).list)) {
    moved.push(...r.moves.map((m): [number, string] => [m.n, m.staged.name]));
    missing.push(...r.missing);
  }
  return { moved, missing };
}

describe('staged copies paired with the planned ones as the staging listing arrives', () => {
  // Names in code point order, as GCS lists them (https://cloud.google.com/storage/docs/json_api/v1/objects/list:
  // "in lexicographical order by name"), and as the source listing numbers the copies.
  // U+1F600 after U+FFFF: code points, not UTF-16 code units.
  const names = ['a', 'b', 'b/c', 'c d', 'z', '\u00e9', '\uffff', '\u{1f600}'];

  it('pairs every staged copy with its object, across pages, and names the copies not staged', async () => {
    const { moved, missing } = await collect([0, 1, 2, 3, 4, 5, 6, 7], names, [
      ['a', 'b/c'],
      ['stray', 'z'],
      ['\u{1f600}'],
    ]);
    expect(moved).toEqual([
      [0, `${PREFIX}a`],
      [2, `${PREFIX}b/c`],
      [4, `${PREFIX}z`],
      [7, `${PREFIX}\u{1f600}`],
    ]);
    // Deleted since the listing (not staged): left to gwctl's own copy; the stray staged object is not paired.
    expect(missing).toEqual([1, 3, 5, 6]);
  });

  it('an empty staging listing leaves every copy to gwctl, a page at a time', async () => {
    const copies = Array.from({ length: 2500 }, (_, i) => i);
    const all = copies.map((i) => String(i).padStart(5, '0'));
    const pages: number[][] = [];
    for await (const r of pairStaged(copies, (n) => all[n]!, PREFIX, listing([[]]).list)) pages.push(r.missing);
    expect(pages.map((p) => p.length)).toEqual([0, 1000, 1000, 500]);
    expect(pages.flat()).toEqual(copies);
  });

  it('holds one page: each page is paired and handed over before the next is listed', async () => {
    const all = Array.from({ length: 30_000 }, (_, i) => String(i).padStart(6, '0'));
    const copies = all.map((_, i) => i);
    const pages = Array.from({ length: 30 }, (_, p) => all.slice(p * 1000, (p + 1) * 1000));
    const { asked, list } = listing(pages);
    let seen = 0;
    for await (const r of pairStaged(copies, (n) => all[n]!, PREFIX, list)) {
      seen++;
      // What one result holds is the page's own moves; no listing ahead of the consumer.
      expect(asked.pages).toBe(seen);
      expect(r.moves).toHaveLength(1000);
      expect(r.missing).toEqual([]);
    }
    expect(seen).toBe(30);
  });
});
