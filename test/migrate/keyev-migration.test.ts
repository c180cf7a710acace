import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Environment } from '../../src/lib/config/schema.js';
import { MONGO_READ_COMMANDS } from '@gwctl/emulators/mongo';
import { startKubeEmulator, type KubeEmulator } from '@gwctl/emulators/kube';
import { RuntimeError, UsageError } from '../../src/lib/errors/gwctl-error.js';
import { applyKeyevPlan } from '../../src/lib/migrate/keyev-apply.js';
import { prepareKeyevMigration, type KeyevMigrationOptions } from '../../src/lib/migrate/keyev-migration.js';
import {
  type FirestoreTarget,
  kubeClients,
  type MongoTarget,
  startFirestoreTarget,
  startMongoTarget,
} from '@gwctl/emulators/testing';
import { testEnvironment } from '../helpers/migrate-env.js';

describe('gwctl migrate keyev', () => {
  let mongo: MongoTarget;
  let fs: FirestoreTarget;
  let kube: KubeEmulator;
  let env: Environment;
  const uriEnv = `GWCTL_TEST_MONGODB_URI_${randomBytes(3).toString('hex').toUpperCase()}`;

  beforeAll(async () => {
    [mongo, fs, kube] = await Promise.all([
      startMongoTarget('gwctl-keyev'),
      startFirestoreTarget(),
      startKubeEmulator(),
    ]);
    process.env[uriEnv] = mongo.uri;
    env = testEnvironment({
      project: fs.projectId,
      firestoreHost: fs.host,
      kubeServer: kube.url,
      mongodb: { uriEnv, database: mongo.database },
      keyev: { backend: 'firestore', collection: 'keyev', configMap: 'gateway-keyev' },
    });
    await mongo.client
      .db(mongo.database)
      .collection('configitems')
      .insertMany([
        { key: 'current_private_address', value: '0a1b2c' },
        { key: 'public_address', value: 'braavos.relaycorp.cloud' },
        { key: 'init_done', value: 'true' },
      ]);
    // keyev already holds one key with the same value and one with a different value.
    await fs.client.collection('keyev').doc('init_done').set({ value: 'true', updatedAt: new Date() });
    await fs.client.collection('keyev').doc('public_address').set({ value: 'old.example', updatedAt: new Date() });
  });
  afterAll(async () => {
    delete process.env[uriEnv];
    await Promise.all([mongo.close(), fs.close(), kube.close()]);
  });

  const opts: KeyevMigrationOptions = { rename: { current_private_address: 'current_id' } };
  const keyevDocs = async () =>
    Object.fromEntries((await fs.client.collection('keyev').get()).docs.map((d) => [d.id, d.get('value')]));

  it('plans create, unchanged and conflict per key, and a dry run writes nothing', async () => {
    const before = await keyevDocs();
    mongo.emulator?.log.clear();
    const { plan, close } = await prepareKeyevMigration(env, opts);
    await close();
    expect(plan.items.map((i) => [i.key, i.action])).toEqual([
      ['current_id', 'create'],
      ['init_done', 'unchanged'],
      ['public_address', 'conflict'],
    ]);
    expect(plan.source).toEqual({
      where: expect.stringMatching(/:\d+/),
      database: mongo.database,
      collection: 'configitems',
      documents: 3,
    });
    expect(await keyevDocs()).toEqual(before);
    if (mongo.emulator) expect(mongo.emulator.log.list().filter((r) => !MONGO_READ_COMMANDS.has(r.method))).toEqual([]);
  });

  it('refuses the conflict without --overwrite and writes nothing', async () => {
    const before = await keyevDocs();
    const { plan, store, close } = await prepareKeyevMigration(env, opts);
    await expect(applyKeyevPlan(plan, store, { overwrite: false })).rejects.toThrow(UsageError);
    await expect(applyKeyevPlan(plan, store, { overwrite: false })).rejects.toThrow(/public_address.*--overwrite/);
    await close();
    expect(await keyevDocs()).toEqual(before);
  });

  it('with --overwrite writes, reads back and counts every key; a re-run is a no-op', async () => {
    const first = await prepareKeyevMigration(env, opts);
    const summary = await applyKeyevPlan(first.plan, first.store, { overwrite: true });
    await first.close();
    expect(summary).toEqual({ created: 1, unchanged: 1, overwritten: 1, failed: 0, failures: [] });
    expect(await keyevDocs()).toEqual({
      current_id: '0a1b2c',
      init_done: 'true',
      public_address: 'braavos.relaycorp.cloud',
    });

    const again = await prepareKeyevMigration(env, opts);
    expect(again.plan.counts).toEqual({ create: 0, unchanged: 3, conflict: 0, invalid: 0 });
    expect(await applyKeyevPlan(again.plan, again.store, { overwrite: false })).toMatchObject({
      created: 0,
      unchanged: 3,
      overwritten: 0,
      failed: 0,
    });
    await again.close();
  });

  it('fills a ConfigMap with --to configmap, creating it', async () => {
    kube.log.clear();
    const { plan, store, close } = await prepareKeyevMigration(env, { ...opts, to: 'configmap' });
    expect(plan.target.where).toBe('ConfigMap default/gateway-keyev');
    expect(kube.log.list().filter((r) => r.method !== 'GET')).toEqual([]);
    expect(await applyKeyevPlan(plan, store, { overwrite: false })).toMatchObject({ created: 3, failed: 0 });
    await close();
    const cm = await kubeClients(kube.url).core.readNamespacedConfigMap({
      name: 'gateway-keyev',
      namespace: 'default',
    });
    expect(cm.data).toEqual({ current_id: '0a1b2c', init_done: 'true', public_address: 'braavos.relaycorp.cloud' });
  });

  it('refuses a key that is not a valid ConfigMap key, naming it', async () => {
    await mongo.client.db(mongo.database).collection('oddkeys').insertOne({ key: 'relay host', value: 'x' });
    const { plan, store, close } = await prepareKeyevMigration(env, { to: 'configmap', collection: 'oddkeys' });
    expect(plan.items[0]).toMatchObject({ key: 'relay host', action: 'invalid' });
    await expect(applyKeyevPlan(plan, store, { overwrite: true })).rejects.toThrow(/relay host.*letters, digits/);
    await close();
  });

  it('a wrong database or collection name is a clear usage error, not an empty success', async () => {
    const wrongDb = prepareKeyevMigration(env, { ...opts, database: `${mongo.database}-typo` });
    await expect(wrongDb).rejects.toThrow(UsageError);
    await expect(prepareKeyevMigration(env, { ...opts, database: `${mongo.database}-typo` })).rejects.toThrow(
      new RegExp(`database "${mongo.database}-typo" does not exist .*databases there: .*${mongo.database}.*--database`),
    );
    await expect(prepareKeyevMigration(env, { ...opts, collection: 'configitem' })).rejects.toThrow(
      /collection "configitem" does not exist in database .*collections there: configitems, oddkeys; pass --collection/,
    );
  });

  it('an unset URI variable is a usage error naming the variable', async () => {
    const unset = testEnvironment({ project: fs.projectId, mongodb: { uriEnv: 'GWCTL_TEST_UNSET_URI' } });
    await expect(prepareKeyevMigration(unset, opts)).rejects.toThrow(/GWCTL_TEST_UNSET_URI is not set/);
  });

  it('MongoDB unreachable: one clear line, exit 1, and no URI or credentials', async () => {
    const secretEnv = `${uriEnv}_DOWN`;
    // Port 1: nothing listens there. The URI's own timeout overrides gwctl's 5 s default, to keep the test short.
    process.env[secretEnv] =
      'mongodb://gwadmin:s3cret%40pass@127.0.0.1:1/awala?authSource=admin&serverSelectionTimeoutMS=1000';
    const down = testEnvironment({ name: 'prod', project: fs.projectId, mongodb: { uriEnv: secretEnv } });
    const started = Date.now();
    const err = await prepareKeyevMigration(down, opts).then(
      () => undefined,
      (e: unknown) => e as RuntimeError,
    );
    delete process.env[secretEnv];
    expect(err).toBeInstanceOf(RuntimeError);
    expect(err!.exitCode).toBe(1);
    expect(err!.message).toMatch(
      /^cannot reach MongoDB for environment prod at 127\.0\.0\.1:1: .+; check the URI in \$GWCTL_TEST/,
    );
    expect(err!.message).not.toMatch(/gwadmin|s3cret|mongodb:\/\//);
    expect(err!.message).not.toContain('\n');
    expect(err!.cause).toBeUndefined();
    expect(Date.now() - started).toBeLessThan(4_000);
  });

  it('a malformed URI is a usage error that does not echo it', async () => {
    const badEnv = `${uriEnv}_BAD`;
    process.env[badEnv] = 'mongodb://gwadmin:s3cret@127.0.0.1:27017/?notAnOption=1';
    const bad = testEnvironment({ project: fs.projectId, mongodb: { uriEnv: badEnv } });
    const err = await prepareKeyevMigration(bad, opts).catch((e: unknown) => e as UsageError);
    delete process.env[badEnv];
    expect(err).toBeInstanceOf(UsageError);
    expect((err as UsageError).message).toMatch(new RegExp(`the MongoDB URI in \\$${badEnv} is invalid`));
    expect((err as UsageError).message).not.toMatch(/gwadmin|s3cret|mongodb:\/\//);
  });
});
