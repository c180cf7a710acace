import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Binary, ObjectId } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resultOf, type CliResult } from '../helpers/cli.js';
import { migrateWorkspace, type MigrateWorkspace } from '../helpers/migrate-workspace.js';
import {
  type FirestoreTarget,
  type MongoTarget,
  startFirestoreTarget,
  startMongoTarget,
} from '@gwctl/emulators/testing';

let mongo: MongoTarget;
let fs: FirestoreTarget;
let workspace: MigrateWorkspace;

/** `gwctl migrate …` as an operator runs it, in a workspace whose `emu` environment points at the emulators. */
const gwctl = (args: string[], uri?: string) => workspace.gwctl(args, { uri });

const json = (r: CliResult) => resultOf(r);
const errorLines = (r: CliResult) => r.stderr.split('\n').filter((l) => l.startsWith('error:'));

beforeAll(async () => {
  [mongo, fs] = await Promise.all([startMongoTarget('gwctl-cli'), startFirestoreTarget()]);
  workspace = migrateWorkspace(mongo, fs);
  const db = mongo.client.db(mongo.database);
  await db.collection('configitems').insertMany([
    { key: 'current_private_address', value: '0f00ba' },
    { key: 'public_address', value: 'braavos.relaycorp.cloud' },
  ]);
  await db.collection('certificationpaths').insertOne({
    _id: new ObjectId(),
    leaf: new Binary(Buffer.from('3082', 'hex')),
    expiryDate: new Date('2030-01-01T00:00:00Z'),
  });
  await db
    .collection('identitypublickeydatas')
    .insertOne({ peerId: '0abc', derSerialization: new Binary(Buffer.from('pk')) });
});
afterAll(() => Promise.all([mongo.close(), fs.close()]));

describe('gwctl migrate keyev', () => {
  it('--dry-run prints the plan and writes nothing', async () => {
    const r = await gwctl([
      'migrate',
      'keyev',
      '--rename',
      'current_private_address=current_id',
      '--dry-run',
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(json(r)).toMatchObject({ status: 'dry-run', counts: { create: 2, unchanged: 0, conflict: 0, invalid: 0 } });
    expect(r.stderr).toMatch(/create keyev:current_id — "0f00ba" \(MongoDB key current_private_address\)/);
    expect((await fs.client.collection('keyev').get()).size).toBe(0);
  });

  it('applies, verifies and audits; a second run is a no-op', async () => {
    const r = await gwctl(['migrate', 'keyev', '--rename', 'current_private_address=current_id', '--yes', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(json(r)).toMatchObject({
      status: 'applied',
      summary: { created: 2, unchanged: 0, overwritten: 0, failed: 0 },
    });
    expect(r.stderr).toMatch(/2 created, 0 unchanged, 0 overwritten, 0 failed; every key read back/);
    const audit = readFileSync(join(workspace.dir, 'audit.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(audit.at(-1)).toMatchObject({
      command: 'migrate keyev',
      env: 'emu',
      result: 'applied',
      details: { created: 2 },
    });
    expect(JSON.stringify(audit)).not.toContain(mongo.uri);

    const again = await gwctl([
      'migrate',
      'keyev',
      '--rename',
      'current_private_address=current_id',
      '--yes',
      '--json',
    ]);
    expect(again.code, again.stderr).toBe(0);
    expect(json(again)).toMatchObject({ status: 'no-op', summary: { created: 0, unchanged: 2, failed: 0 } });
  });

  it('refuses a conflict without --overwrite: exit 2, one line, nothing written', async () => {
    await fs.client.collection('keyev').doc('public_address').set({ value: 'other.example', updatedAt: new Date() });
    const r = await gwctl(['migrate', 'keyev', '--rename', 'current_private_address=current_id', '--yes']);
    expect(r.code).toBe(2);
    expect(errorLines(r)).toEqual([
      expect.stringMatching(
        /already holds different values for 1 key\(s\) \(public_address\); nothing was written.*--overwrite/,
      ),
    ]);
    expect((await fs.client.collection('keyev').doc('public_address').get()).get('value')).toBe('other.example');

    const forced = await gwctl([
      'migrate',
      'keyev',
      '--rename',
      'current_private_address=current_id',
      '--overwrite',
      '--yes',
      '--json',
    ]);
    expect(forced.code, forced.stderr).toBe(0);
    expect(json(forced).summary).toMatchObject({ overwritten: 1, unchanged: 1 });
  });

  it('a wrong collection is a usage error listing the collections that exist', async () => {
    const r = await gwctl(['migrate', 'keyev', '--collection', 'configitem', '--dry-run']);
    expect(r.code).toBe(2);
    expect(errorLines(r)).toEqual([
      expect.stringMatching(
        /collection "configitem" does not exist .*collections there: certificationpaths, configitems, identitypublickeydatas/,
      ),
    ]);
  });

  it('MongoDB unreachable: exit 1 and one line, with no URI or credentials anywhere', async () => {
    const r = await gwctl(
      ['migrate', 'keyev', '--dry-run', '--json'],
      'mongodb://gwadmin:hunter2pass@127.0.0.1:1/?serverSelectionTimeoutMS=800',
    );
    expect(r.code).toBe(1);
    expect(errorLines(r)).toEqual([
      expect.stringMatching(
        /^error: cannot reach MongoDB for environment emu at 127\.0\.0\.1:1: .*\$GWCTL_TEST_MONGODB_URI/,
      ),
    ]);
    expect(r.stdout + r.stderr).not.toMatch(/gwadmin|hunter2pass|mongodb:\/\//);
  });
});

describe('gwctl migrate keystore', () => {
  it('copies, verifies, and then has nothing left to do', async () => {
    const r = await gwctl(['migrate', 'keystore', '--yes', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = json(r);
    expect(out).toMatchObject({ status: 'applied', summary: { created: 2, failed: 0 } });
    expect(out.warnings).toContain(
      'MongoDB has no peerpublickeydatas collection in ' + mongo.database + '; nothing to copy for it',
    );
    expect(r.stderr).toMatch(/counts and per-document digests match on both sides/);

    const again = await gwctl(['migrate', 'keystore', '--yes', '--json']);
    expect(again.code, again.stderr).toBe(0);
    expect(json(again)).toMatchObject({ status: 'no-op', summary: { unchanged: 2, failed: 0 } });
  });
});
