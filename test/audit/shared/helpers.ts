import { startGcsEmulator, type GcsEmulator } from '@gwctl/emulators/gcs';
import { gcsClient } from '@gwctl/emulators/testing';
import type { Environment } from '../../../src/lib/config/schema.js';
import { GcsLogStore } from '../../../src/lib/cloud/log-bucket.js';

export const ORIGIN = 'race.example/log';

/** A GCS emulator with a versioned audit bucket (old checkpoints stay readable, as in the sandbox). */
export async function startAuditBucket(opts: { latencyMs?: number } = {}) {
  const gcs: GcsEmulator = await startGcsEmulator(opts.latencyMs ? { latencyMs: opts.latencyMs } : {});
  const bucket = 'gateway-race-audit';
  const storage = gcsClient(gcs.url);
  await storage.createBucket(bucket, { versioning: { enabled: true } } as never);
  const env = {
    name: 'race',
    source: '/race/gwctl.yaml',
    project: 'test',
    emulators: { storage: gcs.url },
  } as Environment;
  const store = new GcsLogStore(env, bucket, 'log/');
  return { gcs, bucket, storage, env, store, close: () => gcs.close() };
}
