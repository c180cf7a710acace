import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { listTransferOperations, plainTransferOperation } from '@gwctl/emulators/testing';
import { listBackups } from '../../src/lib/backup/catalog.js';
import { createBackup } from '../../src/lib/backup/create.js';
import { type BackupLocation } from '../../src/lib/backup/layout.js';
import { loadManifest } from '../../src/lib/backup/catalog.js';
import { applyRestore } from '../../src/lib/backup/restore.js';
import { planBackupRestore } from '../../src/lib/backup/restore-plan.js';
import { stagingPrefix } from '../../src/lib/backup/staging.js';
import { stageForRestore, stsEngine, TransferFailedError, type StsDeps } from '../../src/lib/backup/sts-engine.js';
import { verifyBackup } from '../../src/lib/backup/verify.js';
import { startStsFixture, type StsFixture } from './sts-harness.js';
import { type TransferJobs } from '../../src/lib/cloud/storage-transfer.js';
import { AWKWARD_NAMES, BACKUPS, listAll, seed, snapshot, VAULT, type Seeded } from './harness.js';

// The real @google-cloud/storage-transfer client (gRPC) → the STS emulator → the GCS emulator, and gwctl's own GCS
// client. STS behaviours the engine relies on, each from google/storagetransfer/v1/transfer{,_types}.proto or
// https://cloud.google.com/storage-transfer/docs: a job without a schedule runs only on RunTransferJob; a job name given
// on create is kept, and a second create of it answers ALREADY_EXISTS; the manifest's names are relative to the source
// path and land under the sink path; a finished operation's errorBreakdowns list what failed.

let f: StsFixture;
let t: StsFixture['t'];
let loc: BackupLocation;
let store: StsFixture['store'];
let jobs: TransferJobs;

const objects: Seeded[] = [
  ...AWKWARD_NAMES,
  'doe,john.txt',
  'she said "hi".json',
  'a,"b",c',
  'logical/shared-content-1',
  'logical/shared-content-2',
].map((name, i) => ({
  name,
  data: Buffer.from(name.startsWith('logical/shared') ? 'same bytes' : `secret ${i}`),
  contentType: i % 2 ? 'application/json' : 'application/octet-stream',
  metadata: { n: String(i) },
}));

const deps = (over: Partial<StsDeps> = {}) => f.deps(over);
const backUp = (over: Partial<StsDeps> = {}) =>
  createBackup({ store }, { location: loc, concurrency: 8, quiesced: false, engine: stsEngine(deps(over), loc) });
const stsCalls = (method: string) =>
  t.log.list({ service: 'storagetransfer' }).filter((r) => r.path.endsWith(`/${method}`) && !r.fault);

beforeAll(async () => {
  f = await startStsFixture();
  ({ t, loc, store, jobs } = f);
  await seed(t.storage, VAULT, objects);
});
afterAll(() => f?.close());

