import { randomBytes } from 'node:crypto';
import { Double, Int32, MaxKey, MinKey, MongoClient, ObjectId } from 'mongodb';
import { afterEach, describe, expect, it } from 'vitest';
import { isTransientMongoError, openMongoSource, READ_PAGE, resumeAfter } from '../../src/lib/cloud/mongo.js';
import type { RetryOptions } from '../../src/lib/cloud/retry.js';
import { FaultInjector } from '@gwctl/emulators/common';
import { startMongoEmulator, type MongoEmulator } from '@gwctl/emulators/mongo';
import { testEnvironment } from '../helpers/migrate-env.js';

/** Waits are recorded, not slept: the tests count tries, never time. */
const instant: RetryOptions = { sleep: async () => {} };

/** Handshakes and heartbeats are never faulted (the emulator's NEVER_FAULTED); every other command draws once. */
const HEARTBEATS = new Set(['hello', 'ismaster', 'isMaster', 'endSessions']);

/** Injects `fault` into the commands whose 0-based position among faultable ones is listed; none elsewhere. */
class FaultAt extends FaultInjector {
  private seen = 0;
  constructor(
    private readonly at: Set<number>,
    private readonly fault: 'reset' | '503' | '429',
  ) {
    super();
  }
  override decide() {
    return this.at.has(this.seen++) ? this.fault : undefined;
  }
}

const DB = 'awala-gateway';
const ints = Array.from({ length: 300 }, (_, i) => new Int32(i));
const strings = Array.from({ length: 1000 }, (_, i) => `peer-${String(i).padStart(4, '0')}`);
const oids = Array.from({ length: 500 }, () => new ObjectId());
/** In MongoDB's order: numbers, then strings, then ObjectIds; pages of 1000 cross both brackets. */
const ALL_IDS = [
  ...ints.map((i) => `int:${i.value}`),
  ...strings.map((s) => `str:${s}`),
  ...oids.map((o) => `oid:${o}`),
];
const idKey = (id: unknown) =>
  typeof id === 'string' ? `str:${id}` : id instanceof ObjectId ? `oid:${id}` : `int:${(id as Int32).value}`;

describe('reading a whole collection from MongoDB', () => {
  let emu: MongoEmulator;
  let uriEnv: string;
  let seeder: MongoClient;

  async function start(faults?: FaultInjector) {
    emu = await startMongoEmulator(faults ? { faults } : {});
    uriEnv = `GWCTL_TEST_MONGODB_URI_${randomBytes(3).toString('hex').toUpperCase()}`;
    process.env[uriEnv] = emu.uri;
    seeder = await new MongoClient(emu.uri, { serverSelectionTimeoutMS: 3000 }).connect();
    await seeder
      .db(DB)
      .collection('peerpublickeydatas')
      .insertMany([...ints, ...strings, ...oids].map((_id) => ({ _id: _id as never, derSerialization: 'k' })));
  }
  const env = () => testEnvironment({ mongodb: { uriEnv, database: DB } });

  afterEach(async () => {
    await seeder?.close();
    await emu?.close();
    delete process.env[uriEnv];
  });

  it('reads every document once, in _id order, across type brackets and pages', async () => {
    await start();
    const source = await openMongoSource(env(), { retry: instant });
    const docs = await source.readAll('peerpublickeydatas');
    await source.close();
    expect(docs.map((d) => idKey(d._id))).toEqual(ALL_IDS);
    expect(emu.log.list({ method: 'find' })).toHaveLength(Math.ceil(ALL_IDS.length / READ_PAGE));
  });

  it('a connection dropped on the second page is asked again from the last _id read: nothing skipped or repeated', async () => {
    // A fault-free run shows which faultable command reads the second page; a second run drops exactly that one.
    await start();
    let source = await openMongoSource(env(), { retry: instant });
    await source.readAll('peerpublickeydatas');
    await source.close();
    const drawn = emu.log.entries.filter((r) => !HEARTBEATS.has(r.method));
    const secondPage = drawn.indexOf(drawn.filter((r) => r.method === 'find')[1]!);
    await seeder.close();
    await emu.close();

    await start(new FaultAt(new Set([secondPage]), 'reset'));
    source = await openMongoSource(env(), { retry: instant });
    const docs = await source.readAll('peerpublickeydatas');
    await source.close();
    expect(emu.log.list({ method: 'find' }).map((r) => r.fault ?? 'ok')).toEqual(['ok', 'reset', 'ok']);
    expect(docs.map((d) => idKey(d._id))).toEqual(ALL_IDS);
  });

  it('a read refused every time (ShutdownInProgress) is tried 8 times, then reported in one line without the URI', async () => {
    await start();
    const source = await openMongoSource(env(), { retry: instant });
    emu.faults.set({ p503: 1 });
    const err = (await source.readAll('peerpublickeydatas').catch((e: unknown) => e)) as Error;
    emu.faults.set({});
    await source.close();
    expect(emu.log.list({ method: 'find' })).toHaveLength(8);
    expect(err.message).toMatch(
      /^cannot read awala-gateway\.peerpublickeydatas on MongoDB at 127\.0\.0\.1:\d+ \(environment test\): .*gave up after 8 tries/,
    );
    expect(err.message).not.toContain('mongodb://');
  });
});

