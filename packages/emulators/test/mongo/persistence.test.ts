import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Binary, MongoClient, ObjectId } from 'mongodb';
import { expect, it } from 'vitest';
import { startMongoEmulator } from '../../src/mongo/index.js';

it('the sandbox data directory keeps databases, with exact BSON types, across restarts', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'gwctl-mongo-'));
  const id = new ObjectId();
  const der = new Binary(Buffer.from('30820122', 'hex'));
  const first = await startMongoEmulator({ dataDir });
  let client = await new MongoClient(first.uri).connect();
  await client
    .db('awala-gateway')
    .collection('certificationpaths')
    .insertOne({ _id: id, der, expiry: new Date(1_900_000_000_000) });
  await client.close();
  await first.close();
  expect(readdirSync(dataDir)).toEqual(['awala-gateway.ejson']);

  const second = await startMongoEmulator({ dataDir });
  client = await new MongoClient(second.uri).connect();
  const back = await client.db('awala-gateway').collection('certificationpaths').findOne({ _id: id });
  expect(Buffer.from((back!.der as Binary).buffer).toString('hex')).toBe('30820122');
  expect((back!.expiry as Date).getTime()).toBe(1_900_000_000_000);
  await client.db('awala-gateway').dropDatabase();
  await client.close();
  await second.close();
  expect(readdirSync(dataDir)).toEqual([]);
});
