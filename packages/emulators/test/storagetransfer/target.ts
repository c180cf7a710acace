import { startStorageTransferTarget, type StorageTransferTarget } from '../../src/testing/index.js';

export const SOURCE = 'gateway-prod-parcels-0a1b2c';
export const SINK = 'gwctl-backups-prod';

/** A Storage Transfer emulator over a GCS emulator holding the source and sink buckets, empty. */
export async function startWithBuckets(
  opts: Parameters<typeof startStorageTransferTarget>[0] = {},
): Promise<StorageTransferTarget> {
  const t = await startStorageTransferTarget(opts);
  await t.storage.createBucket(SOURCE);
  await t.storage.createBucket(SINK);
  return t;
}
