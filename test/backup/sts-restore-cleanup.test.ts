import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  listTransferOperations,
  startStorageTransferTarget,
  type StorageTransferTarget,
} from '@gwctl/emulators/testing';
import { createBackup } from '../../src/lib/backup/create.js';
import { listBackups, loadManifest } from '../../src/lib/backup/catalog.js';
import { backupLocation, type BackupLocation } from '../../src/lib/backup/layout.js';
import { applyRestore, type StagedBlobs } from '../../src/lib/backup/restore.js';
import { planBackupRestore } from '../../src/lib/backup/restore-plan.js';
import { RESTORE_STAGING_ROOT } from '../../src/lib/backup/staging.js';
import { stageForRestore, TransferFailedError, type StsDeps } from '../../src/lib/backup/sts-engine.js';
import type { BackupSummary } from '../../src/lib/backup/manifest.js';
import { GcsObjectStore } from '../../src/lib/cloud/gcs-object-store.js';
import { openTransferJobs, type TransferJobs } from '../../src/lib/cloud/storage-transfer.js';
import { environmentSchema } from '../../src/lib/config/schema.js';
import { BACKUPS, listAll, seed, VAULT, type Seeded } from './harness.js';

// `restore --engine sts` never leaves its staging prefix in the target (the live Vault bucket, in place), and stops
// the job it started when interrupted. The real @google-cloud/storage-transfer client (gRPC) → the STS emulator → the
// GCS emulator. google/longrunning/operations.proto, CancelOperation: "Starts asynchronous cancellation on a
// long-running operation … On successful cancellation, the operation is not deleted; instead, it becomes an
// operation with an Operation.error value with a google.rpc.Status.code of 1, corresponding to Code.CANCELLED";
// google/storagetransfer/v1/transfer_types.proto, TransferOperation.Status ABORTED: "Aborted by the user".

let t: StorageTransferTarget;
let loc: BackupLocation;
let store: GcsObjectStore;
let jobs: TransferJobs;
let summary: BackupSummary;
const TARGET = 'relaycorp-gateway-test-vault-restored';

const objects: Seeded[] = Array.from({ length: 6 }, (_, i) => ({
  name: `logical/secret-${i}`,
  data: Buffer.from(`secret ${i}`),
  contentType: 'application/octet-stream',
  metadata: {},
}));

const deps = (over: Partial<StsDeps> = {}): StsDeps => ({
  store,
  jobs,
  agent: 'project-1@storage-transfer-service.iam.gserviceaccount.com',
  concurrency: 4,
  pollMs: 20,
  ...over,
});
const staged = () => listAll(store, TARGET, RESTORE_STAGING_ROOT);
const plan = (deleteExtra = false) => planBackupRestore(store, summary, TARGET, { inPlace: false, deleteExtra });
const stsCalls = (method: string) =>
  t.log.list({ service: 'storagetransfer' }).filter((r) => r.path.endsWith(`/${method}`) && !r.fault);

beforeAll(async () => {
  // A pause before each object the job copies: the operation is seen IN_PROGRESS, and can be interrupted.
  t = await startStorageTransferTarget({ project: 'test', sts: { objectDelayMs: 150 } });
  for (const b of [VAULT, BACKUPS, TARGET]) await t.storage.createBucket(b);
  const parsed = environmentSchema.parse({
    project: 'test',
    buckets: { vault: VAULT, backups: BACKUPS },
    emulators: { storage: t.gcs.url, storagetransfer: t.address },
  });
  const env = { ...parsed, name: 'test', source: 'test fixture' };
  loc = backupLocation(env);
  store = new GcsObjectStore(env, { retry: { baseDelayMs: 20, maxDelayMs: 200, attempts: 8 } });
  jobs = await openTransferJobs(env);
  await seed(t.storage, VAULT, objects);
  await createBackup({ store }, { location: loc, concurrency: 4, quiesced: false });
  summary = (await listBackups(store, loc))[0]!;
});
afterAll(async () => {
  await jobs?.close();
  await t?.close();
});
beforeEach(async () => {
  await t.sts.idle();
  t.log.clear();
  for (const o of await listAll(store, TARGET)) await store.delete({ bucket: TARGET, name: o.name });
});

