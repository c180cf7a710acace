import { randomBytes } from 'node:crypto';
import { v1 } from '@google-cloud/firestore-api';
import { credentials } from '@grpc/grpc-js';
import { Double, Int32, Long } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MongoSource } from '../../src/lib/cloud/mongo.js';
import type { Environment } from '../../src/lib/config/schema.js';
import { UsageError } from '../../src/lib/errors/gwctl-error.js';
import { firestoreIdProblem, openKeyev } from '../../src/lib/keyev/index.js';
import { applyKeystorePlan } from '../../src/lib/migrate/keystore-apply.js';
import {
  defaultKeystoreDeps,
  prepareKeystoreMigration,
  type KeystoreMigrationDeps,
} from '../../src/lib/migrate/keystore-migration.js';
import {
  type FirestoreTarget,
  type MongoTarget,
  startFirestoreTarget,
  startMongoTarget,
} from '@gwctl/emulators/testing';
import { testEnvironment } from '../helpers/migrate-env.js';

/**
 * Firestore's documented limits (https://firebase.google.com/docs/firestore/quotas#collections_documents_and_fields,
 * https://cloud.google.com/firestore/docs/reference/rpc/google.firestore.v1#value, and google.protobuf.Timestamp's
 * range, 0001-01-01T00:00:00Z to 9999-12-31T23:59:59.999999999Z), each checked when the plan is made, so a
 * document Firestore would refuse or change stops the run before its first batch, naming the document.
 */
