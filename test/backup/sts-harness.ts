import { startStorageTransferTarget, type StorageTransferTarget } from '@gwctl/emulators/testing';
import { backupLocation, type BackupLocation } from '../../src/lib/backup/layout.js';
import type { StsDeps } from '../../src/lib/backup/sts-engine.js';
import { GcsObjectStore } from '../../src/lib/cloud/gcs-object-store.js';
import { openTransferJobs, type TransferJobs } from '../../src/lib/cloud/storage-transfer.js';
import { environmentSchema, type Environment } from '../../src/lib/config/schema.js';
import { BACKUPS, VAULT } from './harness.js';

export interface StsFixture {
  t: StorageTransferTarget;
  env: Environment;
  loc: BackupLocation;
  store: GcsObjectStore;
  jobs: TransferJobs;
  /** What the engine is given, as `backup create --engine sts` gives it, with `over` changed. */
  deps(over?: Partial<StsDeps>): StsDeps;
  close(): Promise<void>;
}

/** The real @google-cloud/storage-transfer client (gRPC) → the STS emulator → the GCS emulator, and gwctl's own GCS client. */
export async function startStsFixture(): Promise<StsFixture> {
  const t = await startStorageTransferTarget({ project: 'test' });
  await t.storage.createBucket(VAULT);
  await t.storage.createBucket(BACKUPS);
  const parsed = environmentSchema.parse({
    project: 'test',
    buckets: { vault: VAULT, backups: BACKUPS },
    emulators: { storage: t.gcs.url, storagetransfer: t.address },
  });
  const env: Environment = { ...parsed, name: 'test', source: 'test fixture' };
  const store = new GcsObjectStore(env, { retry: { baseDelayMs: 20, maxDelayMs: 200, attempts: 8 } });
  const jobs = await openTransferJobs(env);
  return {
    t,
    env,
    loc: backupLocation(env),
    store,
    jobs,
    deps: (over = {}) => ({
      store,
      jobs,
      agent: 'project-1@storage-transfer-service.iam.gserviceaccount.com',
      concurrency: 8,
      pollMs: 20,
      ...over,
    }),
    close: async () => {
      await jobs.close();
      await t.close();
    },
  };
}