describe('backup create --engine sts (Storage Transfer Service)', () => {
  let first: Awaited<ReturnType<typeof backUp>>;
  beforeEach(() => t.log.clear());
  afterEach(() => t.sts.clearObjectFaults());

  it('reads the service agent with GetGoogleServiceAccount', async () => {
    expect(await jobs.serviceAccount()).toMatch(/@storage-transfer-service\.iam\.gserviceaccount\.com$/);
  });

  it('transfers the new content with one job, moves it into blobs and seals a manifest that verify accepts', async () => {
    first = await backUp();
    expect(first.engine).toEqual({ name: 'sts', job: `transferJobs/gwctl-backup-${first.id}` });
    expect(first.objects).toBe(objects.length);
    // Two objects share their content: it is transferred and stored once.
    expect(first.blobs.copied).toBe(objects.length - 1);
    expect(stsCalls('CreateTransferJob')).toHaveLength(1);
    expect(stsCalls('RunTransferJob')).toHaveLength(1);
    // The transfer manifest went up as a resumable upload of chunks (never one string of every name), write-once.
    const upload = t.log.list({}).find((r) => r.method === 'POST' && r.path.includes('uploadType=resumable'));
    expect(decodeURIComponent(upload?.path ?? '')).toMatch(/staging\/[^/]+\.csv/);
    expect(upload?.path).toMatch(/ifGenerationMatch=0/);
    // Nothing is left staged: every staged copy was moved, the transfer manifest deleted.
    expect(await listAll(store, BACKUPS, stagingPrefix(loc))).toEqual([]);
    const [summary] = await listBackups(store, loc);
    expect(summary!.id).toBe(first.id);
    const report = await verifyBackup({ store }, loc, summary!, { deep: true, concurrency: 8 });
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
  });

  it('an unchanged bucket transfers nothing: no job at all', async () => {
    const again = await backUp();
    expect(again.engine).toEqual({ name: 'sts' });
    expect(again.blobs.copied).toBe(0);
    expect(stsCalls('CreateTransferJob')).toEqual([]);
    expect(stsCalls('RunTransferJob')).toEqual([]);
  });

  it('restore --engine sts stages the blobs in the target bucket, renames them and leaves every object identical', async () => {
    const summary = (await listBackups(store, loc)).find((b) => b.id === first.id)!;
    const target = 'relaycorp-gateway-test-vault-restored';
    const plan = await planBackupRestore(store, summary, target, { inPlace: false, deleteExtra: false });
    const result = await applyRestore({ store }, loc, plan, {
      concurrency: 8,
      stage: (copies) => stageForRestore(deps(), loc, summary.id, target, copies),
    });
    expect(result.restored).toBe(objects.length);
    expect(result.job).toMatch(/^transferJobs\/gwctl-restore-/);
    const [before, after] = await Promise.all([snapshot(t.storage, VAULT), snapshot(t.storage, target)]);
    // Identical objects: names, bytes, content types and metadata; nothing staged is left behind.
    expect([...after.keys()].sort()).toEqual([...before.keys()].sort());
    for (const [name, o] of before) expect(after.get(name), name).toEqual(o);
    const [files] = await t.storage.bucket(target).getFiles();
    const [originals] = await t.storage.bucket(VAULT).getFiles();
    const hashes = (fs: typeof files) =>
      Object.fromEntries(fs.map((f) => [f.name, `${f.metadata.crc32c}/${f.metadata.md5Hash}`]));
    expect(hashes(files)).toEqual(hashes(originals));
    await plan.work.remove();
  });

  it('retries CreateTransferJob and RunTransferJob answered UNAVAILABLE, and runs one job', async () => {
    await seed(t.storage, VAULT, [
      { name: 'new/after-first', data: Buffer.from('new'), contentType: 'text/plain', metadata: {} },
    ]);
    t.sts.faults.failNext('503', 'CreateTransferJob');
    t.sts.faults.failNext('503', 'RunTransferJob');
    const r = await backUp();
    expect(r.blobs.copied).toBe(1);
    expect(t.log.list({ service: 'storagetransfer' }).filter((x) => x.fault).length).toBeGreaterThanOrEqual(2);
    expect(stsCalls('RunTransferJob')).toHaveLength(1);
  });

  it('a job that ends FAILED fails the backup (no manifest) naming the role the agent lacks; the next run reuses what was staged', async () => {
    await seed(
      t.storage,
      VAULT,
      ['x/1', 'x/2', 'x/3'].map((name) => ({
        name,
        data: Buffer.from(`fresh ${name}`),
        contentType: 'text/plain',
        metadata: {},
      })),
    );
    const before = (await listBackups(store, loc)).length;
    t.sts.failObjects({ match: (name) => name === 'x/3', code: 'PERMISSION_DENIED' });
    const failed = await backUp().catch((err: unknown) => err);
    expect(failed).toBeInstanceOf(TransferFailedError);
    expect(String((failed as Error).message)).toMatch(/PERMISSION_DENIED/);
    expect(String((failed as Error).message)).toMatch(/needs roles\/storage\.objectViewer/);
    expect((await listBackups(store, loc)).length).toBe(before);
    const staged = await listAll(store, BACKUPS, stagingPrefix(loc));
    expect(staged.filter((o) => !o.name.endsWith('.csv')).length).toBe(2);

    t.sts.clearObjectFaults();
    t.log.clear();
    const notes: string[] = [];
    const r = await backUp({ note: (m) => notes.push(m) });
    expect(r.blobs.copied).toBe(3);
    expect(notes.join('\n')).toMatch(/2 object\(s\) staged by an earlier run are reused/);
    expect((await listBackups(store, loc)).length).toBe(before + 1);
    // Only x/3 was transferred again: the job's copies into the backup bucket are the GCS emulator's uploads.
    const summary = (await listBackups(store, loc))[0]!;
    expect((await verifyBackup({ store }, loc, summary, { deep: true, concurrency: 8 })).ok).toBe(true);
  });

  it('objects deleted between the listing and the job (Vault not quiesced) are left out, and the backup is committed', async () => {
    // https://cloud.google.com/storage-transfer/docs/manifest: "Files or objects that fail to transfer are listed in
    // the transfer logs": the job goes on without a manifest entry it cannot find and reports it in errorBreakdowns
    // (ErrorSummary, google/storagetransfer/v1/transfer_types.proto: a google.rpc.Code, its count and ≤ 5 samples whose
    // url names the object). Reproduced as it happens: the object is deleted after gwctl's listing, before the job.
    await seed(
      t.storage,
      VAULT,
      ['z/kept', 'z/deleted-1', 'z/deleted-2'].map((name) => ({
        name,
        data: Buffer.from(`soon ${name}`),
        contentType: 'text/plain',
        metadata: {},
      })),
    );
    const listed = await import('../../src/lib/backup/create.js').then((m) => m.listSource(store, loc));
    await t.storage.bucket(VAULT).file('z/deleted-1').delete();
    await t.storage.bucket(VAULT).file('z/deleted-2').delete();
    const notes: string[] = [];
    const r = await createBackup(
      { store },
      {
        location: loc,
        concurrency: 8,
        quiesced: false,
        source: listed,
        engine: stsEngine(deps({ note: (m) => notes.push(m) }), loc),
      },
    );
    // The operation itself ended FAILED with NOT_FOUND for exactly those two objects.
    const [op] = await listTransferOperations(t.client, { projectId: 'test', jobNames: [r.engine.job!] });
    const m = plainTransferOperation(op!.metadata);
    expect(m.status).toBe('FAILED');
    expect(m.errorBreakdowns.map((e) => [e.errorCode, Number(e.errorCount)])).toEqual([['NOT_FOUND', 2]]);
    expect(notes.join('\n')).toMatch(/2 object\(s\) deleted since the listing were not transferred \(NOT_FOUND\)/);
    expect(r.vanishedDuringBackup.sort()).toEqual(['z/deleted-1', 'z/deleted-2']);
    expect(r.blobs.copied).toBe(1);
    const summary = (await listBackups(store, loc))[0]!;
    expect(summary.id).toBe(r.id);
    const names = (await loadManifest(store, summary)).objects.map((e) => e.name);
    expect(names).toContain('z/kept');
    expect(names).not.toContain('z/deleted-1');
    // This run's staged copies and transfer manifest are gone (an earlier failed run's manifest waits for prune).
    const left = (await listAll(store, BACKUPS, stagingPrefix(loc))).map((o) => o.name);
    expect(left.filter((n) => n.includes(r.id))).toEqual([]);
    expect((await verifyBackup({ store }, loc, summary, { deep: true, concurrency: 8 })).ok).toBe(true);
  });

  it('a job whose failures are not all NOT_FOUND of source objects still fails the backup (no manifest)', async () => {
    await seed(t.storage, VAULT, [
      { name: 'w/gone', data: Buffer.from('gone'), contentType: 'text/plain', metadata: {} },
      { name: 'w/refused', data: Buffer.from('refused'), contentType: 'text/plain', metadata: {} },
    ]);
    const listed = await import('../../src/lib/backup/create.js').then((m) => m.listSource(store, loc));
    await t.storage.bucket(VAULT).file('w/gone').delete();
    t.sts.failObjects({ match: (name) => name === 'w/refused', code: 'PERMISSION_DENIED' });
    const before = (await listBackups(store, loc)).length;
    const failed = await createBackup(
      { store },
      { location: loc, concurrency: 8, quiesced: false, source: listed, engine: stsEngine(deps(), loc) },
    ).catch((err: unknown) => err);
    expect(failed).toBeInstanceOf(TransferFailedError);
    expect(String((failed as Error).message)).toMatch(
      /NOT_FOUND ×1.*PERMISSION_DENIED ×1|PERMISSION_DENIED ×1.*NOT_FOUND ×1/,
    );
    expect((await listBackups(store, loc)).length).toBe(before);
    t.sts.clearObjectFaults();
    // The next run, from a fresh listing, finishes it.
    expect((await backUp()).blobs.copied).toBe(1);
  });

  it('an object changed between the listing and the transfer is backed up as it is now', async () => {
    await seed(t.storage, VAULT, [
      { name: 'y/changing', data: Buffer.from('v1'), contentType: 'text/plain', metadata: {} },
    ]);
    const listed = await import('../../src/lib/backup/create.js').then((m) => m.listSource(store, loc));
    await seed(t.storage, VAULT, [
      { name: 'y/changing', data: Buffer.from('v2, longer'), contentType: 'text/plain', metadata: {} },
    ]);
    const r = await createBackup(
      { store },
      { location: loc, concurrency: 8, quiesced: false, source: listed, engine: stsEngine(deps(), loc) },
    );
    expect(r.changedDuringBackup).toEqual(['y/changing']);
    const manifest = await loadManifest(store, (await listBackups(store, loc))[0]!);
    const entry = manifest.objects.find((e) => e.name === 'y/changing')!;
    expect(entry.size).toBe('v2, longer'.length);
    expect(
      (await verifyBackup({ store }, loc, (await listBackups(store, loc))[0]!, { deep: true, concurrency: 8 })).ok,
    ).toBe(true);
  });

  it('content shared with an object deleted before the job is copied through another object that has it', async () => {
    // The job transfers v/a alone for the two (one blob a content); v/a is gone by then (NOT_FOUND), v/b still needs it.
    const same = (name: string) => ({ name, data: Buffer.from('shared, v'), contentType: 'text/plain', metadata: {} });
    await seed(t.storage, VAULT, [same('v/a'), same('v/b')]);
    const listed = await import('../../src/lib/backup/create.js').then((m) => m.listSource(store, loc));
    await t.storage.bucket(VAULT).file('v/a').delete();
    const r = await createBackup(
      { store },
      { location: loc, concurrency: 8, quiesced: false, source: listed, engine: stsEngine(deps(), loc) },
    );
    expect(r.vanishedDuringBackup).toEqual(['v/a']);
    expect(r.blobs.copied).toBe(1);
    const summary = (await listBackups(store, loc))[0]!;
    expect((await loadManifest(store, summary)).objects.map((e) => e.name)).toContain('v/b');
    expect((await verifyBackup({ store }, loc, summary, { deep: true, concurrency: 8 })).ok).toBe(true);
  });
});
