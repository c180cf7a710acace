import { Binary, Decimal128, Double, Int32, Long, ObjectId, UUID } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMongoTarget, type MongoTarget } from '../../src/testing/index.js';

describe('BSON types through the MongoDB emulator', () => {
  let t: MongoTarget;
  beforeAll(async () => {
    t = await startMongoTarget();
  });
  afterAll(() => t.close());

  it('returns Binary, Date, ObjectId, Long, Decimal128, Int32 and Double exactly as stored', async () => {
    const id = new ObjectId();
    const der = new Binary(Buffer.from([0x30, 0x82, 0x01, 0x0a, 0x00, 0xff]));
    const expiry = new Date('2031-02-03T04:05:06.789Z');
    const doc = {
      _id: id,
      derSerialization: der,
      uuid: new UUID('6f1c7f0e-3a38-4a8e-9a6e-7d1b9b0f7c11'),
      expiryDate: expiry,
      big: Long.fromString('9007199254740993'),
      price: Decimal128.fromString('12.50'),
      small: new Int32(7),
      ratio: new Double(2),
      nested: { path: [{ cert: der, notAfter: expiry }] },
    };
    const coll = t.client.db(t.database).collection('certificationpaths');
    await coll.insertOne(doc);
    const back = await coll.findOne({ _id: id }, { promoteValues: false, promoteLongs: false, promoteBuffers: false });
    expect(back).not.toBeNull();
    expect(back!._id.toHexString()).toBe(id.toHexString());
    expect(Buffer.from((back!.derSerialization as Binary).buffer)).toEqual(Buffer.from(der.buffer));
    expect((back!.derSerialization as Binary).sub_type).toBe(0);
    expect((back!.uuid as Binary).sub_type).toBe(4);
    expect((back!.expiryDate as Date).toISOString()).toBe(expiry.toISOString());
    expect((back!.big as Long).toString()).toBe('9007199254740993');
    expect((back!.price as Decimal128).toString()).toBe('12.50');
    expect(back!.small).toBeInstanceOf(Int32);
    expect(back!.ratio).toBeInstanceOf(Double);
    expect((back!.nested as { path: { notAfter: Date }[] }).path[0].notAfter.getTime()).toBe(expiry.getTime());
  });

  it('finds by ObjectId and by date range', async () => {
    const coll = t.client.db(t.database).collection('identitypublickeydatas');
    const id = new ObjectId();
    await coll.insertMany([{ _id: id, expiry: new Date('2030-01-01') }, { expiry: new Date('2020-01-01') }]);
    expect(await coll.countDocuments({ _id: id })).toBe(1);
    expect(await coll.countDocuments({ expiry: { $gt: new Date('2025-01-01') } })).toBe(1);
  });
});
