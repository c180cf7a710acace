import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Double, Int32, ObjectId, type Collection, type Document } from 'mongodb';
import { startMongoTarget, usingRealMongo, type MongoTarget } from '../../src/testing/index.js';

describe('find on the MongoDB emulator', () => {
  let t: MongoTarget;
  let items: Collection<Document>;
  beforeAll(async () => {
    t = await startMongoTarget();
    items = t.client.db(t.database).collection('items');
    await items.insertMany(
      Array.from({ length: 30 }, (_, i) => ({
        _id: i as unknown as never,
        n: i,
        parity: i % 2 === 0 ? 'even' : 'odd',
        tags: i % 3 === 0 ? ['three', 'x'] : ['x'],
        meta: { owner: i < 10 ? 'alice' : 'bob', depth: { level: i % 5 } },
        ...(i % 4 === 0 ? { flagged: true } : {}),
      })),
    );
  });
  afterAll(() => t.close());

  const ids = async (filter: Document, opts: Document = {}) =>
    (await items.find(filter, opts).toArray()).map((d) => d._id);

  it('matches equality, $in, $ne and ranges', async () => {
    expect(await ids({ n: 3 })).toEqual([3]);
    expect(await ids({ n: { $in: [1, 2, 99] } })).toEqual([1, 2]);
    expect((await ids({ parity: { $ne: 'even' } })).length).toBe(15);
    expect(await ids({ n: { $gt: 26 } })).toEqual([27, 28, 29]);
    expect(await ids({ n: { $gte: 2, $lt: 4 } })).toEqual([2, 3]);
    expect(await ids({ n: { $lte: 1 } })).toEqual([0, 1]);
  });

  it('matches $exists, $and, $or, dotted paths and array elements', async () => {
    expect((await ids({ flagged: { $exists: true } })).length).toBe(8);
    expect((await ids({ flagged: { $exists: false } })).length).toBe(22);
    expect(await ids({ $and: [{ 'meta.owner': 'alice' }, { 'meta.depth.level': 4 }] })).toEqual([4, 9]);
    expect(await ids({ $or: [{ n: 0 }, { n: 29 }] })).toEqual([0, 29]);
    expect((await ids({ tags: 'three' })).length).toBe(10);
    expect(await ids({ nothing: null, n: 0 })).toEqual([0]);
  });

  it('projects, sorts, skips and limits', async () => {
    const docs = await items
      .find({ parity: 'odd' }, { projection: { n: 1, 'meta.owner': 1, _id: 0 } })
      .sort({ n: -1 })
      .skip(1)
      .limit(2)
      .toArray();
    expect(docs).toEqual([
      { n: 27, meta: { owner: 'bob' } },
      { n: 25, meta: { owner: 'bob' } },
    ]);
    const excluded = await items.findOne({ n: 1 }, { projection: { meta: 0, tags: 0 } });
    expect(excluded).toEqual({ _id: 1, n: 1, parity: 'odd' });
    const byTwoKeys = await items
      .find({ n: { $lt: 4 } })
      .sort({ parity: 1, n: -1 })
      .toArray();
    expect(byTwoKeys.map((d) => d.n)).toEqual([2, 0, 3, 1]);
  });

  it('pages through small batches with getMore', async () => {
    const all = await items.find({}, { batchSize: 7 }).sort({ n: 1 }).toArray();
    expect(all.map((d) => d.n)).toEqual(Array.from({ length: 30 }, (_, i) => i));
    if (!usingRealMongo) {
      const getMores = t.emulator!.log.list({ method: 'getMore' });
      expect(getMores.length).toBeGreaterThanOrEqual(4);
    }
  });

  it('closes a cursor that is not read to the end', async () => {
    const cursor = items.find({}, { batchSize: 2 });
    await cursor.next();
    await cursor.close();
    if (!usingRealMongo) expect(t.emulator!.log.list({ method: 'killCursors' }).length).toBe(1);
  });

  it('counts with countDocuments, estimatedDocumentCount and aggregate', async () => {
    expect(await items.countDocuments({ parity: 'even' })).toBe(15);
    expect(await items.countDocuments({}, { skip: 25 })).toBe(5);
    expect(await items.estimatedDocumentCount()).toBe(30);
    expect(await items.aggregate([{ $match: { 'meta.owner': 'alice' } }, { $count: 'total' }]).toArray()).toEqual([
      { total: 10 },
    ]);
  });

  it('matches $type by alias, type number, a list of them, and "number"; ranges stay within a type bracket', async () => {
    // https://www.mongodb.com/docs/manual/reference/operator/query/type/ and
    // https://www.mongodb.com/docs/manual/reference/bson-type-comparison-order/ (comparison of different BSON types).
    const mixed = t.client.db(t.database).collection('mixed');
    const oid = new ObjectId('65a000000000000000000001');
    await mixed.insertMany([
      { _id: new Int32(1) as never },
      { _id: new Double(2.5) as never },
      { _id: 'b' as never },
      { _id: oid as never },
      { _id: new Date('2024-01-01T00:00:00Z') as never },
    ]);
    const ids = async (filter: Document) =>
      (await mixed.find(filter, { sort: { _id: 1 }, promoteValues: false }).toArray()).map((d) => String(d._id));
    expect(await ids({ _id: { $type: 'string' } })).toEqual(['b']);
    expect(await ids({ _id: { $type: 7 } })).toEqual([oid.toHexString()]);
    expect(await ids({ _id: { $type: ['int', 'date'] } })).toEqual(['1', String(new Date('2024-01-01T00:00:00Z'))]);
    expect(await ids({ _id: { $type: 'number' } })).toEqual(['1', '2.5']);
    expect(await ids({ _id: { $gt: 'a' } })).toEqual(['b']);
    expect(await ids({ $or: [{ _id: { $gt: 1 } }, { _id: { $type: ['objectId', 'date'] } }] })).toEqual([
      '2.5',
      oid.toHexString(),
      String(new Date('2024-01-01T00:00:00Z')),
    ]);
    await expect(mixed.find({ _id: { $type: 'decimal128' as never } }).toArray()).rejects.toMatchObject({ code: 2 });
  });

  it('answers an unknown operator with an error, as the server does', async () => {
    await expect(items.find({ n: { $bogus: 1 } }).toArray()).rejects.toMatchObject({ code: 2 });
  });
});
