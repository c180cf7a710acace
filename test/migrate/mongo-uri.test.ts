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

  it('a URI put where a variable name or a file path belongs is refused without echoing it', async () => {
    // gwctl.yaml's schema refuses these first (test/config/secrets.test.ts); environments built in code too.
    const uri = 'mongodb://gwadmin:hunter2@db.internal:27017/awala';
    for (const mongodb of [{ uriEnv: uri }, { uriFile: uri }, { uriFile: uri.replace('//', '/') }]) {
      const env = testEnvironment({ mongodb: { uriEnv: 'PLACEHOLDER' } });
      env.mongodb = { ...env.mongodb!, uriEnv: undefined, ...mongodb };
      const err = (await openMongo(env).catch((e: unknown) => e)) as Error;
      expect(err).toBeInstanceOf(UsageError);
      expect(err.message).toMatch(/holds what looks like a URI, .*\(value not shown\)/);
      expect(err.message).not.toMatch(/gwadmin|hunter2/);
    }
  });

  it('a variable named like an object built-in is looked up as a variable, not inherited', async () => {
    await expect(openMongo(testEnvironment({ mongodb: { uriEnv: 'toString' } }))).rejects.toThrow(
      /the MongoDB URI variable toString is not set/,
    );
  });

  it("the driver's complaint about the URI reads as written, with no user name or password", async () => {
    // MongoParseError texts of the Node.js driver (src/connection_string.ts): the second one echoes the user name.
    const cases = [
      ['mongodb://gw:adm:in@127.0.0.1:1/', 'Password contains unescaped characters'],
      ['mongodb://gw/admin:pw@127.0.0.1:1/', 'Username contains unescaped characters ***'],
    ];
    for (const [uri, reason] of cases) {
      const file = join(tempDir(), 'mongodb-uri');
      writeFileSync(file, uri!);
      const err = (await openMongo(testEnvironment({ mongodb: { uriFile: file } })).catch((e: unknown) => e)) as Error;
      expect(err).toBeInstanceOf(UsageError);
      expect(err.message).toContain(`is invalid: ${reason}; fix`);
      expect(err.message).not.toMatch(/gw\/admin|adm:in|\bpw\b/);
    }
  });

  it('prints hosts without credentials, for mongodb:// and mongodb+srv://', () => {
    // An unescaped @ or / in the password (refused by the driver) is not taken for a host.
    expect(mongoHosts('mongodb://gw:p@ss/w0rd@db.internal:27017/awala')).toBe('db.internal:27017');
    expect(mongoHosts('mongodb://gw:pw@a.example:27017,b.example:27017/awala?replicaSet=rs0')).toBe(
      'a.example:27017,b.example:27017',
    );
    expect(mongoHosts('mongodb+srv://gw:p%40ss@cluster0.ab1cd.mongodb.net/?retryWrites=true')).toBe(
      'cluster0.ab1cd.mongodb.net',
    );
    expect(mongoHosts('postgres://x@y/z')).toBeUndefined();
  });
});
