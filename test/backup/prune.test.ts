import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listBackups } from '../../src/lib/backup/catalog.js';
import { createBackup, type CopyEngine } from '../../src/lib/backup/create.js';
import { declareIntent } from '../../src/lib/backup/intents.js';
import { newBackupId } from '../../src/lib/backup/layout.js';
import { prune, selectForPrune } from '../../src/lib/backup/prune.js';
import { verifyBackup } from '../../src/lib/backup/verify.js';
import type { ObjectRef, ObjectStore } from '../../src/lib/cloud/object-store.js';
import { InMemoryObjectStore } from '../../src/lib/cloud/in-memory-object-store.js';
import type { BackupLocation } from '../../src/lib/backup/layout.js';
import {
  listAll,
  memoryFixture,
  seed,
  startFixture,
  VAULT,
  vaultLike,
  type Fixture,
  type MemoryFixture,
  type Seeded,
} from './harness.js';

const HOUR = 3_600_000;
const GRACE = 24 * HOUR;

const take = (store: ObjectStore, loc: BackupLocation) =>
  createBackup({ store }, { location: loc, concurrency: 8, quiesced: false });
const blobCount = async (store: ObjectStore, loc: BackupLocation) =>
  (await listAll(store, loc.backupBucket, `${loc.prefix}blobs/`)).length;
const pruneKeepingIn = async (store: ObjectStore, loc: BackupLocation, keep: number) => {
  const selection = selectForPrune(await listBackups(store, loc), { keep }, new Date());
  return prune({ store }, loc, selection, { graceMs: GRACE, concurrency: 8 });
};

/** Two backups: the second after 10 objects were rewritten, so 10 blobs are the first backup's alone. */
async function twoBackupsOf(seedVault: (objects: Seeded[]) => Promise<void>, store: ObjectStore, loc: BackupLocation) {
  await seedVault(vaultLike(30));
  await take(store, loc);
  await seedVault(vaultLike(10).map((o) => ({ ...o, data: Buffer.from(`rotated ${o.name}`) })));
  await take(store, loc);
}

