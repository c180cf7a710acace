import { setTimeout as wait } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStorageTransferTarget, type StorageTransferTarget } from '@gwctl/emulators/testing';
import { listBackups, loadManifest } from '../../src/lib/backup/catalog.js';
import { createBackup } from '../../src/lib/backup/create.js';
import { backupLocation, blobsPrefix, type BackupLocation } from '../../src/lib/backup/layout.js';
import { stagingPrefix } from '../../src/lib/backup/staging.js';
import { stsEngine, TransferFailedError, type StsDeps } from '../../src/lib/backup/sts-engine.js';
import { verifyBackup } from '../../src/lib/backup/verify.js';
import { GcsObjectStore } from '../../src/lib/cloud/gcs-object-store.js';
import { openTransferJobs, type TransferJobs } from '../../src/lib/cloud/storage-transfer.js';
import { environmentSchema } from '../../src/lib/config/schema.js';
import { BACKUPS, listAll, seedFast, VAULT, vaultLike } from './harness.js';

// Thousands of staged objects, over several listing pages (objects.list answers at most 1,000 a page:
// https://cloud.google.com/storage/docs/json_api/v1/objects/list, maxResults), moved as the pages come: nothing
// is missed at page edges, and everything staged is deleted once moved. Through the real clients and the emulators.

/** Three listing pages, the last one not full. */
const N = 2_500;
/** Vault-like objects whose content is their own (vaultLike's content depends on the number only). */
const many = (prefix: string) =>
  vaultLike(N, prefix).map((o) => ({ ...o, data: Buffer.concat([Buffer.from(prefix), o.data]) }));

let t: StorageTransferTarget;
let loc: BackupLocation;
let store: GcsObjectStore;
let jobs: TransferJobs;

const deps = (over: Partial<StsDeps> = {}): StsDeps => ({
  store,
  jobs,
  agent: 'project-1@storage-transfer-service.iam.gserviceaccount.com',
  concurrency: 8,
  pollMs: 20,
  // The operation is looked at every 100 ms at most: the run is short, its doubling waits would idle the test.
  sleep: (ms) => wait(Math.min(ms, 100)),
  ...over,
});
const backUp = (over: Partial<StsDeps> = {}) =>
  createBackup({ store }, { location: loc, concurrency: 8, quiesced: false, engine: stsEngine(deps(over), loc) });

beforeAll(async () => {
  t = await startStorageTransferTarget({ project: 'test' });
  await t.storage.createBucket(VAULT);
  await t.storage.createBucket(BACKUPS);
  const parsed = environmentSchema.parse({
    project: 'test',
    buckets: { vault: VAULT, backups: BACKUPS },
    emulators: { storage: t.gcs.url, storagetransfer: t.address },
  });
  const env = { ...parsed, name: 'test', source: 'test fixture' };
  loc = backupLocation(env);
  store = new GcsObjectStore(env, { retry: { baseDelayMs: 20, maxDelayMs: 200, attempts: 8 } });
  jobs = await openTransferJobs(env);
}, 60_000);
afterAll(async () => {
  await jobs?.close();
  await t?.close();
});

describe('backup create --engine sts with thousands of staged objects', () => {
  it('moves every staged object into its blob, page by page, and leaves nothing staged', async () => {
    await seedFast(t.gcs.url, VAULT, many('first/'));
    const r = await backUp();
    expect(r.objects).toBe(N);
    expect(r.blobs.copied).toBe(N);
    expect(await listAll(store, BACKUPS, stagingPrefix(loc))).toEqual([]);
    expect((await listAll(store, BACKUPS, blobsPrefix(loc))).length).toBe(N);
    const summary = (await listBackups(store, loc))[0]!;
    expect((await loadManifest(store, summary)).objects).toHaveLength(N);
    expect((await verifyBackup({ store }, loc, summary, { deep: false, concurrency: 8 })).ok).toBe(true);
  }, 120_000);

  it('a re-run after a failed job moves what the failed one staged, nothing missing, and transfers only the rest', async () => {
    await seedFast(t.gcs.url, VAULT, many('second/'));
    t.sts.failObjects({ match: (name) => name === 'second/00007', code: 'PERMISSION_DENIED' });
    expect(await backUp().catch((err: unknown) => err)).toBeInstanceOf(TransferFailedError);
    const staged = (await listAll(store, BACKUPS, stagingPrefix(loc))).filter((o) => !o.name.endsWith('.csv'));
    expect(staged).toHaveLength(N - 1);
    t.sts.clearObjectFaults();

    const notes: string[] = [];
    const r = await backUp({ note: (m) => notes.push(m) });
    expect(notes.join('\n')).toMatch(new RegExp(`${N - 1} object\\(s\\) staged by an earlier run are reused`));
    expect(r.blobs.copied).toBe(N);
    // Every staged object was moved and deleted (the failed run's transfer manifest waits for prune).
    const left = await listAll(store, BACKUPS, stagingPrefix(loc));
    expect(left.map((o) => o.name).filter((n) => !n.endsWith('.csv'))).toEqual([]);
    expect((await listAll(store, BACKUPS, blobsPrefix(loc))).length).toBe(2 * N);
    const summary = (await listBackups(store, loc))[0]!;
    expect((await loadManifest(store, summary)).objects).toHaveLength(2 * N);
    expect((await verifyBackup({ store }, loc, summary, { deep: false, concurrency: 8 })).ok).toBe(true);
  }, 180_000);
});
