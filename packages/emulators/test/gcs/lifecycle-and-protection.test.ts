import type { Storage } from '@google-cloud/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DAY_MS, startGcsEmulator, type GcsEmulator } from '../../src/gcs/index.js';
import { errorOf, gcsClient } from '../../src/testing/index.js';

let emu: GcsEmulator;
let storage: Storage;

beforeAll(async () => {
  emu = await startGcsEmulator();
  storage = gcsClient(emu.url);
});
afterAll(() => emu.close());

describe('holds and retention stop deletion', () => {
  it('a temporary or event-based hold blocks delete and overwrite until released', async () => {
    const [bucket] = await storage.createBucket('held-bucket');
    const file = bucket.file('held');
    await file.save('keep me');
    await file.setMetadata({ temporaryHold: true });
    const err = await errorOf(file.delete());
    expect(err).toMatchObject({ code: 403 });
    expect(err?.errors?.[0]?.reason).toBe('retentionPolicyNotMet');
    expect(await errorOf(file.save('overwrite', { resumable: false }))).toMatchObject({ code: 403 });
    await file.setMetadata({ temporaryHold: false, eventBasedHold: true });
    expect(await errorOf(file.delete())).toMatchObject({ code: 403 });
    await file.setMetadata({ eventBasedHold: false });
    await file.delete();
  });

  it('a bucket default event-based hold applies to new objects', async () => {
    const [bucket] = await storage.createBucket('default-hold-bucket', { defaultEventBasedHold: true } as never);
    await bucket.file('o').save('x');
    const [md] = await bucket.file('o').getMetadata();
    expect(md.eventBasedHold).toBe(true);
  });

  it('a retention policy blocks deletion until the object is old enough', async () => {
    const [bucket] = await storage.createBucket('retained-bucket');
    await bucket.setRetentionPeriod(2 * 86_400);
    await bucket.file('r').save('x');
    const [md] = await bucket.file('r').getMetadata();
    expect(Date.parse(md.retentionExpirationTime!) - Date.parse(md.timeCreated!)).toBe(2 * DAY_MS);
    expect(await errorOf(bucket.file('r').delete())).toMatchObject({ code: 403 });
    emu.clock.advance(2 * DAY_MS + 1000);
    await bucket.file('r').delete();
  });
});

