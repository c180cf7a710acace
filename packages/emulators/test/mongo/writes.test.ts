import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMongoTarget, type MongoTarget } from '../../src/testing/index.js';

describe('writes on the MongoDB emulator', () => {
  let t: MongoTarget;
  beforeAll(async () => {
    t = await startMongoTarget();
  });
  afterAll(() => t.close());

  const config = () => t.client.db(t.database).collection('configitems');

  it('inserts and refuses a duplicate _id', async () => {
    await config().insertOne({ _id: 'a' as never, key: 'a', value: '1' });
    await expect(config().insertOne({ _id: 'a' as never, key: 'a', value: '2' })).rejects.toMatchObject({
      code: 11000,
    });
    expect(await config().countDocuments({ _id: 'a' as never })).toBe(1);
  });

  it('updates with $set and $unset, and upserts', async () => {
    const r1 = await config().updateOne(
      { key: 'a' },
      { $set: { value: '3', 'meta.by': 'gwctl' }, $unset: { nothing: '' } },
    );
    expect([r1.matchedCount, r1.modifiedCount]).toEqual([1, 1]);
    expect(await config().findOne({ key: 'a' }, { projection: { _id: 0 } })).toEqual({
      key: 'a',
      value: '3',
      meta: { by: 'gwctl' },
    });
    await config().updateOne({ key: 'a' }, { $unset: { meta: '' } });
    expect(await config().findOne({ key: 'a' }, { projection: { _id: 0 } })).toEqual({ key: 'a', value: '3' });

    const r2 = await config().updateOne({ key: 'b' }, { $set: { value: 'new' } }, { upsert: true });
    expect(r2.upsertedCount).toBe(1);
    expect(await config().findOne({ _id: r2.upsertedId! }, { projection: { _id: 0 } })).toEqual({
      key: 'b',
      value: 'new',
    });

    const unchanged = await config().updateOne({ key: 'b' }, { $set: { value: 'new' } });
    expect([unchanged.matchedCount, unchanged.modifiedCount]).toEqual([1, 0]);
  });

  it('replaces a document keeping its _id and updates many', async () => {
    await config().replaceOne({ key: 'b' }, { key: 'b', value: 'replaced' });
    expect((await config().findOne({ key: 'b' }))?.value).toBe('replaced');
    const many = await config().updateMany({}, { $set: { touched: true } });
    expect(many.modifiedCount).toBe(2);
  });

  it('deletes one and many', async () => {
    await config().insertMany([{ key: 'x' }, { key: 'x' }, { key: 'x' }]);
    expect((await config().deleteOne({ key: 'x' })).deletedCount).toBe(1);
    expect((await config().deleteMany({ key: 'x' })).deletedCount).toBe(2);
    expect(await config().countDocuments({ key: 'x' })).toBe(0);
  });
});
