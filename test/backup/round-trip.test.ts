import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listBackups, loadManifest } from '../../src/lib/backup/catalog.js';
import { BackupInterruptedError, createBackup } from '../../src/lib/backup/create.js';
import type { ObjectStore } from '../../src/lib/cloud/object-store.js';
import { contentHashes } from '../../src/lib/backup/hashes.js';
import { blobKey, blobName } from '../../src/lib/backup/layout.js';
import { applyRestore, RestoreIntegrityError } from '../../src/lib/backup/restore.js';
import { planBackupRestore } from '../../src/lib/backup/restore-plan.js';
import { verifyBackup } from '../../src/lib/backup/verify.js';
import {
  AWKWARD_NAMES,
  listAll,
  rewrites,
  seed,
  snapshot,
  startFixture,
  VAULT,
  vaultLike,
  type Fixture,
  type Seeded,
} from './harness.js';

let f: Fixture;
beforeEach(async () => {
  f = await startFixture();
});
afterEach(async () => {
  await f.close();
});

const awkward: Seeded[] = AWKWARD_NAMES.map((name, i) => ({
  name,
  data: Buffer.from(`content of ${i}: ${name}`),
  contentType: i % 2 ? 'application/json' : 'text/plain; charset=utf-8',
  metadata: { 'vault-key': `k${i}`, 'with space': 'värde #?', empty: '' },
}));

const take = (extra: Partial<Parameters<typeof createBackup>[0]> = {}, batchSize?: number) =>
  createBackup(
    { store: f.store, ...extra },
    { location: f.loc, concurrency: 8, quiesced: false, ...(batchSize ? { batchSize } : {}) },
  );

async function restoreInto(bucket: string, id?: string, opts: { deep?: boolean } = {}) {
  const backups = await listBackups(f.store, f.loc);
  const summary = id ? backups.find((b) => b.id === id)! : backups[0]!;
  const plan = await planBackupRestore(f.store, summary, bucket, { inPlace: bucket === VAULT, deleteExtra: false });
  try {
    return await applyRestore({ store: f.store }, f.loc, plan, { concurrency: 8, ...opts });
  } finally {
    await plan.work.remove();
  }
}

