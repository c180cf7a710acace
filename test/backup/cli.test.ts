import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKubeEmulator, type KubeEmulator } from '@gwctl/emulators/kube';
import { auditRecords, outcomesIn } from '../helpers/audit.js';
import { runGwctl, resultOf } from '../helpers/cli.js';
import {
  AWKWARD_NAMES,
  rewrites,
  seed,
  seedFast,
  startFixture,
  VAULT,
  vaultLike,
  writeConfig,
  type Fixture,
  vaultStatefulSet,
} from './harness.js';

// These run the built CLI (`npm run build` first), as an operator or the CronJob would.
let f: Fixture;
let kube: KubeEmulator;
let config: { dir: string; file: string };

const gwctl = (...args: string[]) =>
  runGwctl([...args, '--env', 'test'], { cwd: config.dir, env: { GWCTL_CONFIG: config.file } });
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- CLI output, checked field by field
const json = (stdout: string) => resultOf({ stdout }) as Record<string, any>;
const replicas = () =>
  (kube.objects('StatefulSet').find((o) => o.metadata.name === 'vault')!.spec as { replicas: number }).replicas;

beforeAll(async () => {
  f = await startFixture();
  kube = await startKubeEmulator();
  kube.seed([vaultStatefulSet(3)]);
  config = writeConfig(f.emu.url, kube.url);
  await seed(
    f.gcs,
    VAULT,
    AWKWARD_NAMES.map((name, i) => ({
      name,
      data: Buffer.from(`secret ${i}`),
      contentType: 'application/octet-stream',
      metadata: { n: String(i) },
    })),
  );
});
afterAll(async () => {
  await Promise.all([f?.close(), kube?.close()]);
});

