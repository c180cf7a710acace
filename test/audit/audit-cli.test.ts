import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Storage } from '@google-cloud/storage';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { startGcsEmulator, type GcsEmulator } from '@gwctl/emulators/gcs';
import { gcsClient } from '@gwctl/emulators/testing';
import { withFileLock } from '../../src/lib/audit/file-lock.js';
import { auditRecords, intentsIn, outcomesIn } from '../helpers/audit.js';
import { runGwctl, tempDir, type CliResult, resultOf } from '../helpers/cli.js';

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
  auditFile: string;
  run(args: string[], env?: NodeJS.ProcessEnv): Promise<CliResult>;
  /** Requests that change the bucket (PATCH, POST, DELETE), from the emulator's request log. */
  mutations(): unknown[];
}

/** A gwctl.yaml whose `emu` environment has a fresh parcels bucket in the GCS emulator, and its audit log in ./audit/. */
async function workspace(): Promise<Workspace> {
  const dir = tempDir('gwctl-audit-');
  const bucket = `gateway-emu-parcels-audit-${++seq}`;
  await storage.createBucket(bucket);
  writeFileSync(
    join(dir, 'gwctl.yaml'),
    `audit:\n  file: ./audit/gwctl.jsonl\nenvironments:\n  emu:\n    project: gwctl-test\n    buckets:\n      parcels: ${bucket}\n    emulators:\n      storage: ${emu.url}\n`,
  );
  return {
    dir,
    bucket,
    auditFile: join(dir, 'audit', 'gwctl.jsonl'),
    run: (args, env = {}) =>
      runGwctl(args, { cwd: dir, env: { STORAGE_EMULATOR_HOST: '', GWCTL_HOME: join(dir, 'home'), ...env } }),
    mutations: () =>
      emu.log.mutating({ service: 'gcs' }).filter((r) => new RegExp(`/b/${bucket}([/?]|$)`).test(r.path)),
  };
}

const ttlSet = (ws: Workspace, days: number, env?: NodeJS.ProcessEnv) =>
  ws.run(['bucket', 'ttl', 'set', '--env', 'emu', '--days', String(days), '--yes'], env);

describe.concurrent('a change that cannot be recorded is not made', () => {
  it('bucket ttl set sends no PATCH when the audit path is a directory (exit 1)', async ({ expect }) => {
    const ws = await workspace();
    mkdirSync(ws.auditFile, { recursive: true });
    const r = await ttlSet(ws, 30);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/error: the audit intent could not be recorded, so nothing was changed: .*EISDIR/);
    expect(ws.mutations()).toEqual([]);
  });

  it('bucket ttl set sends no PATCH when the last audit line was cut short (exit 1)', async ({ expect }) => {
    const ws = await workspace();
    expect((await ttlSet(ws, 30)).code).toBe(0);
    // A crash mid-write by some other tool, or a disk that filled up: the file ends in half a record.
    const text = readFileSync(ws.auditFile, 'utf8');
    writeFileSync(ws.auditFile, text + text.split('\n')[0]!.slice(0, 40));
    const before = ws.mutations().length;
    const r = await ttlSet(ws, 60);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/line 3 is not valid JSON: it was edited or truncated, so no record can follow it/);
    expect(ws.mutations()).toHaveLength(before);
  });

  it('bucket ttl set sends no PATCH while another gwctl holds the audit lock (exit 1)', async ({ expect }) => {
    const ws = await workspace();
    mkdirSync(join(ws.dir, 'audit'));
    let release!: () => void;
    const held = withFileLock(ws.auditFile, () => new Promise<void>((r) => (release = r)));
    const r = await ttlSet(ws, 30);
    release();
    await held;
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/nothing was changed: audit log .* is locked by another gwctl/);
    expect(ws.mutations()).toEqual([]);
  });

  it('the audit record names the impersonated service account that acted, not the OS user', async ({ expect }) => {
    const ws = await workspace();
    const adc = join(ws.dir, 'adc.json');
    // The shape `gcloud auth application-default login --impersonate-service-account` writes.
    writeFileSync(
      adc,
      JSON.stringify({
        type: 'impersonated_service_account',
        service_account_impersonation_url:
          'https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/gwctl-operator@relaycorp-gateway-prod.iam.gserviceaccount.com:generateAccessToken',
        source_credentials: { type: 'authorized_user', client_id: 'x', client_secret: 'y', refresh_token: 'SECRET' },
      }),
    );
    const r = await ttlSet(ws, 30, { GOOGLE_APPLICATION_CREDENTIALS: adc, CLOUDSDK_CONFIG: join(ws.dir, 'gcloud') });
    expect(r.code, r.stderr).toBe(0);
    const [intent] = intentsIn(ws.auditFile);
    expect(intent!.operator).toMatch(
      /^gcp:gwctl-operator@relaycorp-gateway-prod\.iam\.gserviceaccount\.com \(impersonated by user-adc\) /,
    );
    expect(readFileSync(ws.auditFile, 'utf8')).not.toContain('SECRET');
  });
});

