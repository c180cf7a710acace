import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listBackups } from '../../src/lib/backup/catalog.js';
import { createBackup } from '../../src/lib/backup/create.js';
import { manifestPartName } from '../../src/lib/backup/layout.js';
import { ManifestError, PART_ENTRIES } from '../../src/lib/backup/manifest.js';
import { applyRestore } from '../../src/lib/backup/restore.js';
import { planBackupRestore } from '../../src/lib/backup/restore-plan.js';
import { compareNames } from '../../src/lib/cloud/name-order.js';
import { listInOrder } from '../../src/lib/cloud/ordered-listing.js';
import { AWKWARD_NAMES, startFixture, VAULT, type Fixture } from './harness.js';
import { hostPrefix } from '../../src/lib/backup/restore-spill.js';

let f: Fixture;
beforeEach(async () => {
  f = await startFixture();
});
afterEach(async () => {
  await f.close();
});

const put = (name: string, text: string) =>
  f.gcs
    .bucket(VAULT)
    .file(name)
    .save(text, { resumable: false, metadata: { contentType: 'text/plain' } });
const read = async (name: string) => (await f.gcs.bucket(VAULT).file(name).download())[0].toString();
const take = () => createBackup({ store: f.store }, { location: f.loc, concurrency: 8, quiesced: false });
const spills = () => readdirSync(tmpdir()).filter((n) => n.startsWith(`${hostPrefix()}${process.pid}-`));

/** A bucket backed up, then damaged: `b` overwritten, `d` deleted, `zz` added; `a`, `c` and `e` as backed up. */
async function damagedAfterBackup() {
  for (const n of ['a', 'b', 'c', 'd', 'e']) await put(n, `backed up ${n}`);
  await take();
  await put('b', 'damage');
  await f.gcs.bucket(VAULT).file('d').delete();
  await put('zz', 'not in the backup');
  return (await listBackups(f.store, f.loc))[0]!;
}

describe('restore applies what its plan decided, not a fresh decision', () => {
  it('a writer between plan and apply is not clobbered: an object planned unchanged or to delete keeps its new content', async () => {
    const backup = await damagedAfterBackup();
    const plan = await planBackupRestore(f.store, backup, VAULT, { inPlace: true, deleteExtra: true });
    expect(plan).toMatchObject({
      unchanged: 3,
      create: { objects: 1, sample: ['d'] },
      overwrite: { objects: 1 },
      deleteExtra: { objects: 1 },
    });
    // Another writer, after the plan was shown and approved.
    await put('c', 'written after the plan');
    await put('zz', 'rewritten after the plan');

    const warnings: string[] = [];
    const r = await applyRestore({ store: f.store, warn: (m) => warnings.push(m) }, f.loc, plan, { concurrency: 4 });
    await plan.work.remove();
    expect(r).toMatchObject({ restored: 2, deleted: 0, skippedDeletes: 1, skippedDeletesSample: ['zz'] });
    expect(warnings.join('\n')).toMatch(/rewritten during the restore/);
    expect(await read('b')).toBe('backed up b');
    expect(await read('d')).toBe('backed up d');
    expect(await read('c')).toBe('written after the plan');
    expect(await read('zz')).toBe('rewritten after the plan');
    expect(spills()).toEqual([]);
  });

  it('an extra object someone else deleted between plan and apply is counted as gone already, not as deleted by gwctl', async () => {
    const backup = await damagedAfterBackup();
    const plan = await planBackupRestore(f.store, backup, VAULT, { inPlace: true, deleteExtra: true });
    expect(plan.deleteExtra.sample.map((o) => o.name)).toEqual(['zz']);
    // objects.delete of a missing object answers 404 (https://cloud.google.com/storage/docs/json_api/v1/status-codes).
    await f.gcs.bucket(VAULT).file('zz').delete();
    const r = await applyRestore({ store: f.store }, f.loc, plan, { concurrency: 4 });
    await plan.work.remove();
    expect(r).toMatchObject({ restored: 2, deleted: 0, alreadyGone: 1, skippedDeletes: 0 });
  });

  it('an object planned for overwrite that changed again meanwhile stops the restore, its new content kept', async () => {
    const backup = await damagedAfterBackup();
    const plan = await planBackupRestore(f.store, backup, VAULT, { inPlace: true, deleteExtra: false });
    await put('b', 'written after the plan');
    const err = await applyRestore({ store: f.store }, f.loc, plan, { concurrency: 1, batchSize: 1 }).catch(
      (e: unknown) => e,
    );
    await plan.work.remove();
    expect((err as Error).message).toMatch(
      /gs:\/\/relaycorp-gateway-test-vault\/b changed while it was being restored/,
    );
    expect(await read('b')).toBe('written after the plan');
  });
});

describe('a backup whose manifest has a corrupted part', () => {
  it('is refused by restore while planning: nothing is written, no spill is left', { timeout: 60_000 }, async () => {
    f.emu.putObjects(
      VAULT,
      Array.from({ length: PART_ENTRIES + 10 }, (_, i) => ({
        name: `logical/${String(i).padStart(6, '0')}`,
        data: Buffer.from(`entry ${i}`),
      })),
    );
    const backup = await take();
    // The second part: the first has been merged and spilled by the time it is read.
    f.emu.corruptObject(f.loc.backupBucket, manifestPartName(f.loc, backup.id, 1));
    f.emu.log.clear();
    const summary = (await listBackups(f.store, f.loc))[0]!;
    const err = await planBackupRestore(f.store, summary, 'restored-vault', {
      inPlace: false,
      deleteExtra: false,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ManifestError);
    expect((err as Error).message).toMatch(/part-00001\.jsonl: checksum mismatch/);
    expect(f.emu.log.mutating()).toEqual([]);
    expect(await f.store.bucketExists('restored-vault')).toBe(false);
    expect(spills()).toEqual([]);
  });
});

describe('the target listed in name order over ranges, over the wire', () => {
  it('gives every object once, in code point order, with unicode, \\uffff and astral names at range edges', async () => {
    // startOffset/endOffset "filter results to objects whose names are lexicographically equal to or after/before"
    // them (https://cloud.google.com/storage/docs/json_api/v1/objects/list).
    const names = [
      ...AWKWARD_NAMES,
      'a\uffff',
      'a\ue000',
      'a🔑',
      'a🔑b',
      'b',
      'z\uffff\uffff',
      ...Array.from({ length: 40 }, (_, i) => `n/${i}`),
    ];
    for (const n of names) await put(n, n);
    const sorted = [...names].sort(compareNames);
    const bounds = ['a\ue000', 'a🔑', 'n/2', 'zz'];
    const listed: string[] = [];
    for await (const page of listInOrder(f.store, VAULT, { bounds, concurrency: 3, pageSize: 7 }))
      listed.push(...page.map((o) => o.name));
    expect(listed).toEqual(sorted);
  });
});