describe('backup create → verify → restore', () => {
  it('brings back objects with awkward names, their bytes, content types and metadata', async () => {
    const duplicate = { ...awkward[0]!, name: 'dup/same-content-as-first' };
    const empty = { name: 'empty', data: Buffer.alloc(0), contentType: 'application/octet-stream', metadata: {} };
    await seed(f.gcs, VAULT, [...awkward, duplicate, empty]);
    const before = await snapshot(f.gcs, VAULT);

    const backup = await take();
    expect(backup).toMatchObject({
      objects: awkward.length + 2,
      quiesced: false,
      blobs: { copied: awkward.length + 1 },
    });
    expect((await listBackups(f.store, f.loc)).map((b) => b.id)).toEqual([backup.id]);
    expect(
      (
        await verifyBackup({ store: f.store }, f.loc, (await listBackups(f.store, f.loc))[0]!, {
          deep: true,
          concurrency: 4,
        })
      ).problems,
    ).toEqual([]);

    const restored = await restoreInto('restored-vault');
    expect(restored.restored).toBe(awkward.length + 2);
    const after = await snapshot(f.gcs, 'restored-vault');
    expect([...after.keys()].sort()).toEqual([...before.keys()].sort());
    for (const [name, o] of before) {
      expect(after.get(name)!.data.equals(o.data), name).toBe(true);
      expect(after.get(name)!.contentType, name).toBe(o.contentType);
      expect(after.get(name)!.metadata, name).toEqual(o.metadata);
    }
  });

  it('an unchanged bucket is backed up again without copying anything', async () => {
    await seed(f.gcs, VAULT, vaultLike(300));
    const first = await take();
    expect(first.blobs.copied).toBe(300);
    expect(rewrites(f.emu)).toHaveLength(300);

    f.emu.log.clear();
    const second = await take();
    expect(second.blobs).toEqual({ copied: 0, copiedBytes: 0, reused: 300 });
    expect(rewrites(f.emu)).toHaveLength(0);
    // Only listings, plus the backup's own intent and manifest: its one part (300 entries), then the manifest.
    const writes = f.emu.log.mutating().map((r) => `${r.method} ${decodeURIComponent(r.path)}`);
    expect(writes.filter((w) => /manifests\//.test(w))).toHaveLength(2);
    expect(writes.filter((w) => !/intents\/|manifests\//.test(w))).toEqual([]);
    expect((await listBackups(f.store, f.loc)).map((b) => b.id)).toEqual([second.id, first.id]);
  });

  it('copies only what changed since the last backup', async () => {
    await seed(f.gcs, VAULT, vaultLike(50));
    await take();
    const fresh = (name: string, text: string) => ({
      name,
      data: Buffer.from(text),
      contentType: 'application/octet-stream',
      metadata: {},
    });
    // logical/00001's content again under a new name: stored already, so not copied.
    await seed(f.gcs, VAULT, [
      fresh('logical/00007', 'rotated key'),
      fresh('new/a', 'new a'),
      fresh('new/b', 'new b'),
      { ...vaultLike(2)[1]!, name: 'new/copy-of-1' },
    ]);
    f.emu.log.clear();
    const next = await take();
    expect(next.blobs.copied).toBe(3);
    expect(rewrites(f.emu)).toHaveLength(3);
  });
});

describe('a corrupted blob', () => {
  it('is caught by verify --deep (not by metadata) and refused by restore, which writes nothing', async () => {
    await seed(f.gcs, VAULT, awkward);
    const backup = await take();
    const manifest = await loadManifest(f.store, (await listBackups(f.store, f.loc))[0]!);
    const victim = manifest.objects.find((e) => e.name === AWKWARD_NAMES[1])!;
    f.emu.corruptObject(f.loc.backupBucket, blobName(f.loc, victim.blob));

    const summary = (await listBackups(f.store, f.loc))[0]!;
    expect((await verifyBackup({ store: f.store }, f.loc, summary, { deep: false, concurrency: 4 })).ok).toBe(true);
    const deep = await verifyBackup({ store: f.store }, f.loc, summary, { deep: true, concurrency: 4 });
    expect(deep.ok).toBe(false);
    expect(deep.problems).toEqual([expect.objectContaining({ kind: 'corrupt', objects: [victim.name] })]);

    const err = await restoreInto('restored-vault', backup.id, { deep: true }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RestoreIntegrityError);
    expect((err as Error).message).toContain(victim.name);
    expect(await f.store.bucketExists('restored-vault')).toBe(false);
  });

  it('fails the copy of that object in a restore without --deep: GCS validates copies server-side', async () => {
    // "For object copy and rewrite requests, Cloud Storage automatically performs server-side validation"
    // (https://cloud.google.com/storage/docs/data-validation).
    await seed(f.gcs, VAULT, awkward);
    const backup = await take();
    const manifest = await loadManifest(f.store, (await listBackups(f.store, f.loc))[0]!);
    const victim = manifest.objects.find((e) => e.name === AWKWARD_NAMES[1])!;
    f.emu.corruptObject(f.loc.backupBucket, blobName(f.loc, victim.blob));
    f.emu.log.clear();

    const err = await restoreInto('restored-vault', backup.id).catch((e: unknown) => e);
    expect((err as Error).message).toContain(victim.name);
    expect((err as Error).message).toMatch(/server-side validation/);
    // Nothing downloaded: the check is GCS's, and the hashes the copies answered.
    expect(f.emu.log.list().filter((r) => r.path.startsWith('/download/'))).toHaveLength(0);
    expect(await f.gcs.bucket('restored-vault').file(victim.name).exists()).toEqual([false]);
  });

  it('a damaged manifest makes the backup fail verification', async () => {
    await seed(f.gcs, VAULT, vaultLike(5));
    await take();
    const summary = (await listBackups(f.store, f.loc))[0]!;
    f.emu.corruptObject(summary.manifest.bucket, summary.manifest.name);
    const report = await verifyBackup({ store: f.store }, f.loc, summary, { deep: false, concurrency: 4 });
    expect(report.problems).toEqual([expect.objectContaining({ kind: 'manifest' })]);
  });

  it('names every object whose blob is missing or holds other content', async () => {
    const object = (name: string, content: string) => ({
      name,
      data: Buffer.from(content),
      contentType: 'text/plain',
      metadata: {},
    });
    await seed(f.gcs, VAULT, [object('a', 'same'), object('b', 'same'), object('c', 'other')]);
    await take();
    const summary = (await listBackups(f.store, f.loc))[0]!;
    const manifest = await loadManifest(f.store, summary);
    const blobOf = (name: string) => blobName(f.loc, manifest.objects.find((e) => e.name === name)!.blob);
    await f.gcs.bucket(f.loc.backupBucket).file(blobOf('a')).delete();
    await f.gcs.bucket(f.loc.backupBucket).file(blobOf('c')).save('tampered');
    const report = await verifyBackup({ store: f.store }, f.loc, summary, { deep: false, concurrency: 4 });
    expect(report).toMatchObject({ ok: false, objects: 3, blobs: 2 });
    expect(report.problems).toEqual([
      expect.objectContaining({ kind: 'missing', objects: ['a', 'b'] }),
      expect.objectContaining({ kind: 'mismatch', objects: ['c'] }),
    ]);
  });
});

describe('a backup stopped midway', () => {
  it('is never listed, and its re-run completes, reusing what was copied', async () => {
    await seed(f.gcs, VAULT, vaultLike(200));
    const controller = new AbortController();
    // Batches of 10: the copies in flight when it stops (at most 8 × 10) leave some not copied.
    const err = await take({ signal: controller.signal, onCopied: (n) => n === 40 && controller.abort() }, 10).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(BackupInterruptedError);
    expect(await listBackups(f.store, f.loc)).toEqual([]);
    const copiedBefore = rewrites(f.emu).length;
    expect(copiedBefore).toBeGreaterThanOrEqual(40);
    expect(copiedBefore).toBeLessThan(200);
    // It left no intent behind either: prunes are not held up.
    expect(await listAll(f.store, f.loc.backupBucket, `${f.loc.prefix}intents/`)).toEqual([]);

    f.emu.log.clear();
    const rerun = await take();
    expect(rerun.blobs.copied).toBe(200 - copiedBefore);
    expect((await listBackups(f.store, f.loc)).map((b) => b.id)).toEqual([rerun.id]);
    expect(
      (
        await verifyBackup({ store: f.store }, f.loc, (await listBackups(f.store, f.loc))[0]!, {
          deep: true,
          concurrency: 8,
        })
      ).ok,
    ).toBe(true);
  });
});

describe.each([
  { mode: 'one request per copy', batchSize: 1 },
  { mode: 'batched copies', batchSize: 100 },
])('write-once blobs ($mode)', ({ batchSize }) => {
  /** The real store, with something happening just before each blob copy (another writer, a lost answer). */
  const before = (hook: (n: number, blob: string) => Promise<void>): ObjectStore => {
    let n = 0;
    return new Proxy(f.store, {
      get: (target, prop) =>
        prop === 'copy'
          ? async (...args: Parameters<ObjectStore['copy']>) => {
              await hook(++n, args[1].name);
              return target.copy(...args);
            }
          : prop === 'copyMany'
            ? async (...args: Parameters<ObjectStore['copyMany']>) => {
                for (const c of args[0]) await hook(++n, c.destination.name);
                return target.copyMany(...args);
              }
            : (target as unknown as Record<PropertyKey, unknown>)[prop as string] instanceof Function
              ? (target as unknown as Record<string, (...a: unknown[]) => unknown>)[prop as string]!.bind(target)
              : (target as unknown as Record<PropertyKey, unknown>)[prop as string],
    });
  };
  const write = (name: string, data: string) => f.gcs.bucket(f.loc.backupBucket).file(name).save(data);

  it('a blob that appeared meanwhile with the right content (a concurrent backup, or our own retried copy that had landed) is accepted, not overwritten', async () => {
    await seed(f.gcs, VAULT, vaultLike(3));
    let planted = { name: '', generation: '' };
    const store = before(async (n, blob) => {
      if (n !== 2) return;
      const key = blob.slice(blob.lastIndexOf('/') + 1);
      const source = vaultLike(3).find(
        (o) => blobKey({ ...contentHashes(o.data), name: o.name, generation: '1', size: o.data.length }) === key,
      )!;
      await write(blob, source.data.toString());
      planted = {
        name: blob,
        generation: String((await f.gcs.bucket(f.loc.backupBucket).file(blob).getMetadata())[0].generation),
      };
    });
    const r = await createBackup({ store }, { location: f.loc, concurrency: 1, quiesced: false, batchSize });
    expect(r.objects).toBe(3);
    const [stat] = await f.gcs.bucket(f.loc.backupBucket).file(planted.name).getMetadata();
    expect(String(stat.generation)).toBe(planted.generation);
    expect(
      (
        await verifyBackup({ store: f.store }, f.loc, (await listBackups(f.store, f.loc))[0]!, {
          deep: true,
          concurrency: 2,
        })
      ).ok,
    ).toBe(true);
  });

  it('a blob taken meanwhile by other bytes fails the backup loudly, and nothing is committed', async () => {
    await seed(f.gcs, VAULT, vaultLike(3));
    const store = before(async (n, blob) => void (n === 2 && (await write(blob, 'not that content'))));
    const err = await createBackup({ store }, { location: f.loc, concurrency: 1, quiesced: false, batchSize }).catch(
      (e: unknown) => e,
    );
    expect((err as Error).message).toMatch(/does not hold the content/);
    expect(await listBackups(f.store, f.loc)).toEqual([]);
  });

  it('a listed blob whose size or hashes do not match its address is replaced, not reused', async () => {
    await seed(f.gcs, VAULT, vaultLike(3));
    const o = vaultLike(3)[1]!;
    await write(
      blobName(f.loc, blobKey({ ...contentHashes(o.data), name: o.name, generation: '1', size: o.data.length })),
      'not that content',
    );
    const r = await createBackup({ store: f.store }, { location: f.loc, concurrency: 2, quiesced: false, batchSize });
    expect(r.blobs.copied).toBe(3);
    expect(
      (
        await verifyBackup({ store: f.store }, f.loc, (await listBackups(f.store, f.loc))[0]!, {
          deep: true,
          concurrency: 2,
        })
      ).ok,
    ).toBe(true);
  });
});

describe('objects that change while they are copied', () => {
  it('are backed up as they are when copied, and deleted ones are left out', async () => {
    await seed(f.gcs, VAULT, vaultLike(20));
    const { listSource } = await import('../../src/lib/backup/create.js');
    const source = await listSource(f.store, f.loc);
    await seed(f.gcs, VAULT, [
      { name: 'logical/00003', data: Buffer.from('rewritten'), contentType: 'text/plain', metadata: {} },
    ]);
    await f.gcs.bucket(VAULT).file('logical/00004').delete();
    const r = await createBackup({ store: f.store }, { location: f.loc, concurrency: 4, quiesced: false, source });
    expect(r.changedDuringBackup).toEqual(['logical/00003']);
    expect(r.vanishedDuringBackup).toEqual(['logical/00004']);
    const manifest = await loadManifest(f.store, (await listBackups(f.store, f.loc))[0]!);
    expect(manifest.objects).toHaveLength(19);
    expect(manifest.objects.find((e) => e.name === 'logical/00003')!.size).toBe('rewritten'.length);
  });

  it('content shared with an object deleted before its copy is copied through another object that has it', async () => {
    const same = (name: string) => ({ name, data: Buffer.from('same'), contentType: 'text/plain', metadata: {} });
    await seed(f.gcs, VAULT, [same('a'), same('b')]);
    const { listSource } = await import('../../src/lib/backup/create.js');
    const source = await listSource(f.store, f.loc);
    await f.gcs.bucket(VAULT).file('a').delete();
    const r = await createBackup({ store: f.store }, { location: f.loc, concurrency: 4, quiesced: false, source });
    expect(r.vanishedDuringBackup).toEqual(['a']);
    expect(r).toMatchObject({ objects: 1, blobs: { copied: 1 } });
    const summary = (await listBackups(f.store, f.loc))[0]!;
    expect((await verifyBackup({ store: f.store }, f.loc, summary, { deep: true, concurrency: 2 })).ok).toBe(true);
  });
});
