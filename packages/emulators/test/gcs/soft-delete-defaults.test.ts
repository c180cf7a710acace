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

const softDeleted = async (bucket: string) =>
  (await storage.bucket(bucket).getFiles({ softDeleted: true } as never))[0].map((f) => f.metadata);

describe('a new bucket, as GCS creates it', () => {
  it('has soft delete on for 7 days unless the request says otherwise', async () => {
    // https://cloud.google.com/storage/docs/soft-delete: "Soft delete is enabled by default on all buckets and has a
    // retention duration of seven days"; a real new bucket reads back softDeletePolicy.retentionDurationSeconds
    // "604800" (reported in SnapdragonPartners/maestro#286).
    const [, created] = await storage.createBucket('default-soft-delete');
    expect((created as { softDeletePolicy?: unknown }).softDeletePolicy).toMatchObject({
      retentionDurationSeconds: '604800',
    });
    const [md] = await storage.bucket('default-soft-delete').getMetadata();
    expect(Date.parse(md.softDeletePolicy!.effectiveTime!)).not.toBeNaN();

    const [, off] = await storage.createBucket('no-soft-delete', {
      softDeletePolicy: { retentionDurationSeconds: 0 },
    } as never);
    expect((off as { softDeletePolicy?: { retentionDurationSeconds?: string } }).softDeletePolicy).toMatchObject({
      retentionDurationSeconds: '0',
    });
  });

  it('keeps what is deleted from it, restorable, for those 7 days', async () => {
    const bucket = storage.bucket('default-soft-delete');
    await bucket.file('vault/key').save('secret');
    await bucket.file('vault/key').delete();
    const [gone] = await softDeleted('default-soft-delete');
    expect(Date.parse(gone!.hardDeleteTime!) - Date.parse(gone!.softDeleteTime!)).toBe(7 * DAY_MS);
    await bucket.file('vault/key').restore({ generation: Number(gone!.generation) });
    expect((await bucket.file('vault/key').download())[0].toString()).toBe('secret');
  });
});

describe('turning soft delete off', () => {
  it('does not purge what is already soft-deleted: it stays (and is billed) until its hard-delete time', async () => {
    // https://cloud.google.com/storage/docs/soft-delete: "Updating a bucket's soft delete policy only applies to
    // objects that you delete after the soft delete policy takes effect. Objects that you deleted prior to the update
    // are retained for the duration that was in effect when they were deleted."
    const [bucket] = await storage.createBucket('turned-off');
    await bucket.file('parcel').save('p');
    await bucket.file('parcel').delete();
    const [before] = await softDeleted('turned-off');

    const [md] = await bucket.setMetadata({ softDeletePolicy: { retentionDurationSeconds: 0 } });
    expect(md.softDeletePolicy?.retentionDurationSeconds).toBe('0');
    const [after] = await softDeleted('turned-off');
    expect(after).toMatchObject({ name: 'parcel', hardDeleteTime: before!.hardDeleteTime });

    // Deleted from now on: gone at once.
    await bucket.file('later').save('l');
    await bucket.file('later').delete();
    expect((await softDeleted('turned-off')).map((m) => m.name)).toEqual(['parcel']);

    emu.clock.advance(7 * DAY_MS + 1000);
    emu.sweep();
    expect(await softDeleted('turned-off')).toEqual([]);
  });
});

describe('the organization policy constraint constraints/storage.softDeletePolicySeconds', () => {
  // https://cloud.google.com/storage/docs/org-policy-constraints: the listed durations are enforced "when creating a
  // new bucket and when adding or updating the soft delete retention duration … of a pre-existing bucket".
  const violation = (seconds: number) => ({
    code: 412,
    message: `'${seconds}' violates constraint 'constraints/storage.softDeletePolicySeconds'`,
    errors: [expect.objectContaining({ reason: 'conditionNotMet' })],
  });

  it('refuses a bucket or a change with a duration it does not list, and leaves other buckets and changes alone', async () => {
    const [existing] = await storage.createBucket('before-the-policy');
    emu.orgPolicy.softDeletePolicySeconds = [0];
    try {
      // The default 7 days is a duration like any other: a new bucket must name an allowed one.
      expect(await errorOf(storage.createBucket('default-under-policy'))).toMatchObject(violation(604_800));
      await storage.createBucket('zero-under-policy', { softDeletePolicy: { retentionDurationSeconds: 0 } } as never);

      expect(
        await errorOf(existing.setMetadata({ softDeletePolicy: { retentionDurationSeconds: 14 * 86_400 } })),
      ).toMatchObject(violation(14 * 86_400));
      const [md] = await existing.setMetadata({ labels: { env: 'prod' } });
      expect(md.softDeletePolicy?.retentionDurationSeconds).toBe('604800');
      await existing.setMetadata({ softDeletePolicy: { retentionDurationSeconds: 0 } });
    } finally {
      delete emu.orgPolicy.softDeletePolicySeconds;
    }
  });

  it('can be set from another process through the control endpoint', async () => {
    const set = await fetch(`${emu.url}/_emulator/org-policy`, {
      method: 'POST',
      body: JSON.stringify({ softDeletePolicySeconds: [0, 604_800] }),
    });
    expect(await set.json()).toEqual({ softDeletePolicySeconds: [0, 604_800] });
    expect(
      await errorOf(
        storage.createBucket('ninety-days', { softDeletePolicy: { retentionDurationSeconds: 90 * 86_400 } } as never),
      ),
    ).toMatchObject({ code: 412 });
    await fetch(`${emu.url}/_emulator/org-policy`, { method: 'POST', body: '{}' });
    await storage.createBucket('ninety-days', { softDeletePolicy: { retentionDurationSeconds: 90 * 86_400 } } as never);
  });
});
