import { setTimeout as wait } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listBackups, loadManifest } from '../../src/lib/backup/catalog.js';
import { createBackup } from '../../src/lib/backup/create.js';
import { blobsPrefix } from '../../src/lib/backup/layout.js';
import { stagingPrefix } from '../../src/lib/backup/staging.js';
import { stsEngine, TransferFailedError, type StsDeps } from '../../src/lib/backup/sts-engine.js';
import { verifyBackup } from '../../src/lib/backup/verify.js';
import { BACKUPS, listAll, seedFast, VAULT, vaultLike } from './harness.js';
import { startStsFixture, type StsFixture } from './sts-harness.js';

// Thousands of staged objects, over several listing pages (objects.list answers at most 1,000 a page:
// https://cloud.google.com/storage/docs/json_api/v1/objects/list, maxResults), moved as the pages come: nothing
// is missed at page edges, and everything staged is deleted once moved. Through the real clients and the emulators.

/** Three listing pages, the last one not full. */
const N = 2_500;
/** Vault-like objects whose content is their own (vaultLike's content depends on the number only). */
const many = (prefix: string) =>
  vaultLike(N, prefix).map((o) => ({ ...o, data: Buffer.concat([Buffer.from(prefix), o.data]) }));

let f: StsFixture;

const deps = (over: Partial<StsDeps> = {}) =>
  // The operation is looked at every 100 ms at most: the run is short, its doubling waits would idle the test.
  f.deps({ sleep: (ms) => wait(Math.min(ms, 100)), ...over });
const backUp = (over: Partial<StsDeps> = {}) =>
  createBackup(
    { store: f.store },
    { location: f.loc, concurrency: 8, quiesced: false, engine: stsEngine(deps(over), f.loc) },
  );

beforeAll(async () => {
  f = await startStsFixture();
}, 60_000);
afterAll(() => f?.close());

describe('backup create --engine sts with thousands of staged objects', () => {
  it('moves every staged object into its blob, page by page, and leaves nothing staged', async () => {
    await seedFast(f.t.gcs.url, VAULT, many('first/'));
    const r = await backUp();
    expect(r.objects).toBe(N);
    expect(r.blobs.copied).toBe(N);
    expect(await listAll(f.store, BACKUPS, stagingPrefix(f.loc))).toEqual([]);
    expect((await listAll(f.store, BACKUPS, blobsPrefix(f.loc))).length).toBe(N);
    const summary = (await listBackups(f.store, f.loc))[0]!;
    expect((await loadManifest(f.store, summary)).objects).toHaveLength(N);
    expect((await verifyBackup({ store: f.store }, f.loc, summary, { deep: false, concurrency: 8 })).ok).toBe(true);
  }, 120_000);

  it('a re-run after a failed job moves what the failed one staged, nothing missing, and transfers only the rest', async () => {
    await seedFast(f.t.gcs.url, VAULT, many('second/'));
    f.t.sts.failObjects({ match: (name) => name === 'second/00007', code: 'PERMISSION_DENIED' });
    expect(await backUp().catch((err: unknown) => err)).toBeInstanceOf(TransferFailedError);
    const staged = (await listAll(f.store, BACKUPS, stagingPrefix(f.loc))).filter((o) => !o.name.endsWith('.csv'));
    expect(staged).toHaveLength(N - 1);
    f.t.sts.clearObjectFaults();

    const notes: string[] = [];
    const r = await backUp({ note: (m) => notes.push(m) });
    expect(notes.join('\n')).toMatch(new RegExp(`${N - 1} object\\(s\\) staged by an earlier run are reused`));
    expect(r.blobs.copied).toBe(N);
    // Every staged object was moved and deleted (the failed run's transfer manifest waits for prune).
    const left = await listAll(f.store, BACKUPS, stagingPrefix(f.loc));
    expect(left.map((o) => o.name).filter((n) => !n.endsWith('.csv'))).toEqual([]);
    expect((await listAll(f.store, BACKUPS, blobsPrefix(f.loc))).length).toBe(2 * N);
    const summary = (await listBackups(f.store, f.loc))[0]!;
    expect((await loadManifest(f.store, summary)).objects).toHaveLength(2 * N);
    expect((await verifyBackup({ store: f.store }, f.loc, summary, { deep: false, concurrency: 8 })).ok).toBe(true);
  }, 180_000);
});
