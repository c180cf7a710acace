import { Binary, ObjectId } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ratesFromProbability } from '@gwctl/emulators/common';
import {
  type FirestoreTarget,
  type MongoTarget,
  startFirestoreTarget,
  startMongoTarget,
  usingRealMongo,
} from '@gwctl/emulators/testing';
import { resultOf } from '../helpers/cli.js';
import { migrateWorkspace, type MigrateWorkspace } from '../helpers/migrate-workspace.js';

let mongo: MongoTarget;
let fs: FirestoreTarget;
let workspace: MigrateWorkspace;
const PEERS = 1_234;

const gwctl = (args: string[], env: NodeJS.ProcessEnv = {}) => workspace.gwctl(args, { env });

beforeAll(async () => {
  [mongo, fs] = await Promise.all([startMongoTarget('gwctl-keystore-faults'), startFirestoreTarget()]);
  workspace = migrateWorkspace(mongo, fs, 'gwctl-keystore-faults-');
  const db = mongo.client.db(mongo.database);
  // Several pages, and ids of two types (strings sort before ObjectIds): a resumed page must cross between them.
  await db.collection('peerpublickeydatas').insertMany(
    Array.from({ length: PEERS }, (_, i) => ({
      _id: (i % 3 === 0 ? `peer-${i}` : new ObjectId()) as never,
      peerId: `0${i.toString(16)}`,
      derSerialization: new Binary(Buffer.from(`key-${i}`)),
    })),
  );
  await db.collection('certificationpaths').insertOne({
    leafCertificate: new Binary(Buffer.from('3082', 'hex')),
    expiryDate: new Date('2031-01-01T00:00:00Z'),
  });
  await db
    .collection('identitypublickeydatas')
    .insertOne({ peerId: '0abc', derSerialization: new Binary(Buffer.from('pk')) });
});
afterAll(() => Promise.all([mongo.close(), fs.close()]));

describe.skipIf(usingRealMongo)('gwctl migrate keystore under 20 % injected MongoDB faults', () => {
  it('succeeds 4 runs out of 4, every document copied exactly once (counts and digests match)', async () => {
    const emu = mongo.emulator!;
    const outcomes: string[] = [];
    emu.faults.set(ratesFromProbability(0.2));
    // On top of the 20 %, one read is certain to be cut mid-migration, so a resumed `find` is always exercised.
    emu.faults.failNext('reset', 'find');
    try {
      for (let run = 1; run <= 4; run++) {
        const r = await gwctl(['migrate', 'keystore', '--yes', '--json']);
        expect(r.code, r.stderr).toBe(0);
        const { summary } = resultOf(r) as {
          summary: { created: number; unchanged: number; failed: number; verification: { ok: boolean }[] };
        };
        expect(summary.verification.every((v) => v.ok)).toBe(true);
        expect(summary.failed).toBe(0);
        outcomes.push(run === 1 ? `created ${summary.created}` : `unchanged ${summary.unchanged}`);
      }
    } finally {
      emu.faults.set({});
    }
    expect(outcomes).toEqual([`created ${PEERS + 2}`, ...Array(3).fill(`unchanged ${PEERS + 2}`)]);
    expect((await fs.client.collection('peerpublickeydatas').get()).size).toBe(PEERS);
    // The faults were real: reads were dropped, throttled or refused along the way, and retried.
    const faulted = emu.log.entries.filter((r) => r.fault);
    expect(faulted.length).toBeGreaterThan(3);
    expect(faulted.some((r) => r.method === 'find')).toBe(true);
  }, 240_000);
});

describe('GWCTL_RETRY_DEADLINE', () => {
  it('a malformed value is a usage error (exit 2, one line) before anything is read, not a silent default', async () => {
    const r = await gwctl(['migrate', 'keystore', '--dry-run'], { GWCTL_RETRY_DEADLINE: 'a minute' });
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n').filter((l) => l.startsWith('error:'))).toEqual([
      'error: GWCTL_RETRY_DEADLINE="a minute" is not a duration; use e.g. 60s, 2m or 500ms (0 turns retries off)',
    ]);
  });
});
