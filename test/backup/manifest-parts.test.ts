import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listBackups, loadManifest } from '../../src/lib/backup/catalog.js';
import { createBackup } from '../../src/lib/backup/create.js';
import { manifestName, manifestPartName, manifestsPrefix } from '../../src/lib/backup/layout.js';
import { ManifestError, PART_ENTRIES } from '../../src/lib/backup/manifest.js';
import { prune, selectForPrune } from '../../src/lib/backup/prune.js';
import { verifyBackup } from '../../src/lib/backup/verify.js';
import { listAll, startFixture, VAULT, type Fixture } from './harness.js';

const HOUR = 3_600_000;
const GRACE = 24 * HOUR;

let f: Fixture;
beforeEach(async () => {
  f = await startFixture();
});
afterEach(async () => {
  await f.close();
});

const take = () => createBackup({ store: f.store }, { location: f.loc, concurrency: 8, quiesced: false });
const partsOf = async (id: string) =>
  (await listAll(f.store, f.loc.backupBucket, `${manifestsPrefix(f.loc)}${id}/`)).map((o) => o.name);

/** Enough objects for three parts, written straight into the emulator. */
function seedParts(n = 2 * PART_ENTRIES + 7) {
  f.emu.putObjects(
    VAULT,
    Array.from({ length: n }, (_, i) => ({
      name: `logical/${i % 3}/${String(i).padStart(6, '0')}`,
      data: Buffer.from(`entry ${i}`),
      metadata: { n: String(i) },
    })),
  );
  return n;
}

describe('a manifest written in parts', () => {
  it(
    'lists its parts, in order, written before it; loading it gives every entry back',
    { timeout: 60_000 },
    async () => {
      const n = seedParts();
      const backup = await take();
      expect(await partsOf(backup.id)).toEqual([0, 1, 2].map((i) => manifestPartName(f.loc, backup.id, i)));
      const writes = f.emu.log
        .mutating()
        .map((r) => decodeURIComponent(r.path))
        .filter((p) => p.includes('/manifests/'));
      // The manifest, which commits the backup, comes last.
      expect(writes.at(-1)).toContain(manifestName(f.loc, backup.id).split('/').at(-1));
      const manifest = await loadManifest(f.store, (await listBackups(f.store, f.loc))[0]!);
      expect(manifest.objects).toHaveLength(n);
      expect(
        (
          await verifyBackup({ store: f.store }, f.loc, (await listBackups(f.store, f.loc))[0]!, {
            deep: false,
            concurrency: 8,
          })
        ).ok,
      ).toBe(true);
    },
  );

  it('a backup killed after writing parts but before its manifest is never listed, and prune collects its parts', async () => {
    // What a run killed between its parts and its manifest leaves (an upload is atomic: a part is whole or absent).
    const n = seedParts(PART_ENTRIES + 1);
    const done = await take();
    await f.store.delete({ bucket: f.loc.backupBucket, name: manifestName(f.loc, done.id) });
    // And a part some other writer left half-written under an id no manifest has.
    const stray = manifestPartName(f.loc, '20250101T000000Z-0badc0', 0);
    await f.store.write({ bucket: f.loc.backupBucket, name: stray }, Buffer.from('{"name":"logical/0/0000'));
    expect(await listBackups(f.store, f.loc)).toEqual([]);

    const again = await take();
    expect(again.objects).toBe(n);
    expect(again.blobs.copied).toBe(0);
    const backups = await listBackups(f.store, f.loc);
    expect(backups.map((b) => b.id)).toEqual([again.id]);
    expect((await verifyBackup({ store: f.store }, f.loc, backups[0]!, { deep: false, concurrency: 8 })).ok).toBe(true);

    // Orphaned parts go once past the grace period; the committed backup's stay.
    f.emu.clock.advance(GRACE + HOUR);
    const r = await prune({ store: f.store }, f.loc, selectForPrune(backups, { keep: 1 }, new Date()), {
      graceMs: GRACE,
      concurrency: 8,
    });
    expect(r.deferred).toBeUndefined();
    expect(r.partsDeleted).toBe(3);
    expect(await partsOf(done.id)).toEqual([]);
    expect(await partsOf('20250101T000000Z-0badc0')).toEqual([]);
    expect(await partsOf(again.id)).toHaveLength(2);
  });

  it('a corrupted or missing part fails verify, and restore refuses the backup before writing', async () => {
    seedParts(PART_ENTRIES + 1);
    const backup = await take();
    const [summary] = await listBackups(f.store, f.loc);
    f.emu.corruptObject(f.loc.backupBucket, manifestPartName(f.loc, backup.id, 1));
    const report = await verifyBackup({ store: f.store }, f.loc, summary!, { deep: false, concurrency: 8 });
    expect(report.ok).toBe(false);
    expect(report.problems).toEqual([
      expect.objectContaining({
        kind: 'manifest',
        detail: expect.stringMatching(/part-00001\.jsonl: checksum mismatch/),
      }),
    ]);
    // Restore reads the whole manifest before planning anything: it stops here, having written nothing.
    await expect(loadManifest(f.store, summary!)).rejects.toThrow(ManifestError);

    await f.store.delete({ bucket: f.loc.backupBucket, name: manifestPartName(f.loc, backup.id, 0) });
    await expect(loadManifest(f.store, summary!)).rejects.toThrow(/part-00000\.jsonl is missing/);
    // Prune cannot know which blobs the backup needs: it collects none.
    f.emu.clock.advance(GRACE + HOUR);
    const r = await prune(
      { store: f.store },
      f.loc,
      { keep: [summary!], remove: [] },
      {
        graceMs: GRACE,
        concurrency: 8,
      },
    );
    expect(r.deferred).toMatch(/cannot be read/);
  });
});