// On the wire: how a prune talks to GCS (batches) and what it does when the service hands back damaged bytes.
describe('backup prune against the GCS emulator', () => {
  let f: Fixture;
  beforeEach(async () => {
    f = await startFixture();
  });
  afterEach(async () => {
    await f.close();
  });
  const blobs = () => blobCount(f.store, f.loc);
  const pruneKeeping = (keep: number) => pruneKeepingIn(f.store, f.loc, keep);
  const twoBackups = () => twoBackupsOf((objects) => seed(f.gcs, VAULT, objects), f.store, f.loc);

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

  it('collects no blob for a backup running longer than the grace period, whose intent is refreshed', async () => {
    // An overwrite is a new generation with its own timeCreated ("The creation time of the object",
    // https://cloud.google.com/storage/docs/json_api/v1/objects): the refreshed intent's age restarts.
    await twoBackups();
    const running = await declareIntent(f.store, f.loc, 'create', newBackupId(new Date()));
    f.emu.clock.advance(GRACE + HOUR);
    expect(await running.refresh()).toBe(true);
    const r = await pruneKeeping(1);
    expect(r).toMatchObject({ staleIntentsRemoved: 0, blobs: { deleted: 0 } });
    expect(r.deferred).toMatch(/is running/);
    expect(await blobs()).toBe(40);
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
});

// The prune's decisions (grace period, intents, waits) over the in-memory object store: no HTTP needed.
describe('backup prune', () => {
  let m: MemoryFixture;
  beforeEach(async () => {
    m = await memoryFixture();
  });
  const blobsInMemory = () => blobCount(m.store, m.loc);
  const pruneKeepingInMemory = (keep: number) => pruneKeepingIn(m.store, m.loc, keep);
  const twoBackupsInMemory = () => twoBackupsOf(m.seed, m.store, m.loc);

  it('keeps unreferenced blobs younger than the grace period: a running backup may be about to reference them', async () => {
    await twoBackupsInMemory();
    const r = await pruneKeepingInMemory(1);
    expect(r.removed).toHaveLength(1);
    expect(r.blobs).toMatchObject({ deleted: 0, young: 10 });
    expect(await blobsInMemory()).toBe(40);
  });

  it('collects no blob while a backup is running, since it may reuse old unreferenced blobs', async () => {
    await twoBackupsInMemory();
    m.advance(GRACE + HOUR);
    const running = await declareIntent(m.store, m.loc, 'create', newBackupId(new Date()));
    const r = await pruneKeepingInMemory(1);
    expect(r.removed).toHaveLength(1);
    expect(r.deferred).toMatch(/is running/);
    expect(await blobsInMemory()).toBe(40);
    await running.release();
    expect((await pruneKeepingInMemory(1)).blobs.deleted).toBe(10);
  });

  it('ignores (and removes) the intent of a backup that died longer ago than the grace period', async () => {
    await twoBackupsInMemory();
    await declareIntent(m.store, m.loc, 'create', newBackupId(new Date()));
    m.advance(GRACE + HOUR);
    const r = await pruneKeepingInMemory(1);
    expect(r.staleIntentsRemoved).toBe(1);
    expect(r.blobs.deleted).toBe(10);
    expect(await listAll(m.store, m.loc.backupBucket, `${m.loc.prefix}intents/`)).toEqual([]);
  });

  it('collects no blob for a backup running longer than the grace period, whose intent is refreshed', async () => {
    await twoBackupsInMemory();
    const running = await declareIntent(m.store, m.loc, 'create', newBackupId(new Date()));
    m.advance(GRACE + HOUR);
    expect(await running.refresh()).toBe(true);
    const r = await pruneKeepingInMemory(1);
    expect(r.deferred).toMatch(/is running/);
    expect(r.staleIntentsRemoved).toBe(0);
    expect(await blobsInMemory()).toBe(40);
  });

  it('collects no blob when a backup refreshes its intent between the prune listing it as stale and removing it', async () => {
    await twoBackupsInMemory();
    const running = await declareIntent(m.store, m.loc, 'create', newBackupId(new Date()));
    m.advance(GRACE + HOUR);
    const racing = Object.assign(Object.create(m.store) as InMemoryObjectStore, {
      delete: async (ref: ObjectRef, opts?: { ifGenerationMatch?: string }) => {
        if (ref.name === running.name) await running.refresh();
        return m.store.delete(ref, opts);
      },
    });
    const selection = selectForPrune(await listBackups(m.store, m.loc), { keep: 1 }, new Date());
    const r = await prune({ store: racing }, m.loc, selection, { graceMs: GRACE, concurrency: 8 });
    expect(r.deferred).toMatch(/is running/);
    expect(await blobsInMemory()).toBe(40);
  });

  it('a running backup rewrites its intent while it runs', async () => {
    await m.seed(vaultLike(3));
    const ages: string[] = [];
    const intentNow = async () => (await listAll(m.store, m.loc.backupBucket, `${m.loc.prefix}intents/`))[0]!.created;
    const slow: CopyEngine = {
      name: 'slow',
      async copy(run) {
        ages.push(await intentNow());
        m.advance(HOUR);
        // Real time, for the refresh timer to fire.
        await new Promise((resolve) => setTimeout(resolve, 60));
        ages.push(await intentNow());
        for (const n of run.copies) await run.alone(n);
        return {};
      },
    };
    await createBackup(
      { store: m.store, refreshMs: 10 },
      { location: m.loc, concurrency: 4, quiesced: false, engine: slow },
    );
    expect(Date.parse(ages[1]!) - Date.parse(ages[0]!)).toBe(HOUR);
  });

  it('a backup whose intent a prune removed (not refreshed for a grace period) lists the blobs again and copies what went', async () => {
    await m.seed(vaultLike(10));
    await take(m.store, m.loc);
    await m.seed([{ name: 'logical/new', data: Buffer.from('new'), contentType: 'text/plain', metadata: {} }]);
    const warnings: string[] = [];
    let pruned: Awaited<ReturnType<typeof prune>> | undefined;
    // An engine that runs past the grace period without its intent being refreshed, while a prune removes the
    // only other backup: the blobs this run reused, and the one it copied, are old and unreferenced, so they go.
    const stalled: CopyEngine = {
      name: 'stalled',
      async copy(run) {
        for (const n of run.copies) await run.alone(n);
        m.advance(GRACE + HOUR);
        const remove = await listBackups(m.store, m.loc);
        pruned = await prune({ store: m.store }, m.loc, { remove, keep: [] }, { graceMs: GRACE, concurrency: 8 });
        return {};
      },
    };
    const r = await createBackup(
      { store: m.store, warn: (w) => warnings.push(w) },
      { location: m.loc, concurrency: 4, quiesced: false, engine: stalled },
    );
    expect(pruned).toMatchObject({ staleIntentsRemoved: 1, blobs: { deleted: 11 } });
    expect(warnings.join()).toMatch(/removed by a prune/);
    expect(r.objects).toBe(11);
    expect(await blobsInMemory()).toBe(11);
    const [summary] = await listBackups(m.store, m.loc);
    expect((await verifyBackup({ store: m.store }, m.loc, summary!, { deep: true, concurrency: 4 })).ok).toBe(true);
    expect(await listAll(m.store, m.loc.backupBucket, `${m.loc.prefix}intents/`)).toEqual([]);
  });

  it('a backup started during a prune waits for it, then completes', async () => {
    await m.seed(vaultLike(10));
    const pruning = await declareIntent(m.store, m.loc, 'prune', newBackupId(new Date()));
    const waits: string[] = [];
    const r = await createBackup(
      {
        store: m.store,
        warn: (message) => waits.push(message),
        sleep: async () => {
          await pruning.release();
        },
      },
      { location: m.loc, concurrency: 4, quiesced: false },
    );
    expect(waits.join()).toMatch(/waiting for prune/);
    expect(r.objects).toBe(10);
  });
});
