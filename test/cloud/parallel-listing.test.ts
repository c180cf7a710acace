import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FaultInjector } from '@gwctl/emulators/common';
import { startGcsEmulator, type GcsEmulator } from '@gwctl/emulators/gcs';
import { gcsClient } from '@gwctl/emulators/testing';
import { compareNames, prefixEnd, splitPoint } from '../../src/lib/cloud/name-order.js';
import { GcsObjectStore } from '../../src/lib/cloud/gcs-object-store.js';
import { InMemoryObjectStore } from '../../src/lib/cloud/in-memory-object-store.js';
import type { DirectoryPage, ObjectInfo, ObjectListOptions } from '../../src/lib/cloud/object-store.js';
import { listInParallel } from '../../src/lib/cloud/parallel-listing.js';
import { environment, seedFast, type Seeded } from '../backup/harness.js';

// GCS lists names in UTF-8 byte order, i.e. by code point ("Objects are listed in lexicographical order
// of their names", https://cloud.google.com/storage/docs/json_api/v1/objects/list); startOffset is
// inclusive and endOffset exclusive (same page, "startOffset"/"endOffset" parameters).

let emu: GcsEmulator;
// Seeded draws: the same faults on every run (listers run side by side, so a fixed cycle would starve one of them).
let draw = 1;
const faults = new FaultInjector({}, () => (draw = (draw * 48271) % 2147483647) / 2147483647);
beforeEach(async () => {
  faults.set({});
  emu = await startGcsEmulator({ faults });
  await gcsClient(emu.url).createBucket('src');
});
afterEach(() => emu.close());

const store = () =>
  new GcsObjectStore(environment(emu.url), { retry: { baseDelayMs: 5, maxDelayMs: 20, attempts: 12 } });

const objectsNamed = (names: string[]): Seeded[] =>
  names.map((name) => ({ name, data: Buffer.from(name), contentType: 'text/plain', metadata: {} }));

async function listedNames(opts: { concurrency: number; pageSize?: number; prefix?: string }): Promise<string[]> {
  const names: string[] = [];
  for await (const page of listInParallel(store(), 'src', opts)) names.push(...page.map((o) => o.name));
  return names;
}

const byCodePoint = (names: string[]) => [...names].sort(compareNames);

/** Names at every edge a split can fall on: a directory's end ('a/' → 'a0'), U+FFFF against astral, spaces. */
const EDGE_NAMES = [
  'a',
  'a/',
  'a/x',
  'a/x/y',
  'a0',
  'a.',
  'a\uffff',
  'a\u{10000}',
  'a🔑',
  'a\ue000/1',
  '\uffff',
  '\uffff/x',
  '\uffff\uffff',
  '\u{10ffff}',
  '🔑/ключ/鍵',
  'ünïcødé/ключ',
  'with space/ ',
  'W',
  'O',
  '~',
  'z/',
  'z/0',
];

