import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BucketMetadata, Storage } from '@google-cloud/storage';
import { afterAll, beforeAll, describe, it, type ExpectStatic } from 'vitest';
import type { LifecycleRule } from '../../src/lib/cloud/buckets.js';
import { READ_ONLY_METHODS } from '@gwctl/emulators/common';
import { startGcsEmulator, type GcsEmulator } from '@gwctl/emulators/gcs';
import { runGwctl, tempDir, type CliResult, resultOf } from '../helpers/cli.js';
import { gcsClient } from '@gwctl/emulators/testing';
import { forbidden, startInterceptor } from './gcs-interceptor.js';

const ttl = (age: number): LifecycleRule => ({ action: { type: 'Delete' }, condition: { age } });
const archive: LifecycleRule = {
  action: { type: 'SetStorageClass', storageClass: 'COLDLINE' },
  condition: { age: 60, matchesStorageClass: ['NEARLINE'] },
};
const keepTwo: LifecycleRule = { action: { type: 'Delete' }, condition: { numNewerVersions: 2 } };
const tmpOnly: LifecycleRule = { action: { type: 'Delete' }, condition: { age: 3, matchesPrefix: ['tmp/'] } };

/** The SDK types rules more narrowly than GCS returns them; the emulator takes them as sent. */
const lifecycleOf = (rules: LifecycleRule[]) => ({ lifecycle: { rule: rules } }) as BucketMetadata;

let emu: GcsEmulator;
let storage: Storage;
let seq = 0;

beforeAll(async () => {
  emu = await startGcsEmulator();
  storage = gcsClient(emu.url);
});
afterAll(() => emu.close());

interface Workspace {
  dir: string;
  bucket: string;
  run(args: string[]): Promise<CliResult>;
  audit(): { result: string; command: string }[];
}

/** A gwctl.yaml whose `emu` environment points at the emulator (or a stand-in in front of it), with a fresh bucket in `role`. */
async function workspace(
  rules: LifecycleRule[] = [],
  storageUrl = emu.url,
  role: 'parcels' | 'vault' = 'parcels',
): Promise<Workspace> {
  const dir = tempDir('gwctl-ttl-');
  const bucket = `gateway-emu-parcels-${++seq}`;
  await storage.createBucket(bucket);
  if (rules.length) await storage.bucket(bucket).setMetadata(lifecycleOf(rules));
  writeFileSync(
    join(dir, 'gwctl.yaml'),
    [
      'audit:',
      '  file: ./audit.jsonl',
      'environments:',
      '  emu:',
      '    project: gwctl-test',
      '    buckets:',
      `      ${role}: ${bucket}`,
      '    emulators:',
      `      storage: ${storageUrl}`,
      '',
    ].join('\n'),
  );
  return {
    dir,
    bucket,
    run: (args) => runGwctl([...args, '--env', 'emu'], { cwd: dir, env: { STORAGE_EMULATOR_HOST: '' } }),
    audit: () =>
      readFileSync(join(dir, 'audit.jsonl'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l)),
  };
}

async function rulesText(bucket: string): Promise<string[]> {
  const [meta] = await storage.bucket(bucket).getMetadata();
  return ((meta.lifecycle?.rule ?? []) as unknown[]).map((r) => JSON.stringify(r));
}

/** Everything the emulator was asked about this bucket (tests run concurrently, each on its own bucket). */
const requestsTo = (bucket: string) =>
  emu.log.list({ service: 'gcs' }).filter((r) => new RegExp(`/b/${bucket}([/?]|$)`).test(r.path));

/** The error is the last stderr line, and the only one that says "error:". */
function errorLine(r: CliResult, expect: ExpectStatic): string {
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines.filter((l) => l.startsWith('error:'))).toHaveLength(1);
  return lines.at(-1)!;
}

