import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mongoHosts, openMongo } from '../../src/lib/cloud/mongo.js';
import { UsageError } from '../../src/lib/errors/gwctl-error.js';
import { tempDir } from '../helpers/cli.js';
import { testEnvironment } from '../helpers/migrate-env.js';
import { startMongoTarget, type MongoTarget } from '@gwctl/emulators/testing';

describe('where gwctl finds the MongoDB URI', () => {
  let mongo: MongoTarget;
  beforeAll(async () => {
    mongo = await startMongoTarget('gwctl-uri');
  });
  afterAll(() => mongo.close());

  it('reads mongodb.uriFile, trimming the trailing newline', async () => {
    const file = join(tempDir(), 'mongodb-uri');
    writeFileSync(file, `${mongo.uri}\n`);
    const conn = await openMongo(testEnvironment({ mongodb: { uriFile: file, database: mongo.database } }));
    expect(conn.database).toBe(mongo.database);
    expect((await conn.db.command({ ping: 1 })).ok).toBe(1);
    await conn.close();
  });

  it('a missing URI file is a usage error naming the file, not its contents', async () => {
    const file = join(tempDir(), 'nope');
    const err = (await openMongo(testEnvironment({ mongodb: { uriFile: file } })).then(
      () => undefined,
      (e: unknown) => e as Error,
    ))!;
    expect(err).toBeInstanceOf(UsageError);
    expect(err.message).toContain('cannot read the MongoDB URI file');
    expect(err.message).toContain('(ENOENT)');
  });

  it('prints hosts without credentials, for mongodb:// and mongodb+srv://', () => {
    expect(mongoHosts('mongodb://gw:pw@a.example:27017,b.example:27017/awala?replicaSet=rs0')).toBe(
      'a.example:27017,b.example:27017',
    );
    expect(mongoHosts('mongodb+srv://gw:p%40ss@cluster0.ab1cd.mongodb.net/?retryWrites=true')).toBe(
      'cluster0.ab1cd.mongodb.net',
    );
    expect(mongoHosts('postgres://x@y/z')).toBeUndefined();
  });
});
