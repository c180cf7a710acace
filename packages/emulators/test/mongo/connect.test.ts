import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMongoTarget, usingRealMongo, type MongoTarget } from '../../src/testing/index.js';

describe('the MongoDB emulator accepts the official driver', () => {
  let t: MongoTarget;
  beforeAll(async () => {
    t = await startMongoTarget();
  });
  afterAll(() => t.close());

  it('answers ping and buildInfo', async () => {
    const admin = t.client.db('admin');
    expect((await admin.command({ ping: 1 })).ok).toBe(1);
    const info = await admin.command({ buildInfo: 1 });
    expect(info.version).toMatch(/^\d+\.\d+/);
  });

  it('lists databases and collections, filtered by name', async () => {
    const db = t.client.db(t.database);
    await db.collection('configitems').insertOne({ key: 'current_id', value: '0deadbeef' });
    await db.createCollection('certificationpaths');
    const dbs = await t.client.db('admin').admin().listDatabases();
    expect(dbs.databases.map((d) => d.name)).toContain(t.database);
    const names = (await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name).sort();
    expect(names).toEqual(['certificationpaths', 'configitems']);
    const one = await db.listCollections({ name: 'configitems' }).toArray();
    expect(one).toHaveLength(1);
    expect(one[0]).toMatchObject({ name: 'configitems', type: 'collection' });
  });

  it('refuses to create a collection twice and drops it', async () => {
    const db = t.client.db(t.database);
    await db.createCollection('twice');
    await expect(db.createCollection('twice')).rejects.toMatchObject({ code: 48 });
    expect(await db.collection('twice').drop()).toBe(true);
    expect((await db.listCollections({ name: 'twice' }).toArray()).length).toBe(0);
  });

  it.skipIf(usingRealMongo)('records each command with its namespace and status', async () => {
    const db = t.client.db(t.database);
    t.emulator!.log.clear();
    await db.collection('configitems').findOne({ key: 'nope' });
    await db.command({ nosuchcommand: 1 }).catch(() => undefined);
    const seen = t.emulator!.log.list({ service: 'mongodb' }).map((r) => [r.method, r.path, r.status]);
    expect(seen).toContainEqual(['find', `${t.database}.configitems`, 0]);
    expect(seen).toContainEqual(['nosuchcommand', t.database, 59]);
  });
});