describe('listing a bucket over ranges of its keyspace', () => {
  it('lists every object once, names at range edges included, however small the pages', async () => {
    await seedFast(emu.url, 'src', objectsNamed(EDGE_NAMES));
    for (const pageSize of [1, 2, 5, 1000]) {
      const names = await listedNames({ concurrency: 8, pageSize });
      expect(byCodePoint(names), `pageSize ${pageSize}`).toEqual(byCodePoint(EDGE_NAMES));
    }
  });

  it('lists a prefix only, its directories split across listers', async () => {
    const names = [...EDGE_NAMES, ...Array.from({ length: 60 }, (_, i) => `a/${i % 7}/${i}`)];
    await seedFast(emu.url, 'src', objectsNamed(names));
    const listed = await listedNames({ concurrency: 4, pageSize: 3, prefix: 'a/' });
    expect(byCodePoint(listed)).toEqual(byCodePoint(names.filter((n) => n.startsWith('a/'))));
  });

  it('splits a flat bucket (no directories) while listing it, missing and repeating nothing', async () => {
    // Random names over an alphabet with the characters that trip code unit order and split arithmetic.
    const alphabet = [...'0az/ .~', '\u007f', 'é', '\uffff', '\ue000', '🔑', '\u{10ffff}'];
    let seedValue = 7;
    const random = () => (seedValue = (seedValue * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const names = new Set<string>();
    while (names.size < 600) {
      const length = 1 + Math.floor(random() * 6);
      const name = Array.from({ length }, () => alphabet[Math.floor(random() * alphabet.length)]).join('');
      if (name !== '.' && name !== '..') names.add(name); // the two names GCS refuses
    }
    await seedFast(emu.url, 'src', objectsNamed([...names]));
    emu.log.clear();
    const listed = await listedNames({ concurrency: 6, pageSize: 10 });
    expect(listed).toHaveLength(names.size);
    expect(byCodePoint(listed)).toEqual(byCodePoint([...names]));
    // It did split: ranges were listed side by side, beyond the one that started.
    const offsets = emu.log.list({ method: 'GET' }).filter((r) => r.path.includes('startOffset='));
    expect(offsets.length).toBeGreaterThan(1);
  });

  it('finishes despite throttled and failing pages, each retried on its own', async () => {
    const names = Array.from({ length: 300 }, (_, i) => `logical/${i % 10}/${i}`);
    await seedFast(emu.url, 'src', objectsNamed(names));
    emu.log.clear();
    faults.set({ p429: 0.15, p503: 0.15 });
    const listed = await listedNames({ concurrency: 5, pageSize: 7 });
    faults.set({});
    expect(byCodePoint(listed)).toEqual(byCodePoint(names));
    expect(emu.log.list().filter((r) => r.fault).length).toBeGreaterThan(0);
  });

  it('lists everything once when GCS answers the first page of every listing empty, with a token', async () => {
    // "Note that the next page may be empty" (nextPageToken, https://cloud.google.com/storage/docs/json_api/v1/objects/list).
    await seedFast(emu.url, 'src', objectsNamed(EDGE_NAMES));
    emu.quirks.emptyFirstListPage = true;
    for (const pageSize of [1, 3, 1000]) {
      const names = await listedNames({ concurrency: 4, pageSize });
      expect(byCodePoint(names), `pageSize ${pageSize}`).toEqual(byCodePoint(EDGE_NAMES));
    }
  });

  it('stops its listers when the caller stops reading', async () => {
    await seedFast(emu.url, 'src', objectsNamed(Array.from({ length: 200 }, (_, i) => `d${i % 20}/${i}`)));
    for await (const page of listInParallel(store(), 'src', { concurrency: 4, pageSize: 2 })) {
      expect(page.length).toBeGreaterThan(0);
      break;
    }
    emu.log.clear();
    await new Promise((r) => setTimeout(r, 50));
    // At most the pages already on their way when it stopped.
    expect(emu.log.list().length).toBeLessThanOrEqual(8);
  });
});

describe('what listing over ranges costs in requests (issue #18: a no-change re-run makes ≤ 2·⌈N/1000⌉ + 10)', () => {
  const listingRequests = () => emu.log.list({ method: 'GET' }).filter((r) => r.path.startsWith('/storage/v1/b/src/o'));
  const probes = () => listingRequests().filter((r) => r.path.includes('delimiter='));

  async function listedOnce(names: string[], opts: { concurrency: number; pageSize: number; prefix?: string }) {
    if (opts.prefix === undefined) await seedFast(emu.url, 'src', objectsNamed(names));
    emu.log.clear();
    const listed = await listedNames(opts);
    const wanted = names.filter((n) => n.startsWith(opts.prefix ?? ''));
    expect(listed).toHaveLength(wanted.length);
    expect(byCodePoint(listed)).toEqual(byCodePoint(wanted));
    return listingRequests().length;
  }

  it('lists a bucket of one page in one request, probing no directory', async () => {
    expect(await listedOnce(EDGE_NAMES, { concurrency: 8, pageSize: 1000 })).toBe(1);
    expect(probes()).toHaveLength(0);
  });

  it('lists a few pages page after page, each request a full page', async () => {
    const names = Array.from({ length: 1000 }, (_, i) => `${((i * 2654435761) >>> 0).toString(16)}-${i}`);
    expect(await listedOnce(names, { concurrency: 8, pageSize: 100 })).toBe(10);
  });

  it('groups many small directories into ranges of several pages, estimated from the first page', async () => {
    // Vault's logical/<mount>/… with unicode and U+FFFF in directory names, and objects beside the directories.
    const dirs = Array.from(
      { length: 100 },
      (_, i) => `logical/${String(i).padStart(2, '0')}${i % 9 === 0 ? 'é\uffff' : ''}/`,
    );
    const names = [...dirs.flatMap((d, i) => Array.from({ length: 5 }, (_, j) => `${d}${(j * 7 + i).toString(36)}`))];
    names.push('logical/zz', 'logical/🔑', 'm', '\uffff/x');
    const requests = await listedOnce(names, { concurrency: 8, pageSize: 10 });
    // ⌈504/10⌉ = 51 pages, one probe of logical/, a request at most per range beyond them (about one per 5 pages).
    expect(probes()).toHaveLength(1);
    expect(requests).toBeLessThanOrEqual(51 + 1 + 10);
    expect(listingRequests().filter((r) => r.path.includes('startOffset=')).length).toBeGreaterThan(1);
  });

  it('probes a few large directories anew when the first page lies inside one, listing nothing twice', async () => {
    const names = [
      ...Array.from({ length: 5 }, (_, i) => `core/${i}`),
      ...Array.from({ length: 400 }, (_, i) => `logical/${i % 4}/${((i * 2654435761) >>> 0).toString(16)}`),
      ...Array.from({ length: 100 }, (_, i) => `sys/token/${i}`),
      'logical-after',
      'top',
      '\uffff',
      '🔑/k',
    ];
    await listedOnce(names, { concurrency: 8, pageSize: 20 });
    expect(probes().length).toBeGreaterThan(1);
    await listedOnce(names, { concurrency: 8, pageSize: 20, prefix: 'logical/' });
  });
});

/**
 * GCS may hand back a page with nothing on it and a nextPageToken: "Note that the next page may be empty"
 * (nextPageToken, https://cloud.google.com/storage/docs/json_api/v1/objects/list), and maxResults is only an
 * upper bound ("fewer total results may be returned than requested"). This store does so on the first page of
 * every listing, and cuts delimiter pages at `directoryPageSize` entries as GCS cuts them at maxResults.
 */
class EmptyFirstPages extends InMemoryObjectStore {
  constructor(private readonly directoryPageSize: number) {
    super();
  }

  emptyDirectoryPages = 0;

  override async *list(bucket: string, opts: ObjectListOptions = {}): AsyncIterable<ObjectInfo[]> {
    yield [];
    yield* super.list(bucket, opts);
  }

  override async listDirectory(bucket: string, opts: { prefix?: string; delimiter?: string }): Promise<DirectoryPage> {
    const full = await super.listDirectory(bucket, opts);
    if (this.emptyDirectoryPages++ === 0) return { objects: [], prefixes: [], truncated: true };
    const entries = [...full.objects.map((o) => o.name), ...full.prefixes].sort(compareNames);
    const kept = new Set(entries.slice(0, this.directoryPageSize));
    return {
      objects: full.objects.filter((o) => kept.has(o.name)),
      prefixes: full.prefixes.filter((p) => kept.has(p)),
      truncated: entries.length > kept.size,
    };
  }
}

describe('listing a bucket whose pages come back empty but not last', () => {
  async function listedFrom(store: InMemoryObjectStore, opts: { concurrency: number; pageSize: number }) {
    const names: string[] = [];
    for await (const page of listInParallel(store, 'src', opts)) names.push(...page.map((o) => o.name));
    return names;
  }

  async function bucketWith(store: InMemoryObjectStore, names: string[]) {
    await store.createBucket('src');
    for (const name of names) await store.write({ bucket: 'src', name }, Buffer.from(name));
  }

  const NAMES = [...EDGE_NAMES, ...Array.from({ length: 40 }, (_, i) => `flat-${i}`), 'b/1', 'b/2', 'c/d/e'];

  it('keeps listing when the first delimiter page is empty, listing every object exactly once', async () => {
    const store = new EmptyFirstPages(1000);
    await bucketWith(store, NAMES);
    for (const pageSize of [1, 3, 1000]) {
      store.emptyDirectoryPages = 0;
      const listed = await listedFrom(store, { concurrency: 4, pageSize });
      expect(byCodePoint(listed), `pageSize ${pageSize}`).toEqual(byCodePoint(NAMES));
    }
  });

  it('does not repeat the object a range starts at when its first page is empty', async () => {
    // Delimiter pages cut short: what follows the last object listed is a range starting at that object.
    const store = new EmptyFirstPages(5);
    await bucketWith(store, NAMES);
    for (const pageSize of [1, 4, 1000]) {
      store.emptyDirectoryPages = 1; // the directory page itself comes back with entries
      const listed = await listedFrom(store, { concurrency: 4, pageSize });
      expect(byCodePoint(listed), `pageSize ${pageSize}`).toEqual(byCodePoint(NAMES));
    }
  });

  it('lists a prefix, and a bucket in short delimiter pages, when the first delimiter page is empty', async () => {
    const store = new EmptyFirstPages(2);
    await bucketWith(store, NAMES);
    const listed = await listedFrom(store, { concurrency: 3, pageSize: 2 });
    expect(byCodePoint(listed)).toEqual(byCodePoint(NAMES));
    store.emptyDirectoryPages = 0;
    const names: string[] = [];
    for await (const page of listInParallel(store, 'src', { concurrency: 3, pageSize: 2, prefix: 'a/' }))
      names.push(...page.map((o) => o.name));
    expect(byCodePoint(names)).toEqual(byCodePoint(NAMES.filter((n) => n.startsWith('a/'))));
  });
});

describe('split points', () => {
  it('fall strictly between their bounds in code point order, never a lone surrogate', () => {
    const samples = ['', 'a', 'a/', 'a0', 'b', 'z', '~', '\u007f', '\uffff', '\ue000', '\ud7ff', '🔑', '\u{10ffff}'];
    const strings = samples.flatMap((x) => samples.map((y) => x + y));
    for (const low of strings)
      for (const high of [...strings, undefined]) {
        if (high !== undefined && compareNames(low, high) >= 0) continue;
        const at = splitPoint(low, high);
        if (at === undefined) continue;
        expect(compareNames(low, at), `${JSON.stringify(low)} < ${JSON.stringify(at)}`).toBeLessThan(0);
        if (high !== undefined) expect(compareNames(at, high)).toBeLessThan(0);
        expect(() => encodeURIComponent(at)).not.toThrow();
      }
  });

  it('a prefix ends just past its last possible name', () => {
    expect(prefixEnd('a/')).toBe('a0');
    expect(prefixEnd('a\uffff')).toBe('a\u{10000}');
    expect(prefixEnd('a\ud7ff')).toBe('a\ue000');
    expect(prefixEnd('a\u{10ffff}')).toBe('b');
    expect(prefixEnd('')).toBeUndefined();
  });
});