describe('restore --engine sts cleans up its staging prefix whatever happens', () => {
  it('a job that ends FAILED part way: what it staged in the target is deleted', async () => {
    t.sts.failNextRun({ afterObjects: 2, code: 'PERMISSION_DENIED' });
    const p = await plan();
    const failed = await applyRestore({ store }, loc, p, {
      concurrency: 4,
      stage: (copies) => stageForRestore(deps(), loc, summary.id, TARGET, copies),
    }).catch((err: unknown) => err);
    await p.work.remove();
    expect(failed).toBeInstanceOf(TransferFailedError);
    expect(await staged()).toEqual([]);
  });

  it('Ctrl-C while the job runs cancels its operation (CancelOperation), waits for it to end and deletes what it staged', async () => {
    const ctl = new AbortController();
    const p = await plan();
    const failed = await applyRestore({ store, signal: ctl.signal }, loc, p, {
      concurrency: 4,
      stage: (copies) =>
        stageForRestore(
          deps({ note: (m) => (/ in_progress: [1-9]/.test(m) ? ctl.abort() : undefined) }),
          loc,
          summary.id,
          TARGET,
          copies,
          ctl.signal,
        ),
    }).catch((err: unknown) => err);
    await p.work.remove();
    expect(String((failed as Error).message)).toMatch(
      /interrupted while Storage Transfer Service job .* ran; it was cancelled/,
    );
    expect(stsCalls('CancelOperation')).toHaveLength(1);
    const ops = await listTransferOperations(t.client, { projectId: 'test', transferStatuses: ['ABORTED'] });
    expect(ops).toHaveLength(1);
    expect(ops[0]?.error?.code).toBe(1);
    // Google no longer writes into the target once gwctl has gone, and nothing staged is left there.
    await t.sts.idle();
    expect(await staged()).toEqual([]);
    expect(await listAll(store, TARGET)).toEqual([]);
  });

  it('Ctrl-C during the copies that follow the job: the staged blobs are deleted all the same', async () => {
    const ctl = new AbortController();
    const p = await plan();
    const failed = await applyRestore({ store, signal: ctl.signal }, loc, p, {
      concurrency: 4,
      stage: async (copies) => {
        const s = await stageForRestore(deps(), loc, summary.id, TARGET, copies, ctl.signal);
        expect((await staged()).length).toBe(objects.length);
        ctl.abort();
        return s;
      },
    }).catch((err: unknown) => err);
    await p.work.remove();
    expect(String((failed as Error).message)).toMatch(/restore interrupted after/);
    expect(await staged()).toEqual([]);
  });

  it('staged blobs that cannot be deleted: a warning naming where they are; --delete-extra still runs and the restore succeeds', async () => {
    await seed(t.storage, TARGET, [{ name: 'stray', data: Buffer.from('x'), contentType: 'text/plain', metadata: {} }]);
    const p = await plan(true);
    const warnings: string[] = [];
    let held: StagedBlobs | undefined;
    const r = await applyRestore({ store, warn: (m) => warnings.push(m) }, loc, p, {
      concurrency: 4,
      stage: async (copies) => {
        const s = (held = await stageForRestore(deps(), loc, summary.id, TARGET, copies));
        // As if the caller lacked storage.objects.delete on the staging prefix.
        return s && { ...s, cleanUp: () => Promise.reject(new Error('403 storage.objects.delete denied')) };
      },
    });
    await p.work.remove();
    expect(r).toMatchObject({ restored: objects.length, deleted: 1 });
    expect(warnings.join('\n')).toMatch(
      /could not delete the staged blobs under gs:\/\/relaycorp-gateway-test-vault-restored\/gwctl-staging\/restore-.*\/ \(403 .*\); 6 staged blob\(s\) are left: gwctl-staging\/restore-.*, …\. .*gcloud storage rm -r/,
    );
    expect((await staged()).length).toBe(objects.length);
    await held?.cleanUp();
  });
});

describe('a leftover gwctl-staging/ prefix is gwctl scratch space, not the bucket', () => {
  it('a restore with --delete-extra neither counts nor deletes it; backup create does not back it up', async () => {
    const leftover = `${RESTORE_STAGING_ROOT}restore-old/abc`;
    await seed(t.storage, TARGET, [
      { name: leftover, data: Buffer.from('x'), contentType: 'text/plain', metadata: {} },
    ]);
    const p = await plan(true);
    await p.work.remove();
    expect(p.deleteExtra.objects).toBe(0);
    expect(p.keptExtra).toBe(0);

    await seed(t.storage, VAULT, [{ name: leftover, data: Buffer.from('x'), contentType: 'text/plain', metadata: {} }]);
    await createBackup({ store }, { location: loc, concurrency: 4, quiesced: false });
    const manifest = await loadManifest(store, (await listBackups(store, loc))[0]!);
    expect(manifest.objects.map((o) => o.name)).toEqual(objects.map((o) => o.name));
    await store.delete({ bucket: VAULT, name: leftover });
  });
});
