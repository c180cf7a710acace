import { describe, expect, it } from 'vitest';
import { createBackup } from '../../src/lib/backup/create.js';
import { declareIntent } from '../../src/lib/backup/intents.js';
import { newBackupId } from '../../src/lib/backup/layout.js';
import { prune } from '../../src/lib/backup/prune.js';
import { stagingPrefix, stagingRunPrefix, transferManifestName } from '../../src/lib/backup/staging.js';
import { listAll, memoryFixture, vaultLike, type MemoryFixture } from './harness.js';

const HOUR = 3_600_000;
const GRACE = 24 * HOUR;

/** What a killed `--engine sts` run leaves: its transfer manifest and the objects its job staged. */
async function killedStsRun(m: MemoryFixture, id: string) {
  const bucket = m.loc.backupBucket;
  await m.store.write({ bucket, name: transferManifestName(m.loc, id) }, Buffer.from('"logical/00000"\n'));
  await m.store.write({ bucket, name: `${stagingRunPrefix(m.loc, id)}logical/00000` }, Buffer.from('staged'));
}

const pruneNothing = (m: MemoryFixture) =>
  prune({ store: m.store }, m.loc, { remove: [], keep: [] }, { graceMs: GRACE, concurrency: 8 });

describe('backup prune and what --engine sts stages', () => {
  it('removes staged objects and transfer manifests past the grace period once no backup is running', async () => {
    const m = await memoryFixture();
    await m.seed(vaultLike(3));
    await createBackup({ store: m.store }, { location: m.loc, concurrency: 4, quiesced: false });
    await killedStsRun(m, newBackupId(new Date(), 'aaaaaa'));
    expect((await pruneNothing(m)).stagingDeleted).toBe(0);
    m.advance(GRACE + HOUR);
    const r = await pruneNothing(m);
    expect(r.stagingDeleted).toBe(2);
    expect(await listAll(m.store, m.loc.backupBucket, stagingPrefix(m.loc))).toEqual([]);
  });

  it('leaves them while a backup is running: it may be moving them into blobs', async () => {
    const m = await memoryFixture();
    const id = newBackupId(new Date(), 'bbbbbb');
    await killedStsRun(m, id);
    m.advance(GRACE + HOUR);
    const running = await declareIntent(m.store, m.loc, 'create', newBackupId(new Date(), 'cccccc'));
    const r = await pruneNothing(m);
    expect(r.deferred).toMatch(/is running/);
    expect(await listAll(m.store, m.loc.backupBucket, stagingPrefix(m.loc))).toHaveLength(2);
    await running.release();
  });
});
