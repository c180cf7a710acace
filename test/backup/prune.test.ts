import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listBackups } from '../../src/lib/backup/catalog.js';
import { createBackup } from '../../src/lib/backup/create.js';
import { declareIntent } from '../../src/lib/backup/intents.js';
import { newBackupId } from '../../src/lib/backup/layout.js';
import { prune, selectForPrune } from '../../src/lib/backup/prune.js';
import { verifyBackup } from '../../src/lib/backup/verify.js';
import { listAll, seed, startFixture, VAULT, vaultLike, type Fixture } from './harness.js';

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
const blobs = async () => (await listAll(f.store, f.loc.backupBucket, `${f.loc.prefix}blobs/`)).length;
const pruneKeeping = async (keep: number) => {
  const selection = selectForPrune(await listBackups(f.store, f.loc), { keep }, new Date());
  return prune({ store: f.store }, f.loc, selection, { graceMs: GRACE, concurrency: 8 });
};

/** Two backups: the second after 10 objects were rewritten, so 10 blobs are the first backup's alone. */
async function twoBackups() {
  await seed(f.gcs, VAULT, vaultLike(30));
  await take();
  await seed(
    f.gcs,
    VAULT,
    vaultLike(10).map((o) => ({ ...o, data: Buffer.from(`rotated ${o.name}`) })),
  );
  await take();
}

describe('backup prune', () => {
  it('removes old backups, then the blobs only they held once past the grace period; the kept backup stays whole', async () => {
    await twoBackups();
    expect(await blobs()).toBe(40);
    f.emu.clock.advance(GRACE + HOUR);
    f.emu.log.clear();
    const r = await pruneKeeping(1);
    expect(r.removed).toHaveLength(1);
    expect(r.deferred).toBeUndefined();
    expect(r.blobs).toMatchObject({ deleted: 10, referenced: 30 });
    expect(await blobs()).toBe(30);
    // Blobs go in JSON API batches (10 blobs over 8 requests in flight: 5 batches of 2), never one request each.
    const blobDeletes = f.emu.log
      .list({ method: 'DELETE' })
      .filter((d) => decodeURIComponent(d.path).includes('/blobs/'));
    expect(blobDeletes).toHaveLength(10);
    expect(blobDeletes.every((d) => d.batch)).toBe(true);
    expect(f.emu.log.list({ method: 'POST' }).filter((d) => d.path === '/batch/storage/v1')).toHaveLength(5);
    const [kept] = await listBackups(f.store, f.loc);
    expect((await verifyBackup({ store: f.store }, f.loc, kept!, { deep: true, concurrency: 8 })).ok).toBe(true);
  });

  it('keeps unreferenced blobs younger than the grace period: a running backup may be about to reference them', async () => {
    await twoBackups();
    const r = await pruneKeeping(1);
    expect(r.removed).toHaveLength(1);
    expect(r.blobs).toMatchObject({ deleted: 0, young: 10 });
    expect(await blobs()).toBe(40);
  });

  it('collects no blob while a backup is running, since it may reuse old unreferenced blobs', async () => {
    await twoBackups();
    f.emu.clock.advance(GRACE + HOUR);
    const running = await declareIntent(f.store, f.loc, 'create', newBackupId(new Date()));
    const r = await pruneKeeping(1);
    expect(r.removed).toHaveLength(1);
    expect(r.deferred).toMatch(/is running/);
    expect(await blobs()).toBe(40);
    await running.release();
    expect((await pruneKeeping(1)).blobs.deleted).toBe(10);
  });

  it('ignores (and removes) the intent of a backup that died longer ago than the grace period', async () => {
    await twoBackups();
    await declareIntent(f.store, f.loc, 'create', newBackupId(new Date()));
    f.emu.clock.advance(GRACE + HOUR);
    const r = await pruneKeeping(1);
    expect(r.staleIntentsRemoved).toBe(1);
    expect(r.blobs.deleted).toBe(10);
    expect(await listAll(f.store, f.loc.backupBucket, `${f.loc.prefix}intents/`)).toEqual([]);
  });

  it('collects nothing while a manifest cannot be read: the blobs it needs are unknown', async () => {
    await twoBackups();
    f.emu.clock.advance(GRACE + HOUR);
    const [newest] = await listBackups(f.store, f.loc);
    f.emu.corruptObject(newest!.manifest.bucket, newest!.manifest.name);
    const r = await pruneKeeping(1);
    expect(r.deferred).toMatch(/cannot be read/);
    expect(await blobs()).toBe(40);
  });

  it('a backup started during a prune waits for it, then completes', async () => {
    await seed(f.gcs, VAULT, vaultLike(10));
    const pruning = await declareIntent(f.store, f.loc, 'prune', newBackupId(new Date()));
    const waits: string[] = [];
    const r = await createBackup(
      {
        store: f.store,
        warn: (m) => waits.push(m),
        sleep: async () => {
          await pruning.release();
        },
      },
      { location: f.loc, concurrency: 4, quiesced: false },
    );
    expect(waits.join()).toMatch(/waiting for prune/);
    expect(r.objects).toBe(10);
  });
});