describe.concurrent('gwctl audit show and verify', () => {
  it('name a null or non-JSON line by its line number, never a TypeError', async ({ expect }) => {
    const ws = await workspace();
    expect((await ttlSet(ws, 30)).code).toBe(0);
    appendFileSync(ws.auditFile, 'null\n42\n[1,2]\nnot json at all\n');
    const verify = await ws.run(['audit', 'verify', '--json']);
    expect(verify.code).toBe(1);
    expect(verify.stderr).not.toMatch(/TypeError|Cannot read/);
    const out = resultOf(verify);
    expect(out.problems.slice(0, 4)).toEqual([
      expect.objectContaining({
        line: 3,
        problem: 'not-a-record',
        message: 'line 3 is not an audit record: it is null',
      }),
      expect.objectContaining({ line: 4, message: 'line 4 is not an audit record: it is a number' }),
      expect.objectContaining({ line: 5, message: 'line 5 is not an audit record: it is an array' }),
      expect.objectContaining({ line: 6, problem: 'unparseable' }),
    ]);
    const show = await ws.run(['audit', 'show']);
    expect(show.code, show.stderr).toBe(0);
    expect(show.stderr).toMatch(/warning: line 3 is not an audit record: it is null/);
    expect(show.stderr).toMatch(/warning: line 6 is not valid JSON/);
    expect(show.stdout).toMatch(/bucket ttl set .*applied/);
  });

  it('--expect-head passes while the log only grew since, and fails once it was cut below it', async ({ expect }) => {
    const ws = await workspace();
    expect((await ttlSet(ws, 30)).code).toBe(0);
    const first = resultOf(await ws.run(['audit', 'verify', '--json']));
    expect(first).toMatchObject({ ok: true, records: 2 });
    expect((await ttlSet(ws, 45)).code).toBe(0);

    const grown = await ws.run(['audit', 'verify', '--expect-head', first.head, '--json']);
    expect(grown.code, grown.stderr).toBe(0);
    expect(resultOf(grown)).toMatchObject({ ok: true, records: 4, expectedHead: { found: true, added: 2 } });
    expect(grown.stderr).toMatch(/4 record\(s\) intact; 2 record\(s\) added since the expected head/);

    writeFileSync(ws.auditFile, readFileSync(ws.auditFile, 'utf8').split('\n').slice(0, 1).join('\n') + '\n');
    const cut = await ws.run(['audit', 'verify', '--expect-head', first.head]);
    expect(cut.code).toBe(1);
    expect(cut.stdout).toMatch(/no line of the log hashes to the expected head .*: lines were removed from the end/);
  });

  it('verify records the outcome of a run that was killed before it wrote one', async ({ expect }) => {
    const ws = await workspace();
    expect((await ttlSet(ws, 30)).code).toBe(0);
    // What a kill -9 between intent and outcome leaves: an intent whose process is gone.
    const [intent] = intentsIn(ws.auditFile);
    const lines = readFileSync(ws.auditFile, 'utf8').trimEnd().split('\n');
    writeFileSync(ws.auditFile, `${lines[0]}\n`);
    const r = await ws.run(['audit', 'verify', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(
      /bucket ttl set on emu \(run [0-9a-f]+\) died without recording its outcome: recorded now as abandoned/,
    );
    expect(outcomesIn(ws.auditFile)).toEqual([
      expect.objectContaining({
        run: intent!.run,
        result: 'abandoned',
        reconciledBy: expect.stringMatching(/^gwctl audit verify \(pid \d+ on /),
      }),
    ]);
    expect(auditRecords(ws.auditFile)).toHaveLength(2);
  });
});