describe('lifecycle sweep', () => {
  it('an age-0 Delete rule empties a bucket on the next sweep', async () => {
    const [bucket] = await storage.createBucket('age-zero-bucket');
    await Promise.all(['a', 'b/c', 'd'].map((n) => bucket.file(n).save(n, { resumable: false })));
    await bucket.addLifecycleRule({ action: { type: 'Delete' }, condition: { age: 0 } });
    expect(emu.objectCount('age-zero-bucket')).toBe(3);
    const result = emu.sweep();
    expect(result.deleted).toBeGreaterThanOrEqual(3);
    expect(emu.objectCount('age-zero-bucket')).toBe(0);
    expect((await bucket.getFiles())[0]).toHaveLength(0);
  });

  it('deletes by age only once the emulator clock has moved past it', async () => {
    const [bucket] = await storage.createBucket('age-bucket');
    await bucket.file('old').save('x');
    await bucket.setMetadata({ lifecycle: { rule: [{ action: { type: 'Delete' }, condition: { age: 30 } }] } });
    emu.sweep();
    expect(emu.objectCount('age-bucket')).toBe(1);
    emu.clock.advance(29 * DAY_MS);
    await bucket.file('young').save('y');
    emu.clock.advance(1 * DAY_MS + 1000);
    emu.sweep();
    expect((await bucket.getFiles())[0].map((f) => f.name)).toEqual(['young']);
  });

  it('respects holds and retention policies during the sweep', async () => {
    const [bucket] = await storage.createBucket('protected-sweep-bucket');
    await bucket.file('held').save('x');
    await bucket.file('free').save('y');
    await bucket.file('held').setMetadata({ temporaryHold: true });
    await bucket.setMetadata({ lifecycle: { rule: [{ action: { type: 'Delete' }, condition: { age: 0 } }] } });
    const result = emu.sweep();
    expect(result.blocked).toBeGreaterThanOrEqual(1);
    expect((await bucket.getFiles())[0].map((f) => f.name)).toEqual(['held']);

    const [retained] = await storage.createBucket('retained-sweep-bucket');
    await retained.setRetentionPeriod(86_400);
    await retained.file('r').save('x');
    await retained.setMetadata({ lifecycle: { rule: [{ action: { type: 'Delete' }, condition: { age: 0 } }] } });
    emu.sweep();
    expect(emu.objectCount('retained-sweep-bucket')).toBe(1);
    emu.clock.advance(DAY_MS + 1000);
    emu.sweep();
    expect(emu.objectCount('retained-sweep-bucket')).toBe(0);
  });

  it('handles isLive, numNewerVersions and daysSinceNoncurrentTime in a versioned bucket', async () => {
    const [bucket] = await storage.createBucket('versions-sweep-bucket', { versioning: { enabled: true } });
    for (const v of ['1', '2', '3', '4']) await bucket.file('doc').save(v);
    await bucket.setMetadata({
      lifecycle: { rule: [{ action: { type: 'Delete' }, condition: { isLive: false, numNewerVersions: 2 } }] },
    });
    emu.sweep();
    const [left] = await bucket.getFiles({ versions: true });
    expect(left).toHaveLength(2);

    await bucket.setMetadata({
      lifecycle: { rule: [{ action: { type: 'Delete' }, condition: { daysSinceNoncurrentTime: 7 } }] },
    });
    emu.sweep();
    expect(emu.objectCount('versions-sweep-bucket', { versions: true })).toBe(2);
    emu.clock.advance(7 * DAY_MS + 1000);
    emu.sweep();
    expect(emu.objectCount('versions-sweep-bucket', { versions: true })).toBe(1);
    expect((await bucket.file('doc').download())[0].toString()).toBe('4');
  });

  it('never acts on a rule with a condition it does not understand', async () => {
    const [bucket] = await storage.createBucket('unknown-rule-bucket');
    await bucket.file('x').save('x');
    await bucket.setMetadata({
      lifecycle: { rule: [{ action: { type: 'Delete' }, condition: { age: 0, someFutureCondition: true } as never }] },
    });
    emu.sweep();
    expect(emu.objectCount('unknown-rule-bucket')).toBe(1);
  });

  it('changes storage class with SetStorageClass', async () => {
    const [bucket] = await storage.createBucket('class-bucket');
    await bucket.file('x').save('x');
    await bucket.setMetadata({
      lifecycle: { rule: [{ action: { type: 'SetStorageClass', storageClass: 'NEARLINE' }, condition: { age: 0 } }] },
    });
    emu.sweep();
    expect((await bucket.file('x').getMetadata())[0].storageClass).toBe('NEARLINE');
  });

  it('sweeps on its own with sweepIntervalMs, as the sandbox runs it', async () => {
    const periodic = await startGcsEmulator({ sweepIntervalMs: 20 });
    try {
      const [bucket] = await gcsClient(periodic.url).createBucket('periodic-bucket', {
        lifecycle: { rule: [{ action: { type: 'Delete' }, condition: { age: 0 } }] },
      });
      await bucket.file('x').save('x');
      await expect.poll(() => periodic.objectCount('periodic-bucket'), { timeout: 5_000, interval: 20 }).toBe(0);
    } finally {
      await periodic.close();
    }
  });
});

describe('soft delete', () => {
  it('keeps deleted objects for the policy duration, lists them with softDeleted=true and restores them', async () => {
    const [bucket] = await storage.createBucket('soft-bucket', {
      softDeletePolicy: { retentionDurationSeconds: 7 * 86_400 },
    } as never);
    await bucket.file('gone').save('precious');
    const [original] = await bucket.file('gone').getMetadata();
    await bucket.file('gone').delete();
    expect((await bucket.getFiles())[0]).toHaveLength(0);

    const [deleted] = await bucket.getFiles({ softDeleted: true } as never);
    expect(deleted.map((f) => f.name)).toEqual(['gone']);
    expect(deleted[0].metadata.softDeleteTime).toBeDefined();
    expect(Date.parse(deleted[0].metadata.hardDeleteTime!) - Date.parse(deleted[0].metadata.softDeleteTime!)).toBe(
      7 * DAY_MS,
    );

    const restored = await bucket.file('gone').restore({ generation: Number(original.generation) });
    expect(restored.name).toBe('gone');
    expect((await bucket.file('gone').download())[0].toString()).toBe('precious');
    expect((await bucket.getFiles({ softDeleted: true } as never))[0]).toHaveLength(0);

    await bucket.file('gone').delete();
    emu.clock.advance(7 * DAY_MS + 1000);
    expect(emu.sweep().purged).toBeGreaterThanOrEqual(1);
    expect((await bucket.getFiles({ softDeleted: true } as never))[0]).toHaveLength(0);
  });

  it('a lifecycle delete also soft-deletes, and a soft-deleted bucket content does not block bucket deletion', async () => {
    const [bucket] = await storage.createBucket('soft-lifecycle-bucket', {
      softDeletePolicy: { retentionDurationSeconds: 7 * 86_400 },
      lifecycle: { rule: [{ action: { type: 'Delete' }, condition: { age: 0 } }] },
    } as never);
    await bucket.file('x').save('x');
    emu.sweep();
    expect((await bucket.getFiles({ softDeleted: true } as never))[0]).toHaveLength(1);
    await bucket.delete();
  });
});
