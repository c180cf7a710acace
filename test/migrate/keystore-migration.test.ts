import { randomBytes } from 'node:crypto';
import { Timestamp } from '@google-cloud/firestore';
import { Binary, Long, ObjectId, UUID } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Environment } from '../../src/lib/config/schema.js';
import { UsageError } from '../../src/lib/errors/gwctl-error.js';
import { applyKeystorePlan, verifyKeystore } from '../../src/lib/migrate/keystore-apply.js';
import { prepareKeystoreMigration } from '../../src/lib/migrate/keystore-migration.js';
import {
  type FirestoreTarget,
  type MongoTarget,
  startFirestoreTarget,
  startMongoTarget,
} from '@gwctl/emulators/testing';
import { testEnvironment } from '../helpers/migrate-env.js';

describe('gwctl migrate keystore', () => {
  let mongo: MongoTarget;
  let fs: FirestoreTarget;
  let env: Environment;
  const uriEnv = `GWCTL_TEST_MONGODB_URI_${randomBytes(3).toString('hex').toUpperCase()}`;
  const certId = new ObjectId();
  const der = Buffer.from(randomBytes(600));
  const expiry = new Date('2031-05-06T07:08:09.123Z');

  beforeAll(async () => {
    [mongo, fs] = await Promise.all([startMongoTarget('gwctl-keystore'), startFirestoreTarget()]);
    process.env[uriEnv] = mongo.uri;
    env = testEnvironment({
      project: fs.projectId,
      firestoreHost: fs.host,
      mongodb: { uriEnv, database: mongo.database },
    });
    const db = mongo.client.db(mongo.database);
    await db.collection('certificationpaths').insertOne({
      _id: certId,
      issuerId: '0abcdef',
      leafCertificate: new Binary(der),
      expiryDate: expiry,
      path: {
        chain: [new Binary(Buffer.from('3082', 'hex')), new Binary(Buffer.from('3083', 'hex'))],
        notAfter: expiry,
      },
      serial: Long.fromString('1234567890123456789'),
    });
    await db.collection('certificationpaths').createIndex({ expiryDate: 1 }, { expireAfterSeconds: 0 });
    await db.collection('identitypublickeydatas').insertMany(
      Array.from({ length: 1001 }, (_, i) => ({
        peerId: `0${i.toString(16).padStart(8, '0')}`,
        derSerialization: new Binary(Buffer.from(`key-${i}`)),
        keyId: new UUID(),
        creationDate: new Date(1_700_000_000_000 + i),
      })),
    );
    await db
      .collection('peerpublickeydatas')
      .insertOne({ _id: 'peer-1' as never, peerId: '0peer', derSerialization: new Binary(Buffer.from('pk')) });
  });
  afterAll(async () => {
    delete process.env[uriEnv];
    await Promise.all([mongo.close(), fs.close()]);
  });

  it('plans every document as a create, in batches of at most 500, and the plan writes nothing', async () => {
    const { plan, close } = await prepareKeystoreMigration(env, {});
    await close();
    expect(plan.collections.map((c) => [c.collection, c.counts.create, c.batches.map((b) => b.length)])).toEqual([
      ['certificationpaths', 1, [1]],
      ['identitypublickeydatas', 1001, [500, 500, 1]],
      ['peerpublickeydatas', 1, [1]],
    ]);
    expect(plan.warnings.join('\n')).toMatch(
      /gcloud firestore fields ttls update expiryDate --collection-group=certificationpaths --enable-ttl/,
    );
    expect(JSON.parse(JSON.stringify(plan))).toEqual(plan);
    expect((await fs.client.collection('identitypublickeydatas').get()).size).toBe(0);
  });

  it('copies binary fields as bytes and dates as timestamps, exactly, keyed by the hex ObjectId', async () => {
    const run = await prepareKeystoreMigration(env, {});
    const summary = await applyKeystorePlan(run.plan, run.data, run.store);
    await run.close();
    expect(summary).toMatchObject({ created: 1003, unchanged: 0, overwritten: 0, failed: 0 });
    expect(summary.verification.every((v) => v.ok)).toBe(true);

    const cert = (await fs.client.collection('certificationpaths').doc(certId.toHexString()).get()).data()!;
    expect(Buffer.from(cert.leafCertificate as Uint8Array).equals(der)).toBe(true);
    expect(cert.expiryDate).toBeInstanceOf(Timestamp);
    expect((cert.expiryDate as Timestamp).toDate().toISOString()).toBe(expiry.toISOString());
    expect((cert.path.notAfter as Timestamp).toMillis()).toBe(expiry.getTime());
    expect((cert.path.chain as Uint8Array[]).map((b) => Buffer.from(b).toString('hex'))).toEqual(['3082', '3083']);
    expect(cert.serial).toBe('1234567890123456789');
    expect(cert._id).toBeUndefined();
    expect((await fs.client.collection('peerpublickeydatas').doc('peer-1').get()).exists).toBe(true);
  });

  it('a re-run finds everything there and identical, and writes nothing', async () => {
    const run = await prepareKeystoreMigration(env, {});
    expect(run.plan.counts).toEqual({ create: 0, unchanged: 1003, conflict: 0, invalid: 0 });
    expect(run.plan.collections.flatMap((c) => c.batches)).toEqual([]);
    await run.close();
  });

  it('resumes after a partial copy: only the missing documents are written', async () => {
    const snap = await fs.client.collection('identitypublickeydatas').get();
    const batch = fs.client.batch();
    for (const d of snap.docs.slice(0, 300)) batch.delete(d.ref);
    await batch.commit();
    const run = await prepareKeystoreMigration(env, {});
    expect(run.plan.counts).toMatchObject({ create: 300, unchanged: 703 });
    const summary = await applyKeystorePlan(run.plan, run.data, run.store);
    expect(summary).toMatchObject({ created: 300, unchanged: 703, failed: 0 });
    await run.close();
  });

  it('a document changed in Firestore is a conflict: refused without --overwrite, replaced with it', async () => {
    await fs.client.collection('certificationpaths').doc(certId.toHexString()).update({ issuerId: 'tampered' });
    const refused = await prepareKeystoreMigration(env, {});
    expect(refused.plan.counts.conflict).toBe(1);
    await expect(applyKeystorePlan(refused.plan, refused.data, refused.store)).rejects.toThrow(UsageError);
    expect(
      (await verifyKeystore(refused.plan, refused.store)).find((v) => v.collection === 'certificationpaths'),
    ).toMatchObject({
      ok: false,
      different: [certId.toHexString()],
    });
    await refused.close();

    const forced = await prepareKeystoreMigration(env, { overwrite: true });
    expect(await applyKeystorePlan(forced.plan, forced.data, forced.store)).toMatchObject({
      overwritten: 1,
      failed: 0,
    });
    await forced.close();
    expect((await fs.client.collection('certificationpaths').doc(certId.toHexString()).get()).get('issuerId')).toBe(
      '0abcdef',
    );
  });

  it('a wrong database is a clear usage error listing what exists', async () => {
    await expect(prepareKeystoreMigration(env, { database: 'awala-gatewy' })).rejects.toThrow(
      /database "awala-gatewy" does not exist .*databases there: .*--database/,
    );
  });

  it('refuses a document Firestore cannot hold (an array of arrays) instead of changing it', async () => {
    const db = mongo.client.db(mongo.database);
    await db.collection('odd').insertOne({ _id: 'nested' as never, matrix: [[1, 2]] });
    const run = await prepareKeystoreMigration(env, { collections: ['odd'] });
    expect(run.plan.collections[0].documents[0]).toMatchObject({
      id: 'nested',
      action: 'invalid',
      reason: expect.stringMatching(/array inside an array/),
    });
    await expect(applyKeystorePlan(run.plan, run.data, run.store)).rejects.toThrow(/odd\/nested/);
    await run.close();
  });
});