describe('where a page resumes', () => {
  it('after the last _id: the rest of its type bracket, then every later bracket', () => {
    expect(resumeAfter('peer-0999')).toEqual({
      $or: [
        { _id: { $gt: 'peer-0999' } },
        {
          _id: {
            $type: [
              'object',
              'array',
              'binData',
              'objectId',
              'bool',
              'date',
              'timestamp',
              'regex',
              'dbPointer',
              'javascript',
              'javascriptWithScope',
              'maxKey',
            ],
          },
        },
      ],
    });
    const afterNumber = resumeAfter(new Int32(7)) as { $or: { _id: { $type?: string[] } }[] };
    expect(afterNumber.$or[1]._id.$type?.slice(0, 2)).toEqual(['string', 'symbol']);
    expect(resumeAfter(new MaxKey())).toEqual({ _id: { $gt: new MaxKey() } });
    expect((resumeAfter(new MinKey()) as { $or: { _id: { $type?: string[] } }[] }).$or[1]._id.$type?.[0]).toBe(
      'undefined',
    );
  });

  it('after a NaN _id: every other number, which `$gt: NaN` would miss', () => {
    expect((resumeAfter(new Double(Number.NaN)) as { $or: unknown[] }).$or[0]).toEqual({ _id: { $gte: -Infinity } });
  });
});

describe('which MongoDB errors a read is retried after', () => {
  it('network errors, retryable labels and the retryable-read codes; not answers', () => {
    const labelled = (label: string) => ({ name: 'MongoServerError', hasErrorLabel: (l: string) => l === label });
    expect(isTransientMongoError({ name: 'MongoNetworkError' })).toBe(true);
    expect(isTransientMongoError(labelled('SystemOverloadedError'))).toBe(true);
    expect(isTransientMongoError(labelled('ResetPool'))).toBe(true);
    for (const code of [6, 7, 89, 91, 189, 9001, 10107, 11600, 11602, 13435, 13436])
      expect(isTransientMongoError({ name: 'MongoServerError', code })).toBe(true);
    expect(isTransientMongoError({ name: 'MongoServerError', code: 13 })).toBe(false); // Unauthorized
    expect(isTransientMongoError({ name: 'MongoServerError', code: 2 })).toBe(false); // BadValue
    // A read with promoteValues: false gets the error document's code as a BSON Int32.
    expect(isTransientMongoError({ name: 'MongoServerError', code: new Int32(91) })).toBe(true);
    expect(isTransientMongoError(labelled('TransientTransactionError'))).toBe(false);
  });
});
