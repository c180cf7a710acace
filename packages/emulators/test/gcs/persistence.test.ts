import { appendFileSync, cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LifecycleRule } from '@google-cloud/storage';
import { afterAll, expect, it } from 'vitest';
import { startGcsEmulator } from '../../src/gcs/index.js';
import { gcsClient } from '../../src/testing/index.js';

const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'gcs-emulator-'));
  dirs.push(dir);
  return dir;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

it('a restarted emulator has the same buckets, objects, generations and metadata', async () => {
  const dataDir = tempDir();
  const first = await startGcsEmulator({ dataDir });
  const storage = gcsClient(first.url);
  const rules: LifecycleRule[] = [{ action: { type: 'Delete' }, condition: { age: 365, matchesSuffix: ['.tmp'] } }];
  const [parcels] = await storage.createBucket('persisted-parcels', {
    labels: { tier: 'gold' },
    lifecycle: { rule: rules },
  });
  const [vault] = await storage.createBucket('persisted-vault', { versioning: { enabled: true } });
  await parcels.file('p/1').save('one', { metadata: { contentType: 'text/plain', metadata: { k: 'v' } } });
  await parcels.file('p/2').save(Buffer.alloc(200_000, 7));
  await parcels.file('p/2').setMetadata({ metadata: { patched: 'yes' } });
  await parcels.file('p/3').save('three');
  await parcels.file('p/3').delete();
  await vault.file('secret').save('v1');
  await vault.file('secret').save('v2');
  const [before] = await parcels.getFiles();
  const [vaultBefore] = await vault.getFiles({ versions: true });
  const [bucketBefore] = await parcels.getMetadata();
  await first.close();

  const second = await startGcsEmulator({ dataDir });
  try {
    const again = gcsClient(second.url);
    const [bucketAfter] = await again.bucket('persisted-parcels').getMetadata();
    expect(bucketAfter).toEqual({ ...bucketBefore, selfLink: bucketBefore.selfLink!.replace(first.url, second.url) });
    expect(bucketAfter.lifecycle).toEqual({ rule: rules });
    const [after] = await again.bucket('persisted-parcels').getFiles();
    expect(
      after.map((f) => [
        f.name,
        f.metadata.generation,
        f.metadata.metageneration,
        f.metadata.md5Hash,
        f.metadata.metadata,
      ]),
    ).toEqual(
      before.map((f) => [
        f.name,
        f.metadata.generation,
        f.metadata.metageneration,
        f.metadata.md5Hash,
        f.metadata.metadata,
      ]),
    );
    const [big] = await again.bucket('persisted-parcels').file('p/2').download({ validation: 'crc32c' });
    expect(big.equals(Buffer.alloc(200_000, 7))).toBe(true);
    const [vaultAfter] = await again.bucket('persisted-vault').getFiles({ versions: true });
    expect(vaultAfter.map((f) => f.metadata.generation)).toEqual(vaultBefore.map((f) => f.metadata.generation));
    expect((await again.bucket('persisted-vault').file('secret').download())[0].toString()).toBe('v2');

    // New generations keep increasing after a restart.
    await again.bucket('persisted-vault').file('secret').save('v3');
    const [latest] = await again.bucket('persisted-vault').file('secret').getMetadata();
    expect(BigInt(latest.generation!)).toBeGreaterThan(BigInt(vaultBefore.at(-1)!.metadata.generation!));
  } finally {
    await second.close();
  }
});

it('recovers from a crash: replays the journal and ignores a torn last line', async () => {
  const dataDir = tempDir();
  const running = await startGcsEmulator({ dataDir });
  const storage = gcsClient(running.url);
  const [bucket] = await storage.createBucket('crashy-bucket');
  await bucket.file('kept').save('survives');
  await bucket.file('corrupted-later').save('fine');
  running.corruptObject('crashy-bucket', 'corrupted-later');

  // Copy the directory while the emulator is still running: what a crash would leave behind.
  const crashed = tempDir();
  cpSync(dataDir, crashed, { recursive: true });
  appendFileSync(join(crashed, 'gcs-journal.jsonl'), '{"t":"version","vers');
  await running.close();

  const recovered = await startGcsEmulator({ dataDir: crashed });
  try {
    const again = gcsClient(recovered.url).bucket('crashy-bucket');
    expect((await again.file('kept').download())[0].toString()).toBe('survives');
    // Corruption is persisted too: the bytes changed, the stored hashes did not.
    await expect(again.file('corrupted-later').download({ validation: 'crc32c' })).rejects.toMatchObject({
      code: 'CONTENT_DOWNLOAD_MISMATCH',
    });
  } finally {
    await recovered.close();
  }
});
