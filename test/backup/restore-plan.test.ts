import { execFileSync } from 'node:child_process';
import {
  mkdirSync,
  readdirSync,
  readlinkSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { targetsDigest } from '../../src/lib/audit/targets.js';
import { contentHashes } from '../../src/lib/backup/hashes.js';
import { blobKey } from '../../src/lib/backup/layout.js';
import { manifestEntry, type ManifestEntry } from '../../src/lib/backup/manifest.js';
import { matchesEntry, planRestore, SAMPLE, type RestorePlanValue } from '../../src/lib/backup/restore-plan.js';
import { ABANDONED_AFTER_MS, hostPrefix } from '../../src/lib/backup/restore-spill.js';
import { compareNames } from '../../src/lib/cloud/name-order.js';
import type { ObjectInfo } from '../../src/lib/cloud/object-store.js';
import { listInOrder } from '../../src/lib/cloud/ordered-listing.js';
import { RuntimeError } from '../../src/lib/errors/gwctl-error.js';
import { tempDir } from '../helpers/cli.js';
import { memoryFixture, VAULT } from './harness.js';

// Names whose order differs between UTF-16 code units (JavaScript's `<`) and code points (GCS's order):
// '\uffff' and '\ue000' sort before an astral '🔑' by code units, after it by code points.
const ALPHABET = ['a', 'b', '/', 'é', 'ключ', '\ue000', '\uffff', '🔑', '\u{10000}', ' '];

/** A deterministic generator (xorshift), so a failing tree can be replayed from its seed. */
function random(seed: number) {
  let x = seed || 1;
  const next = () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
  return { next, int: (n: number) => Math.floor(next() * n), pick: <T>(a: T[]) => a[Math.floor(next() * a.length)]! };
}

function info(name: string, content: string, extra: Partial<ObjectInfo> = {}): ObjectInfo {
  const h = contentHashes(Buffer.from(content));
  return {
    bucket: VAULT,
    name,
    generation: '1',
    size: Buffer.byteLength(content),
    md5: h.md5,
    crc32c: h.crc32c,
    created: '',
    updated: '',
    contentType: 'text/plain',
    metadata: { k: 'v' },
    ...extra,
  };
}

/** A backed-up tree and the target as it is now: some objects as backed up, some changed or gone, some new. */
function randomTrees(seed: number) {
  const r = random(seed);
  const names = new Set<string>();
  while (names.size < 60 + r.int(120)) names.add(Array.from({ length: 1 + r.int(4) }, () => r.pick(ALPHABET)).join(''));
  const sorted = [...names].sort(compareNames);
  const entries = sorted.map((name, i) => manifestEntry(info(name, `v${i}`), blobKey(info(name, `v${i}`))));
  const target: ObjectInfo[] = [];
  let generation = 100;
  for (const [i, name] of sorted.entries()) {
    const fate = r.int(5);
    const g = String(generation++);
    if (fate === 0) continue; // gone
    if (fate === 1) target.push(info(name, `changed ${i}`, { generation: g }));
    else if (fate === 2) target.push(info(name, `v${i}`, { generation: g, metadata: { k: 'other' } }));
    else target.push(info(name, `v${i}`, { generation: g }));
  }
  for (let i = 0; i < 20; i++) {
    const name = `${r.pick(ALPHABET)}${r.pick(ALPHABET)}${r.pick(ALPHABET)}${r.pick(ALPHABET)}${r.pick(ALPHABET)}x`;
    if (!names.has(name) && !target.some((o) => o.name === name))
      target.push(info(name, `extra ${i}`, { generation: String(generation++) }));
  }
  target.sort((a, b) => compareNames(a.name, b.name));
  return { r, entries, target };
}

/** The decisions as restore made them before it streamed: a Map of the target, every entry held. */
function decidedWhole(entries: ManifestEntry[], target: ObjectInfo[], deleteExtra: boolean) {
  const current = new Map(target.map((o) => [o.name, o]));
  const wanted = new Set(entries.map((e) => e.name));
  const copies: [string, string][] = [];
  let unchanged = 0;
  for (const e of entries) {
    const there = current.get(e.name);
    if (!there) copies.push([e.name, '0']);
    else if (matchesEntry(e, there)) unchanged++;
    else copies.push([e.name, there.generation]);
  }
  const extra = target.filter((o) => !wanted.has(o.name)).map((o) => ({ name: o.name, generation: o.generation }));
  return { copies, unchanged, deletes: deleteExtra ? extra : [], keptExtra: deleteExtra ? 0 : extra.length };
}

/** Random cuts of a sorted list: manifest parts (never empty) or listing pages (which may be). */
function* cut<T>(items: T[], r: ReturnType<typeof random>, allowEmpty: boolean): Iterable<T[]> {
  let i = 0;
  while (i < items.length) {
    const n = r.int(12) + (allowEmpty ? 0 : 1);
    yield items.slice(i, i + n);
    i += n;
  }
}

const stream = async function* <T>(pages: Iterable<T[]>) {
  for (const p of pages) yield p;
};

async function decisions(p: RestorePlanValue) {
  const copies: [string, string][] = [];
  for await (const c of p.work.copies()) copies.push([c.entry.name, c.ifGenerationMatch]);
  const deletes = [];
  for await (const d of p.work.deletes()) deletes.push(d);
  return { copies, deletes };
}

let tmp: string;
let oldTmp: string | undefined;
beforeEach(() => {
  // Spill files go to the system's temporary directory: one of the test's own, to look into.
  oldTmp = process.env.TMPDIR;
  tmp = tempDir('gwctl-restore-plan-test-');
  process.env.TMPDIR = tmp;
});
afterEach(() => {
  if (oldTmp === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = oldTmp;
  rmSync(tmp, { recursive: true, force: true });
});

describe('a restore planned by merging the manifest with the target in name order', () => {
  it.each([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12])(
    'decides exactly what planning with everything held decided (random tree %i)',
    async (seed) => {
      const { r, entries, target } = randomTrees(seed);
      for (const deleteExtra of [false, true]) {
        const p = await planRestore(
          { manifest: { id: 'b', sourceBucket: VAULT, quiesced: true }, entries: stream(cut(entries, r, false)) },
          { bucket: 'restored', exists: true, objects: stream(cut(target, r, true)) },
          { inPlace: false, deleteExtra },
        );
        const whole = decidedWhole(entries, target, deleteExtra);
        const got = await decisions(p);
        expect(got.copies).toEqual(whole.copies);
        expect(got.deletes).toEqual(whole.deletes);
        expect(p.unchanged).toBe(whole.unchanged);
        expect(p.keptExtra).toBe(whole.keptExtra);
        const creates = whole.copies.filter(([, g]) => g === '0').map(([n]) => n);
        const overwrites = whole.copies.filter(([, g]) => g !== '0');
        expect(p.create.objects).toBe(creates.length);
        expect(p.create.sample).toEqual(creates.slice(0, SAMPLE));
        expect(p.overwrite.objects).toBe(overwrites.length);
        expect(p.overwrite.sample).toEqual(
          overwrites.slice(0, SAMPLE).map(([name, generation]) => ({ name, generation })),
        );
        expect(p.deleteExtra.objects).toBe(whole.deletes.length);
        const bytes = entries.filter((e) => whole.copies.some(([n]) => n === e.name)).reduce((n, e) => n + e.size, 0);
        expect(p.bytes).toBe(bytes);
        // The audit record's digest covers every object overwritten or deleted, as if the plan had listed them all.
        const all = [
          'gs://restored/',
          ...overwrites.map(([n]) => `gs://restored/${n}`),
          ...whole.deletes.map((d) => `gs://restored/${d.name}`),
        ];
        expect(p.targets.targetsOmitted ?? 0).toBe(Math.max(0, all.length - 100));
        if (all.length > 100) expect(p.targets.targetsDigest).toBe(targetsDigest(all));
        await p.work.remove();
      }
    },
  );

  it('keeps its decisions in a private spill directory (0700, files 0600), gone once removed', async () => {
    const { r, entries, target } = randomTrees(42);
    const p = await planRestore(
      { manifest: { id: 'b', sourceBucket: VAULT, quiesced: true }, entries: stream(cut(entries, r, false)) },
      { bucket: 'restored', exists: true, objects: stream(cut(target, r, true)) },
      { inPlace: false, deleteExtra: true },
    );
    expect(p.work.dir.startsWith(join(tmp, `${hostPrefix()}${process.pid}-`))).toBe(true);
    expect(statSync(p.work.dir).mode & 0o777).toBe(0o700);
    for (const file of readdirSync(p.work.dir)) expect(statSync(join(p.work.dir, file)).mode & 0o777).toBe(0o600);
    await p.work.remove();
    expect(readdirSync(tmp)).toEqual([]);
  });

  it('leaves no spill behind when the manifest fails midway, and removes those of restores that were killed', async () => {
    // A restore killed with -9 on this host left its directory, untouched for more than an hour; its process is gone.
    const dead = Number(execFileSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']));
    const killed = join(tmp, `${hostPrefix()}${dead}-abc123`);
    mkdirSync(killed);
    writeFileSync(join(killed, 'copies'), 'x');
    const old = new Date(Date.now() - ABANDONED_AFTER_MS - 60_000);
    utimesSync(join(killed, 'copies'), old, old);
    utimesSync(killed, old, old);
    const { r, entries, target } = randomTrees(7);
    const failing = async function* () {
      yield entries.slice(0, 10);
      throw new Error('manifest part 1 is damaged');
    };
    await expect(
      planRestore(
        { manifest: { id: 'b', sourceBucket: VAULT, quiesced: true }, entries: failing() },
        { bucket: 'restored', exists: true, objects: stream(cut(target, r, true)) },
        { inPlace: false, deleteExtra: false },
      ),
    ).rejects.toThrow(/damaged/);
    expect(readdirSync(tmp)).toEqual([]);
  });

  it("never sweeps another host's spill directory, a recent one, or a symlink: /tmp may be shared by containers", async () => {
    const dead = Number(execFileSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']));
    const old = new Date(Date.now() - ABANDONED_AFTER_MS - 60_000);
    // Another container's live restore: its pid means nothing in this pid namespace.
    const otherHost = join(tmp, `gwctl-restore-other-host-${dead}-abc123`);
    // This host's, but written to a minute ago (a restore in another pid namespace with the same hostname).
    const recent = join(tmp, `${hostPrefix()}${dead}-def456`);
    mkdirSync(otherHost);
    mkdirSync(recent);
    writeFileSync(join(recent, 'copies'), 'x');
    utimesSync(recent, old, old);
    // A symlink named like an abandoned spill directory, pointing at someone's data: never followed.
    const target = join(tmp, 'precious');
    mkdirSync(target);
    const link = join(tmp, `${hostPrefix()}${dead}-ghi789`);
    symlinkSync(target, link);
    for (const p of [otherHost, target]) utimesSync(p, old, old);
    const p = await planRestore(
      { manifest: { id: 'b', sourceBucket: VAULT, quiesced: true }, entries: stream([]) },
      { bucket: 'restored', exists: true, objects: stream([]) },
      { inPlace: false, deleteExtra: false },
    );
    await p.work.remove();
    expect(readdirSync(tmp).sort()).toEqual(
      [otherHost, recent, target, link].map((d) => d.slice(tmp.length + 1)).sort(),
    );
  });

  it('refuses a manifest whose parts are not in name order, naming the part, instead of planning a name as extra and created', async () => {
    // By UTF-16 code units (an old sort) 'x🔑' comes before 'x\uFFFF'; by code points (GCS's order) after.
    const entry = (name: string) => manifestEntry(info(name, 'v'), blobKey(info(name, 'v')));
    const p = planRestore(
      {
        manifest: { id: 'b', sourceBucket: VAULT, quiesced: true },
        entries: stream([[entry('a'), entry('x🔑')], [entry('x\uFFFF')]]),
        partNames: ['m/b.part-0001', 'm/b.part-0002'],
      },
      { bucket: 'restored', exists: true, objects: stream([[info('x\uFFFF', 'v'), info('x🔑', 'v')]]) },
      { inPlace: false, deleteExtra: true },
    );
    await expect(p).rejects.toThrow(
      /manifest of backup b is not in name order \(m\/b\.part-0002, at "x\uFFFF"\); nothing was restored/,
    );
    expect(readdirSync(tmp)).toEqual([]);
  });

  it('a reader that stops early (a failed restore) leaves no descriptor open on the spill files', async () => {
    const { r, entries, target } = randomTrees(5);
    const p = await planRestore(
      { manifest: { id: 'b', sourceBucket: VAULT, quiesced: true }, entries: stream(cut(entries, r, false)) },
      { bucket: 'restored', exists: true, objects: stream(cut(target, r, true)) },
      { inPlace: false, deleteExtra: false },
    );
    const open = () =>
      readdirSync('/proc/self/fd').filter((fd) => {
        try {
          return readlinkSync(`/proc/self/fd/${fd}`).startsWith(p.work.dir);
        } catch {
          return false;
        }
      });
    for await (const _ of p.work.copies()) break;
    for (let i = 0; i < 5 && open().length > 0; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(open()).toEqual([]);
    await p.work.remove();
  });

  it('refuses a target listing that is not in name order instead of deciding on it', async () => {
    const { entries } = randomTrees(3);
    const p = planRestore(
      { manifest: { id: 'b', sourceBucket: VAULT, quiesced: true }, entries: stream([entries]) },
      { bucket: 'restored', exists: true, objects: stream([[info('b', 'x')], [info('a', 'y')]]) },
      { inPlace: false, deleteExtra: false },
    );
    await expect(p).rejects.toThrow(/not in name order at a/);
  });
});

describe('a bucket listed in name order over ranges', () => {
  it('refuses bounds out of order with one line an operator can act on', async () => {
    const m = await memoryFixture();
    const listing = listInOrder(m.store, VAULT, { bounds: ['b', 'a'], concurrency: 2 });
    const err = await (async () => {
      for await (const _ of listing);
    })().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RuntimeError);
    expect((err as Error).message).toMatch(
      /^cannot list gs:\/\/.* in name order: .*\("a" after "b"\).*gwctl backup verify/,
    );
  });

  it.each([1, 2, 3, 4, 5])(
    'gives every object once, in code point order, whatever the bounds (random bucket %i)',
    async (seed) => {
      const r = random(seed);
      const m = await memoryFixture();
      const names = new Set<string>();
      while (names.size < 150) names.add(Array.from({ length: 1 + r.int(4) }, () => r.pick(ALPHABET)).join(''));
      for (const name of names) await m.store.write({ bucket: VAULT, name }, Buffer.from(name));
      // Bounds: some names that are there (a range starts at its bound), some that are not, sorted.
      const bounds = new Set<string>();
      for (let i = 0; i < 10; i++)
        bounds.add(r.next() < 0.5 ? r.pick([...names]) : `${r.pick(ALPHABET)}${r.pick(ALPHABET)}`);
      const listed: string[] = [];
      for await (const page of listInOrder(m.store, VAULT, {
        bounds: [...bounds].sort(compareNames),
        concurrency: 1 + r.int(4),
        pageSize: 1 + r.int(7),
      }))
        listed.push(...page.map((o) => o.name));
      expect(listed).toEqual([...names].sort(compareNames));
    },
  );
});
