import type { BucketMetadata, LifecycleRule, Storage } from '@google-cloud/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGcsEmulator, type GcsEmulator } from '../../src/gcs/index.js';
import { errorOf, gcsClient } from '../../src/testing/index.js';

let emu: GcsEmulator;
let storage: Storage;

beforeAll(async () => {
  emu = await startGcsEmulator();
  storage = gcsClient(emu.url);
});
afterAll(() => emu.close());

describe('bucket lifecycle through the client library', () => {
  it('creates, reads, lists and deletes a bucket', async () => {
    const [bucket, response] = await storage.createBucket('crud-bucket', { labels: { env: 'test' } });
    const created = response as BucketMetadata;
    expect(created).toMatchObject({
      kind: 'storage#bucket',
      id: 'crud-bucket',
      name: 'crud-bucket',
      metageneration: '1',
      storageClass: 'STANDARD',
      location: 'US',
    });
    expect(created.labels).toEqual({ env: 'test' });
    expect(created.etag).toBe('CAE=');
    expect(Date.parse(created.timeCreated!)).not.toBeNaN();

    const [metadata] = await bucket.getMetadata();
    expect(metadata.name).toBe('crud-bucket');
    const [buckets] = await storage.getBuckets({ prefix: 'crud-' });
    expect(buckets.map((b) => b.name)).toEqual(['crud-bucket']);

    await bucket.delete();
    expect((await bucket.exists())[0]).toBe(false);
  });

  it('refuses to create a bucket that exists (409 conflict)', async () => {
    await storage.createBucket('dup-bucket');
    const err = await errorOf(storage.createBucket('dup-bucket'));
    expect(err).toMatchObject({ code: 409 });
    expect(err?.errors?.[0]?.reason).toBe('conflict');
  });

  it('refuses an invalid bucket name (400)', async () => {
    expect(await errorOf(storage.createBucket('Not_Valid!'))).toMatchObject({ code: 400 });
  });

  it('answers 404 notFound for a missing bucket', async () => {
    const err = await errorOf(storage.bucket('no-such-bucket').getMetadata());
    expect(err).toMatchObject({ code: 404 });
    expect(err?.errors?.[0]?.reason).toBe('notFound');
  });

  it('refuses to delete a non-empty bucket (409), including one with only noncurrent versions', async () => {
    const [bucket] = await storage.createBucket('full-bucket', { versioning: { enabled: true } });
    await bucket.file('x').save('1');
    expect(await errorOf(bucket.delete())).toMatchObject({ code: 409 });
    await bucket.file('x').delete();
    expect(await errorOf(bucket.delete())).toMatchObject({ code: 409 });
    const [versions] = await bucket.getFiles({ versions: true });
    for (const f of versions) await f.delete();
    await bucket.delete();
  });

  it('bumps the metageneration on every patch and merges labels', async () => {
    const [bucket] = await storage.createBucket('patch-bucket', { labels: { a: '1', b: '2' } });
    const [afterLabels] = await bucket.setMetadata({ labels: { b: null, c: '3' } });
    expect(afterLabels.labels).toEqual({ a: '1', c: '3' });
    expect(afterLabels.metageneration).toBe('2');
    const [afterVersioning] = await bucket.setMetadata({ versioning: { enabled: true } });
    expect(afterVersioning.metageneration).toBe('3');
    expect(afterVersioning.versioning).toEqual({ enabled: true });
  });

  it('replaces writable fields on update (PUT)', async () => {
    const [bucket] = await storage.createBucket('update-bucket', {
      labels: { keep: 'no' },
      defaultEventBasedHold: true,
    });
    const [reply] = await bucket.request({ method: 'PUT', uri: '', json: { labels: { only: 'this' } } });
    const md = reply as BucketMetadata;
    expect(md.labels).toEqual({ only: 'this' });
    expect(md.defaultEventBasedHold).toBeUndefined();
    expect(md.metageneration).toBe('2');
  });

  it('enforces ifMetagenerationMatch / ifMetagenerationNotMatch on patch and delete (412 conditionNotMet)', async () => {
    const [bucket] = await storage.createBucket('precondition-bucket');
    const err = await errorOf(bucket.setMetadata({ labels: { x: 'y' } }, { ifMetagenerationMatch: 7 }));
    expect(err).toMatchObject({ code: 412 });
    expect(err?.errors?.[0]?.reason).toBe('conditionNotMet');
    await bucket.setMetadata({ labels: { x: 'y' } }, { ifMetagenerationMatch: 1 });
    expect(await errorOf(bucket.setMetadata({ labels: { x: 'z' } }, { ifMetagenerationNotMatch: 2 }))).toMatchObject({
      code: 412,
    });
    expect(await errorOf(bucket.delete({ ifMetagenerationMatch: 1 }))).toMatchObject({ code: 412 });
    await bucket.delete({ ifMetagenerationMatch: 2 });
  });

  it('stores lifecycle rules exactly as given, including ones it does not understand', async () => {
    const rules = [
      { action: { type: 'Delete' }, condition: { age: 30, matchesPrefix: ['parcels/'] } },
      { action: { type: 'AbortIncompleteMultipartUpload' }, condition: { age: 1 } },
      {
        action: { type: 'SetStorageClass', storageClass: 'COLDLINE' },
        condition: { daysSinceCustomTime: 90, futureCondition: { nested: [1, 'two'] } },
      },
    ] as LifecycleRule[];
    const [bucket] = await storage.createBucket('lifecycle-bucket');
    await bucket.setMetadata({ lifecycle: { rule: rules } });
    const [md] = await bucket.getMetadata();
    expect(md.lifecycle).toEqual({ rule: rules });
    expect(JSON.stringify(md.lifecycle)).toBe(JSON.stringify({ rule: rules }));
  });

  it('keeps retention policy (effectiveTime, isLocked), soft delete policy, event-based hold default and IAM config', async () => {
    const iamConfiguration = { uniformBucketLevelAccess: { enabled: true }, publicAccessPrevention: 'enforced' };
    const [bucket] = await storage.createBucket('policy-bucket', {
      iamConfiguration,
      softDeletePolicy: { retentionDurationSeconds: 7 * 86_400 },
      defaultEventBasedHold: true,
    } as never);
    await bucket.setRetentionPeriod(3600);
    const [md] = await bucket.getMetadata();
    expect(md.retentionPolicy).toMatchObject({ retentionPeriod: '3600', isLocked: false });
    expect(Date.parse(md.retentionPolicy!.effectiveTime!)).not.toBeNaN();
    expect(md.softDeletePolicy).toMatchObject({ retentionDurationSeconds: '604800' });
    expect(Date.parse(md.softDeletePolicy!.effectiveTime!)).not.toBeNaN();
    expect(md.defaultEventBasedHold).toBe(true);
    expect(md.iamConfiguration).toEqual(iamConfiguration);

    const [locked] = (await bucket.lock(md.metageneration!)) as [BucketMetadata];
    expect(locked.retentionPolicy).toMatchObject({ retentionPeriod: '3600', isLocked: true });
    expect(await errorOf(bucket.removeRetentionPeriod())).toMatchObject({ code: 403 });
    expect(await errorOf(bucket.setRetentionPeriod(60))).toMatchObject({ code: 403 });
    const [longer] = await bucket.setRetentionPeriod(7200);
    expect(longer.retentionPolicy).toMatchObject({ retentionPeriod: '7200', isLocked: true });
  });

  it('rejects a soft delete duration outside 7–90 days', async () => {
    const [bucket] = await storage.createBucket('softdelete-bucket');
    expect(await errorOf(bucket.setMetadata({ softDeletePolicy: { retentionDurationSeconds: 60 } }))).toMatchObject({
      code: 400,
    });
    const [off] = await bucket.setMetadata({ softDeletePolicy: { retentionDurationSeconds: 0 } });
    expect(off.softDeletePolicy?.retentionDurationSeconds).toBe('0');
  });

  it('pages through the bucket list', async () => {
    for (const n of [1, 2, 3]) await storage.createBucket(`page-bucket-${n}`);
    const [first, next] = await storage.getBuckets({ prefix: 'page-bucket-', maxResults: 2, autoPaginate: false });
    expect(first.map((b) => b.name)).toEqual(['page-bucket-1', 'page-bucket-2']);
    const [rest] = await storage.getBuckets({ ...next, autoPaginate: false });
    expect(rest.map((b) => b.name)).toEqual(['page-bucket-3']);
  });
});