describe('migrate keystore against Firestore’s limits', () => {
  let mongo: MongoTarget;
  let fs: FirestoreTarget;
  let env: Environment;
  let raw: InstanceType<typeof v1.FirestoreClient>;
  const uriEnv = `GWCTL_TEST_MONGODB_URI_${randomBytes(3).toString('hex').toUpperCase()}`;

  beforeAll(async () => {
    [mongo, fs] = await Promise.all([startMongoTarget('gwctl-limits'), startFirestoreTarget()]);
    process.env[uriEnv] = mongo.uri;
    env = testEnvironment({
      project: fs.projectId,
      firestoreHost: fs.host,
      mongodb: { uriEnv, database: mongo.database },
    });
    const [host, port] = fs.host.split(':');
    raw = new v1.FirestoreClient({
      servicePath: host,
      port: Number(port),
      sslCreds: credentials.createInsecure(),
      projectId: fs.projectId,
      universeDomain: 'googleapis.com',
    });
  });
  afterAll(async () => {
    delete process.env[uriEnv];
    await raw.close();
    await Promise.all([mongo.close(), fs.close()]);
  });

  const insert = (collection: string, docs: Record<string, unknown>[]) =>
    mongo.client.db(mongo.database).collection(collection).insertMany(docs);
  const countIn = async (collection: string) => (await fs.client.collection(collection).get()).size;

  /** The document exactly as the emulator stores it, each field with its wire type (`valueType`), read over gRPC. */
  async function storedFields(collection: string, id: string): Promise<Record<string, { valueType?: string }>> {
    const database = `projects/${fs.projectId}/databases/(default)`;
    const found: { found?: { fields?: Record<string, { valueType?: string }> } }[] = [];
    const stream = raw.batchGetDocuments(
      { database, documents: [`${database}/documents/${collection}/${id}`] },
      { otherArgs: { headers: { Authorization: 'Bearer owner' } } },
    );
    await new Promise<void>((resolve, reject) =>
      stream
        .on('data', (m: (typeof found)[0]) => found.push(m))
        .on('end', resolve)
        .on('error', reject),
    );
    return found[0]?.found?.fields ?? {};
  }

  describe('document ids', () => {
    it('the reserved __…__ form is matched across line terminators (\\r, \\n, U+2028, U+2029)', () => {
      for (const id of ['__a\rb__', '__\n__', '__x\u2028y__', '__\u2029__', '____'])
        expect(firestoreIdProblem(id)).toMatch(/reserves document ids of the form __…__/);
      for (const id of ['__a', 'a__', '___', '_x_', 'a__b__']) expect(firestoreIdProblem(id)).toBeUndefined();
    });

    it('a reserved _id hidden behind a carriage return refuses the run, naming it, and nothing is written', async () => {
      await insert('reservedids', [{ _id: 'peer-1' as never }, { _id: '__peer\r2__' as never }]);
      const run = await prepareKeystoreMigration(env, { collections: ['reservedids'] });
      expect(run.plan.collections[0].documents.find((d) => d.action === 'invalid')).toMatchObject({
        id: '__peer\r2__',
        reason: expect.stringMatching(/Firestore reserves document ids of the form __…__/),
      });
      const err = (await applyKeystorePlan(run.plan, run.data, run.store).catch((e: unknown) => e)) as Error;
      // Named on one line: the carriage return is shown escaped, not sent to the terminal.
      expect(err.message).toMatch(
        /^1 document\(s\) cannot be copied to Firestore \(first: reservedids\/"__peer\\r2__": _id "__peer\\r2__" cannot be a Firestore document id: Firestore reserves document ids of the form __…__\); nothing was written$/,
      );
      expect(err.message).not.toMatch(/[\r\n]/);
      await run.close();
      expect(await countIn('reservedids')).toBe(0);
    });

    it('a collection Firestore could not name is refused before anything is read', async () => {
      await expect(prepareKeystoreMigration(env, { collections: ['__keys\u2028__'] })).rejects.toThrow(
        /collection "__keys\\u2028__" cannot be copied to Firestore: Firestore reserves collection ids/,
      );
    });

    it('keyev refuses a key with a lone surrogate rather than let the client store it as U+FFFD', async () => {
      const keyev = await openKeyev(testEnvironment({ project: fs.projectId, firestoreHost: fs.host }), 'firestore');
      try {
        await expect(keyev.set('current\uD800id', '0abc')).rejects.toThrow(UsageError);
        expect(keyev.keyProblem('\uDC00')).toMatch(/valid UTF-8.*lone UTF-16 surrogate/);
        expect(keyev.keyProblem('peer-\u{1F600}')).toBeUndefined(); // a surrogate pair is one character
        expect(await keyev.list()).toEqual(new Map());
      } finally {
        await keyev.close();
      }
    });
  });

  describe('lone surrogates', () => {
    // BSON holds UTF-8 only, so they cannot come out of a real server; a source that is not MongoDB could pass them.
    const sourceOf = (docs: Record<string, unknown>[]): KeystoreMigrationDeps => ({
      ...defaultKeystoreDeps,
      openSource: async (): Promise<MongoSource> => ({
        database: 'awala-gateway',
        where: 'stand-in',
        listDatabases: async () => ['awala-gateway'],
        listCollections: async () => ['surrogates'],
        readAll: async () => docs,
        ttlIndexes: async () => [],
        close: async () => {},
      }),
    });

    it('in an _id, a string or a field name, refuse that document at plan time, naming it', async () => {
      const run = await prepareKeystoreMigration(
        env,
        { collections: ['surrogates'] },
        sourceOf([
          { _id: 'peer-\uD800', peerId: '0a' },
          { _id: 'peer-b', peerId: 'x\uDC00y' },
          { _id: 'peer-c', meta: { ['k\uD83D']: 1 } },
          { _id: 'peer-d', peerId: 'fine \u{1F600}' },
        ]),
      );
      const byId = Object.fromEntries(run.plan.collections[0].documents.map((d) => [d.id, d]));
      expect(byId['peer-\uD800']).toMatchObject({ action: 'invalid', reason: expect.stringMatching(/lone UTF-16/) });
      expect(byId['peer-b']).toMatchObject({
        action: 'invalid',
        reason:
          'peerId is a string that is not valid UTF-8 (a lone UTF-16 surrogate); Firestore would store U+FFFD in its place',
      });
      expect(byId['peer-c']).toMatchObject({
        action: 'invalid',
        reason: expect.stringMatching(/field name "meta\.k.*lone/),
      });
      expect(byId['peer-d']).toMatchObject({ action: 'create' });
      await expect(applyKeystorePlan(run.plan, run.data, run.store)).rejects.toThrow(
        /3 document\(s\) cannot be copied/,
      );
      await run.close();
      expect(await countIn('surrogates')).toBe(0);
    });
  });

  describe('values', () => {
    it('a regular expression is refused, not copied as an empty map', async () => {
      await insert('patterns', [{ _id: 'peer-re' as never, match: /^0[0-9a-f]+$/i }]);
      const run = await prepareKeystoreMigration(env, { collections: ['patterns'] });
      expect(run.plan.collections[0].documents[0]).toMatchObject({
        action: 'invalid',
        reason: 'match is a regular expression, which the keystore migration does not convert',
      });
      await run.close();
    });
  });

  describe('dates', () => {
    it('a date after 9999-12-31 in the last batch refuses the run before the first batch is written', async () => {
      await insert('farfuture', [
        ...Array.from({ length: 600 }, (_, i) => ({
          _id: `peer-${String(i).padStart(3, '0')}`,
          expiryDate: new Date(),
        })),
        { _id: 'zz-last', expiryDate: new Date('+010000-01-01T00:00:00.000Z') },
      ] as never[]);
      const run = await prepareKeystoreMigration(env, { collections: ['farfuture'] });
      expect(run.plan.collections[0].counts).toMatchObject({ create: 600, invalid: 1 });
      await expect(applyKeystorePlan(run.plan, run.data, run.store)).rejects.toThrow(
        /first: farfuture\/zz-last: expiryDate is \+010000-01-01T00:00:00\.000Z, outside Firestore's timestamp range \(0001-01-01 to 9999-12-31 UTC\)\); nothing was written/,
      );
      await run.close();
      expect(await countIn('farfuture')).toBe(0);
    });

    it('a date before year 1 is refused too; the first and last instants of the range are copied exactly', async () => {
      await insert('edges', [
        { _id: 'first' as never, at: new Date('0001-01-01T00:00:00.000Z') },
        { _id: 'last' as never, at: new Date('9999-12-31T23:59:59.999Z') },
        { _id: 'year-0' as never, nested: { at: new Date('0000-12-31T23:59:59.999Z') } },
      ]);
      const refused = await prepareKeystoreMigration(env, { collections: ['edges'] });
      expect(refused.plan.collections[0].documents.find((d) => d.id === 'year-0')).toMatchObject({
        action: 'invalid',
        reason: expect.stringMatching(/^nested\.at is 0000-12-31T23:59:59\.999Z, outside Firestore's timestamp range/),
      });
      await refused.close();
      await mongo.client
        .db(mongo.database)
        .collection('edges')
        .deleteOne({ _id: 'year-0' as never });
      const run = await prepareKeystoreMigration(env, { collections: ['edges'] });
      const summary = await applyKeystorePlan(run.plan, run.data, run.store);
      await run.close();
      expect(summary).toMatchObject({ created: 2, failed: 0 });
      expect(summary.verification[0].ok).toBe(true);
      expect((await fs.client.collection('edges').doc('first').get()).get('at').toDate().toISOString()).toBe(
        '0001-01-01T00:00:00.000Z',
      );
    });
  });

  describe('numbers', () => {
    it('a MongoDB Double stays a double on the wire, 5.0 included; Int32 and Long become integers', async () => {
      await insert('numbers', [
        {
          _id: 'ratios' as never,
          whole: new Double(5),
          half: new Double(0.5),
          negativeZero: new Double(-0),
          count: new Int32(5),
          serial: Long.fromNumber(7),
          nested: { whole: new Double(2) },
          list: [new Double(1), new Int32(1)],
        },
      ]);
      const run = await prepareKeystoreMigration(env, { collections: ['numbers'] });
      const summary = await applyKeystorePlan(run.plan, run.data, run.store);
      await run.close();
      expect(summary.verification[0].ok).toBe(true);
      const f = (await storedFields('numbers', 'ratios')) as Record<string, Record<string, unknown>>;
      expect(f.whole).toMatchObject({ valueType: 'doubleValue', doubleValue: 5 });
      expect(f.half).toMatchObject({ valueType: 'doubleValue', doubleValue: 0.5 });
      expect(Object.is(f.negativeZero.doubleValue, -0)).toBe(true);
      expect(f.count).toMatchObject({ valueType: 'integerValue', integerValue: '5' });
      expect(f.serial).toMatchObject({ valueType: 'integerValue', integerValue: '7' });
      const nested = (f.nested.mapValue as { fields: Record<string, { valueType: string }> }).fields;
      expect(nested.whole.valueType).toBe('doubleValue');
      const list = (f.list.arrayValue as { values: { valueType: string }[] }).values;
      expect(list.map((v) => v.valueType)).toEqual(['doubleValue', 'integerValue']);
    });

    it('a double an earlier gwctl stored as an integer is a conflict, not "unchanged"; --overwrite makes it a double', async () => {
      await insert('legacy', [{ _id: 'ratio' as never, whole: new Double(5) }]);
      await fs.client.collection('legacy').doc('ratio').set({ whole: 5 }); // what the high-level SDK writes for 5.0
      const refused = await prepareKeystoreMigration(env, { collections: ['legacy'] });
      expect(refused.plan.counts).toMatchObject({ conflict: 1, unchanged: 0 });
      await refused.close();
      const forced = await prepareKeystoreMigration(env, { collections: ['legacy'], overwrite: true });
      expect(await applyKeystorePlan(forced.plan, forced.data, forced.store)).toMatchObject({
        overwritten: 1,
        failed: 0,
      });
      await forced.close();
      expect((await storedFields('legacy', 'ratio')).whole).toMatchObject({ valueType: 'doubleValue' });
    });
  });
});
