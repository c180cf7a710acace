import { beforeEach, describe, expect, it } from 'vitest';
import { listBackups, loadManifest } from '../../src/lib/backup/catalog.js';
import { createBackup, listSource } from '../../src/lib/backup/create.js';
import { verifyBackup } from '../../src/lib/backup/verify.js';
import { memoryFixture, VAULT, type MemoryFixture, type Seeded } from './harness.js';

const entry = (name: string, data: string): Seeded => ({
  name,
  data: Buffer.from(data),
  contentType: 'text/plain',
  metadata: {},
});

// Objects with the same content share one blob, copied once through the first of them: if that one goes or changes
// before its copy, the others still need the content (empty objects, identical Vault entries).
describe('backup create, objects sharing content with one that changes while the backup runs', () => {
  let m: MemoryFixture;
  beforeEach(async () => {
    m = await memoryFixture();
  });
  const verified = async () =>
    (
      await verifyBackup({ store: m.store }, m.loc, (await listBackups(m.store, m.loc))[0]!, {
        deep: true,
        concurrency: 2,
      })
    ).ok;

  it('copies the shared content through another object when the first one was deleted', async () => {
    await m.seed([entry('a', 'same'), entry('b', 'same'), entry('c', 'other')]);
    const source = await listSource(m.store, m.loc);
    await m.store.delete({ bucket: VAULT, name: 'a' });
    const r = await createBackup({ store: m.store }, { location: m.loc, concurrency: 2, quiesced: false, source });
    expect(r.vanishedDuringBackup).toEqual(['a']);
    expect(r.objects).toBe(2);
    expect(r.blobs.copied).toBe(2);
    expect(await verified()).toBe(true);
  });

  it('copies it through the third when the first was overwritten and the second deleted (empty objects)', async () => {
    await m.seed([entry('e/1', ''), entry('e/2', ''), entry('e/3', ''), entry('e/4', ''), entry('f', 'kept')]);
    const source = await listSource(m.store, m.loc);
    await m.seed([entry('e/1', 'rewritten')]);
    await m.store.delete({ bucket: VAULT, name: 'e/2' });
    const r = await createBackup({ store: m.store }, { location: m.loc, concurrency: 1, quiesced: false, source });
    expect(r.changedDuringBackup).toEqual(['e/1']);
    expect(r.vanishedDuringBackup).toEqual(['e/2']);
    const manifest = await loadManifest(m.store, (await listBackups(m.store, m.loc))[0]!);
    expect(manifest.objects.map((e) => e.name)).toEqual(['e/1', 'e/3', 'e/4', 'f']);
    expect(await verified()).toBe(true);
  });
});