describe('gwctl backup (CLI)', () => {
  it('create --dry-run shows the plan and copies nothing', async () => {
    f.emu.log.clear();
    const r = await gwctl('backup', 'create', '--dry-run', '--json');
    expect(r.code).toBe(0);
    expect(json(r.stdout)).toMatchObject({
      status: 'dry-run',
      preview: { objects: AWKWARD_NAMES.length, newBlobs: AWKWARD_NAMES.length },
    });
    expect(r.stderr).toMatch(/copy gs:\/\/relaycorp-gateway-test-backups\/relaycorp-gateway-test-vault\/blobs\//);
    expect(r.stderr).toMatch(/not quiesced/);
    expect(f.emu.log.mutating()).toEqual([]);
  });

  it('create refuses to run unattended without --yes (exit 2)', async () => {
    const r = await gwctl('backup', 'create');
    expect(r.code).toBe(2);
  });

  it('create --quiesce --yes takes a backup with Vault stopped and says so; list, verify and restore use it', async () => {
    const created = await gwctl('backup', 'create', '--quiesce', '--yes', '--json');
    expect(created.code, created.stderr).toBe(0);
    const backup = json(created.stdout);
    expect(backup).toMatchObject({
      status: 'applied',
      objects: AWKWARD_NAMES.length,
      quiesced: true,
      quiesce: { workload: 'statefulset/default/vault', replicas: 3 },
    });
    expect(replicas()).toBe(3);
    // One PATCH records the replica count and scales to 0; one scales back and drops the record.
    const scaleCalls = kube.log
      .list({ method: 'PATCH' })
      .filter((r) => r.path.split('?')[0]!.endsWith('/statefulsets/vault'));
    expect(scaleCalls).toHaveLength(2);

    const listed = await gwctl('backup', 'list', '--json');
    expect(json(listed.stdout).backups).toEqual([
      expect.objectContaining({ id: backup.id, quiesced: true, objects: AWKWARD_NAMES.length }),
    ]);
    expect((await gwctl('backup', 'list')).stdout).toMatch(new RegExp(`${backup.id}.*yes`));

    const verified = await gwctl('backup', 'verify', backup.id, '--deep', '--json');
    expect(verified.code, verified.stderr).toBe(0);
    expect(json(verified.stdout)).toMatchObject({ ok: true, deep: true, blobs: AWKWARD_NAMES.length });

    const restored = await gwctl('backup', 'restore', 'latest', '--to-bucket', 'vault-restored', '--yes', '--json');
    expect(restored.code, restored.stderr).toBe(0);
    expect(json(restored.stdout)).toMatchObject({
      status: 'applied',
      restored: AWKWARD_NAMES.length,
      targetBucket: 'vault-restored',
    });
    const [names] = await f.gcs.bucket('vault-restored').getFiles();
    expect(names.map((n) => n.name).sort()).toEqual([...AWKWARD_NAMES].sort());
  });

  it('restore in place needs the environment typed: refused unattended without --confirm (exit 2)', async () => {
    // The accident: two objects deleted, one overwritten.
    await f.gcs.bucket(VAULT).file(AWKWARD_NAMES[0]!).delete();
    await f.gcs.bucket(VAULT).file(AWKWARD_NAMES[6]!).delete();
    await f.gcs.bucket(VAULT).file(AWKWARD_NAMES[3]!).save('garbage');
    const r = await gwctl('backup', 'restore', '--in-place', '--yes');
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/--confirm test/);
    expect(r.stdout).toMatch(/overwrite gs:\/\/relaycorp-gateway-test-vault\/hash#fragment/);
    const ok = await gwctl('backup', 'restore', '--in-place', '--yes', '--confirm', 'test', '--json');
    expect(ok.code, ok.stderr).toBe(0);
    expect(json(ok.stdout)).toMatchObject({ restored: 3, unchanged: AWKWARD_NAMES.length - 3 });
    const [data] = await f.gcs.bucket(VAULT).file(AWKWARD_NAMES[3]!).download();
    expect(data.toString()).toBe('secret 3');
    // Run again: nothing left to do.
    const again = await gwctl('backup', 'restore', '--in-place', '--yes', '--json');
    expect(json(again.stdout)).toMatchObject({ status: 'no-op' });
  });

  it('verify exits 1 and names the object when a blob rotted', async () => {
    const [blobs] = await f.gcs.bucket(f.loc.backupBucket).getFiles({ prefix: `${f.loc.prefix}blobs/` });
    f.emu.corruptObject(f.loc.backupBucket, blobs[0]!.name);
    const shallow = await gwctl('backup', 'verify');
    expect(shallow.code).toBe(0);
    const deep = await gwctl('backup', 'verify', '--deep', '--json');
    expect(deep.code).toBe(1);
    expect(json(deep.stdout)).toMatchObject({ ok: false, problems: [expect.objectContaining({ kind: 'corrupt' })] });
    const restore = await gwctl('backup', 'restore', '--to-bucket', 'vault-restored-2', '--yes', '--deep');
    expect(restore.code).toBe(1);
    expect(restore.stderr).toMatch(/corrupt content/);
    // Without --deep the copy of the rotten blob is refused by GCS's own validation: exit 1 too.
    const quick = await gwctl('backup', 'restore', '--to-bucket', 'vault-restored-3', '--yes');
    expect(quick.code).toBe(1);
    expect(quick.stderr).toMatch(/server-side validation/);
    // Repair: drop the rotten blob; the next backup stores that content again, which heals the old backup too.
    await f.gcs.bucket(f.loc.backupBucket).file(blobs[0]!.name).delete();
    const next = await gwctl('backup', 'create', '--yes', '--json');
    expect(json(next.stdout).blobs.copied).toBe(1);
    const healed = await gwctl('backup', 'verify', json(deep.stdout).id, '--deep');
    expect(healed.code, healed.stderr).toBe(0);
  });

  it('a backup killed midway is never listed, leaves no temporary file, and the re-run completes', async () => {
    await seedFast(f.emu.url, VAULT, vaultLike(1500, 'bulk/'));
    // The killed run's temporary directory: its listing's spill file must not outlive it.
    const tmp = mkdtempSync(join(tmpdir(), 'killed-backup-'));
    const before = (json((await gwctl('backup', 'list', '--json')).stdout).backups as unknown[]).length;
    f.emu.log.clear();
    const child = spawn(
      process.execPath,
      [
        resolve(import.meta.dirname, '../../bin/run.js'),
        'backup',
        'create',
        '--env',
        'test',
        '--yes',
        '--concurrency',
        '2',
      ],
      {
        cwd: config.dir,
        env: { ...process.env, GWCTL_CONFIG: config.file, NO_COLOR: '1', NODE_ENV: 'production', TMPDIR: tmp },
        stdio: 'ignore',
      },
    );
    const exited = new Promise((r) => child.on('exit', r));
    for (let waited = 0; rewrites(f.emu).length < 50; waited += 20) {
      if (waited > 60_000) throw new Error('the backup never started copying');
      await new Promise((r) => setTimeout(r, 20));
    }
    child.kill('SIGKILL');
    await exited;
    const copied = rewrites(f.emu).length;
    expect(copied).toBeLessThan(1500);
    // (Node keeps its compile cache there too; gwctl's own files start with gwctl-.)
    expect(readdirSync(tmp).filter((name) => name.startsWith('gwctl-'))).toEqual([]);
    rmSync(tmp, { recursive: true });
    expect(json((await gwctl('backup', 'list', '--json')).stdout).backups).toHaveLength(before);

    f.emu.log.clear();
    const rerun = await gwctl('backup', 'create', '--yes', '--json');
    expect(rerun.code, rerun.stderr).toBe(0);
    // It re-copies only what the killed run had not finished (in-flight copies may have landed anyway).
    expect(json(rerun.stdout).blobs.copied).toBeGreaterThanOrEqual(1500 - copied - 2);
    expect(json(rerun.stdout).blobs.copied).toBeLessThanOrEqual(1500 - copied);
    expect(json((await gwctl('backup', 'list', '--json')).stdout).backups).toHaveLength(before + 1);
  });

  it('Ctrl-C during a quiesced backup stops it, scales Vault back up and leaves no backup', async () => {
    // Content of its own: what vaultLike gives is stored already, and equal content is never copied twice.
    await seedFast(
      f.emu.url,
      VAULT,
      vaultLike(1000, 'sigint/').map((o) => ({ ...o, data: Buffer.from(`sigint ${o.name}`) })),
    );
    const before = (json((await gwctl('backup', 'list', '--json')).stdout).backups as unknown[]).length;
    f.emu.log.clear();
    const child = spawn(
      process.execPath,
      [
        resolve(import.meta.dirname, '../../bin/run.js'),
        'backup',
        'create',
        '--env',
        'test',
        '--quiesce',
        '--yes',
        '--concurrency',
        '1',
      ],
      {
        cwd: config.dir,
        env: { ...process.env, GWCTL_CONFIG: config.file, NO_COLOR: '1', NODE_ENV: 'production' },
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr!.on('data', (c) => (stderr += c));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    for (let waited = 0; !(replicas() === 0 && rewrites(f.emu).length >= 20); waited += 20) {
      if (waited > 30_000) throw new Error(`the backup never started copying: ${stderr}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(stderr).toMatch(/SIGINT: stopping/);
    expect(stderr).toMatch(/backup interrupted after copying/);
    expect(replicas()).toBe(3);
    // Vault went down and came back; the copy and the manifest did not happen.
    expect(outcomesIn(join(config.dir, 'audit.jsonl')).at(-1)).toMatchObject({
      command: 'backup create',
      result: 'interrupted',
      signal: 'SIGINT',
      steps: {
        planned: 4,
        done: 2,
        ids: ['scale-down/statefulset/default/vault', 'scale-up/statefulset/default/vault'],
      },
    });
    expect(json((await gwctl('backup', 'list', '--json')).stdout).backups).toHaveLength(before);
  });

  it('create writes nothing, not even its intent object, when its audit intent cannot be recorded (exit 1)', async () => {
    const other = writeConfig(f.emu.url, kube.url);
    mkdirSync(join(other.dir, 'audit.jsonl'));
    f.emu.log.clear();
    kube.log.clear();
    const r = await runGwctl(['backup', 'create', '--env', 'test', '--quiesce', '--yes'], {
      cwd: other.dir,
      env: { GWCTL_CONFIG: other.file },
    });
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/error: the audit intent could not be recorded, so nothing was changed/);
    expect(f.emu.log.mutating()).toEqual([]);
    expect(kube.log.mutating()).toEqual([]);
    expect(replicas()).toBe(3);
  });

  it('create’s outcome names the plan it applied, linked to the intent recorded before anything was written', async () => {
    const r = await gwctl('backup', 'create', '--yes', '--json');
    expect(r.code, r.stderr).toBe(0);
    const records = auditRecords(join(config.dir, 'audit.jsonl'));
    const [intent, outcome] = records.slice(-2);
    expect(intent).toMatchObject({ kind: 'intent', command: 'backup create', steps: 2 });
    expect(outcome).toMatchObject({
      kind: 'outcome',
      run: (intent as { run: string }).run,
      result: 'applied',
      planDigest: expect.stringMatching(/^sha256:/),
      steps: { planned: 2, done: 2 },
      details: { id: json(r.stdout).id },
    });
    // The intent names what was asked; the outcome, the plan made once the intent object was written.
    expect(outcome!.planDigest).not.toBe(intent!.planDigest);
  });

  it('prune --dry-run keeps the newest backup and deletes nothing', async () => {
    f.emu.log.clear();
    const r = await gwctl('backup', 'prune', '--keep', '1', '--dry-run', '--json');
    expect(r.code, r.stderr).toBe(0);
    const out = json(r.stdout);
    expect(out.status).toBe('dry-run');
    expect(out.keep).toHaveLength(1);
    expect(f.emu.log.mutating()).toEqual([]);
  });
});

describe('gwctl backup schedule', () => {
  it('refuses an interval outside 1h–24h (exit 2)', async () => {
    for (const every of ['30m', '25h', '5h', 'often']) {
      const r = await gwctl('backup', 'schedule', '--every', every);
      expect(r.code, every).toBe(2);
    }
  });

  it('renders a CronJob that runs backup create every 12h', async () => {
    const r = await gwctl(
      'backup',
      'schedule',
      '--every',
      '12h',
      '--quiesce',
      '--image',
      'registry.example/gwctl:1.0.0',
    );
    expect(r.code, r.stderr).toBe(0);
    const job = parse(r.stdout);
    expect(job).toMatchObject({
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      spec: { concurrencyPolicy: 'Forbid', timeZone: 'Etc/UTC' },
    });
    expect(job.spec.schedule).toMatch(/^\d{1,2} \d{1,2},\d{1,2} \* \* \*$/);
    const container = job.spec.jobTemplate.spec.template.spec.containers[0];
    expect(container.image).toBe('registry.example/gwctl:1.0.0');
    expect(container.args).toEqual([
      'backup',
      'create',
      '--env',
      'test',
      '--bucket',
      'vault',
      '--yes',
      '--json',
      '--quiesce',
    ]);
  });

  it('--apply creates the CronJob in the cluster, and replaces it the next time', async () => {
    const first = await gwctl('backup', 'schedule', '--every', '8h', '--apply', '--yes', '--json');
    expect(first.code, first.stderr).toBe(0);
    expect(json(first.stdout)).toMatchObject({ status: 'applied', outcome: 'created' });
    const second = await gwctl('backup', 'schedule', '--every', '24h', '--apply', '--yes', '--json');
    expect(json(second.stdout)).toMatchObject({ status: 'applied', outcome: 'replaced' });
    const jobs = kube.objects('CronJob');
    expect(jobs).toHaveLength(1);
    expect((jobs[0]!.spec as { schedule: string }).schedule).toMatch(/^\d{1,2} \d{1,2} \* \* \*$/);
  });
});