describe.concurrent('gwctl bucket ttl set', () => {
  it('adds a TTL to the parcels bucket, which has no rules', async ({ expect }) => {
    const ws = await workspace();
    const r = await ws.run(['bucket', 'ttl', 'set', '--days', '90', '--yes', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = resultOf(r);
    expect(out).toMatchObject({
      env: 'emu',
      role: 'parcels',
      bucket: ws.bucket,
      status: 'applied',
      previousDays: null,
      days: 90,
      before: [],
      after: [ttl(90)],
    });
    expect(out.plan.steps[0]).toMatchObject({
      action: 'set-lifecycle',
      target: `gs://${ws.bucket}`,
      detail: { ifMetageneration: '1', before: [], after: [ttl(90)] },
    });
    expect(r.stderr).toMatch(/\+ +1\. objects are deleted 90 days after creation/);
    expect(r.stderr).toMatch(/24 hours/);
    expect(await rulesText(ws.bucket)).toEqual([JSON.stringify(ttl(90))]);
    expect(ws.audit()).toMatchObject([
      { kind: 'intent', command: 'bucket ttl set' },
      { kind: 'outcome', command: 'bucket ttl set', result: 'applied' },
    ]);
  });

  it('changes the TTL and keeps foreign rules byte for byte', async ({ expect }) => {
    const ws = await workspace([archive, keepTwo, ttl(90), tmpOnly]);
    const before = await rulesText(ws.bucket);
    const r = await ws.run(['bucket', 'ttl', 'set', '--bucket', ws.bucket, '--days', '30', '--yes', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = resultOf(r);
    expect(out.before).toEqual([archive, keepTwo, ttl(90), tmpOnly]);
    expect(out.after).toEqual([archive, keepTwo, ttl(30), tmpOnly]);
    expect(out.diff.map((d: { status: string }) => d.status)).toEqual(['kept', 'kept', 'changed', 'kept']);
    expect(await rulesText(ws.bucket)).toEqual([before[0], before[1], JSON.stringify(ttl(30)), before[3]]);
    expect(r.stderr).toMatch(/- +3\. objects are deleted 90 days after creation/);
    expect(r.stderr).toMatch(/\+ +3\. objects are deleted 30 days after creation/);
    expect(r.stderr).toMatch(/shortening from 90 to 30 days/);
  });

  it.for([
    ['0', /env deprovision/],
    ['-1', /1 or more/],
    ['1.5', /whole number/],
    ['181', /over the Relaynet spec's 180-day .*--allow-over-spec/],
    ['ninety', /whole number of days, got "ninety"/],
  ] as const)('refuses --days %s with one line, exit 2, touching nothing', async ([days, message], { expect }) => {
    const ws = await workspace([ttl(90)]);
    const mark = requestsTo(ws.bucket).length;
    const r = await ws.run(['bucket', 'ttl', 'set', '--days', days, '--yes']);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(message);
    expect(requestsTo(ws.bucket).slice(mark)).toEqual([]);
  });

  it('accepts 181 days with --allow-over-spec, and says so', async ({ expect }) => {
    const ws = await workspace();
    const r = await ws.run(['bucket', 'ttl', 'set', '--days', '181', '--allow-over-spec', '--yes', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(resultOf(r)).toMatchObject({ status: 'applied', after: [ttl(181)] });
    expect(r.stderr).toMatch(/warning: 181 days is over the Relaynet spec/);
  });

  it('--dry-run shows the diff and the plan and sends no PATCH', async ({ expect }) => {
    const ws = await workspace([archive, ttl(90)]);
    const before = await rulesText(ws.bucket);
    const mark = requestsTo(ws.bucket).length;
    const r = await ws.run(['bucket', 'ttl', 'set', '--days', '45', '--dry-run', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(resultOf(r)).toMatchObject({
      status: 'dry-run',
      before: [archive, ttl(90)],
      after: [archive, ttl(45)],
    });
    expect(r.stderr).toMatch(/dry run: nothing was changed/);
    const byGwctl = requestsTo(ws.bucket).slice(mark);
    expect(byGwctl.filter((q) => q.method === 'GET').length).toBeGreaterThan(0);
    expect(byGwctl.filter((q) => !READ_ONLY_METHODS.has(q.method))).toEqual([]);
    expect(await rulesText(ws.bucket)).toEqual(before);
  });

  it('detects a change made between plan and apply, does not overwrite it, exits 1', async ({ expect }) => {
    let bucket = '';
    const theirs = [ttl(90), tmpOnly];
    // Someone else's edit lands just before gwctl's PATCH does.
    const racer = await startInterceptor(emu.url, async (req) => {
      if (req.method === 'PATCH' && req.path.startsWith(`/storage/v1/b/${bucket}?`))
        await storage.bucket(bucket).setMetadata(lifecycleOf(theirs));
      return undefined;
    });
    try {
      const ws = await workspace([ttl(90)], racer.url);
      bucket = ws.bucket;
      const r = await ws.run(['bucket', 'ttl', 'set', '--days', '30', '--yes', '--json']);
      expect(r.code, r.stderr).toBe(1);
      expect(errorLine(r, expect)).toMatch(
        /^error: gs:\/\/\S+ changed since the plan was made .*nothing was overwritten: re-run/,
      );
      expect(JSON.parse(r.stdout)).toMatchObject({ status: 1, name: 'ConcurrentChangeError', exitCode: 1 });
      expect(await rulesText(bucket)).toEqual(theirs.map((t) => JSON.stringify(t)));
      expect(ws.audit()).toMatchObject([{ kind: 'intent' }, { kind: 'outcome', result: 'failed', steps: { done: 0 } }]);
    } finally {
      await racer.close();
    }
  });

  it("on the vault bucket, asks for the environment name as well (a TTL would delete Vault's storage)", async ({
    expect,
  }) => {
    const ws = await workspace([], emu.url, 'vault');
    const refused = await ws.run(['bucket', 'ttl', 'set', '--bucket', 'vault', '--days', '90', '--yes']);
    expect(refused.code, refused.stderr).toBe(2);
    expect(errorLine(refused, expect)).toMatch(/--yes --confirm emu/);
    expect(refused.stderr).toMatch(/warning: this is the Vault bucket/);
    expect(await rulesText(ws.bucket)).toEqual([]);
    // Named directly, it is still the vault bucket.
    const r = await ws.run([
      'bucket',
      'ttl',
      'set',
      '--bucket',
      ws.bucket,
      '--days',
      '90',
      '--yes',
      '--confirm',
      'emu',
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(resultOf(r)).toMatchObject({ role: 'vault', status: 'applied', after: [ttl(90)] });
  });

  it('refuses to run non-interactively without --yes', async ({ expect }) => {
    const ws = await workspace();
    const r = await ws.run(['bucket', 'ttl', 'set', '--days', '30']);
    expect(r.code, r.stderr).toBe(2);
    expect(errorLine(r, expect)).toMatch(/without --yes/);
    expect(await rulesText(ws.bucket)).toEqual([]);
  });

  it('refuses to guess between two age-only Delete rules', async ({ expect }) => {
    const ws = await workspace([ttl(30), archive, ttl(90)]);
    const r = await ws.run(['bucket', 'ttl', 'set', '--days', '60', '--yes']);
    expect(r.code, r.stderr).toBe(1);
    expect(errorLine(r, expect)).toMatch(/2 age-only Delete rules \(rule 1: 30 days, rule 3: 90 days\)/);
  });

  it('an unknown bucket is one line, exit 2', async ({ expect }) => {
    const ws = await workspace();
    const r = await ws.run([
      'bucket',
      'ttl',
      'set',
      '--bucket',
      'no-such-bucket-here',
      '--days',
      '30',
      '--yes',
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr.trimEnd().split('\n')).toEqual([
      'error: bucket gs://no-such-bucket-here: not found (check the bucket name or role in gwctl.yaml)',
    ]);
    expect(JSON.parse(r.stdout)).toMatchObject({ status: 2, name: 'UsageError', exitCode: 2 });
  });

  it('a role missing from gwctl.yaml is one line, exit 2', async ({ expect }) => {
    const ws = await workspace();
    const r = await ws.run(['bucket', 'ttl', 'set', '--bucket', 'vault', '--days', '30', '--yes']);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/environment "emu" has no buckets\.vault/);
  });

  it('no permission to update the bucket (403) is one line, exit 1', async ({ expect }) => {
    const denier = await startInterceptor(emu.url, (req) =>
      req.method === 'PATCH' ? forbidden('caller does not have storage.buckets.update access') : undefined,
    );
    try {
      const ws = await workspace([], denier.url);
      const r = await ws.run(['bucket', 'ttl', 'set', '--days', '30', '--yes']);
      expect(r.code, r.stderr).toBe(1);
      expect(errorLine(r, expect)).toMatch(
        /^error: updating bucket gs:\/\/\S+: permission denied \(caller does not have storage\.buckets\.update access\)/,
      );
      expect(await rulesText(ws.bucket)).toEqual([]);
    } finally {
      await denier.close();
    }
  });
});

describe.concurrent('gwctl bucket ttl show', () => {
  it('explains every rule and marks the TTL, with --json', async ({ expect }) => {
    const ws = await workspace([archive, ttl(90), tmpOnly]);
    const r = await ws.run(['bucket', 'ttl', 'show', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = resultOf(r);
    expect(out).toMatchObject({
      env: 'emu',
      role: 'parcels',
      bucket: ws.bucket,
      ttl: { position: 2, days: 90 },
      held: 0,
    });
    expect(out.rules.map((x: { explanation: string }) => x.explanation)).toEqual([
      'objects in NEARLINE storage move to COLDLINE storage 60 days after creation',
      'objects are deleted 90 days after creation',
      'objects whose names start with "tmp/" are deleted 3 days after creation',
    ]);
    expect(r.stderr).toMatch(/objects are deleted 90 days after creation ← retention TTL/);
    expect(r.stderr).toMatch(/Retention TTL: 90 days \(rule 2\)/);
    expect(r.stderr).toMatch(/24 hours/);
  });

  it('a bucket without rules has no TTL', async ({ expect }) => {
    const ws = await workspace();
    const r = await ws.run(['bucket', 'ttl', 'show', '--no-holds']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/no lifecycle rules/);
    expect(r.stdout).toMatch(/Retention TTL: none/);
  });

  it('no permission to read the bucket (403) is one line, exit 1', async ({ expect }) => {
    const denier = await startInterceptor(emu.url, () => forbidden());
    try {
      const ws = await workspace([], denier.url);
      const r = await ws.run(['bucket', 'ttl', 'show']);
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(/^error: bucket gs:\/\/\S+: permission denied/);
    } finally {
      await denier.close();
    }
  });
});
