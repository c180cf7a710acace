import { spawn } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStorageTransferTarget, type StorageTransferTarget } from '@gwctl/emulators/testing';
import { intentsIn, outcomesIn } from '../helpers/audit.js';
import { resultOf, runGwctl, tempDir } from '../helpers/cli.js';
import { BACKUPS, seed, snapshot, VAULT, vaultLike } from './harness.js';

// The built CLI (`npm run build` first) against the STS emulator (which copies within the GCS emulator), as an
// operator runs `backup create|restore --engine sts`. STS behaviours: see sts-engine.test.ts.
let t: StorageTransferTarget;
let dir: string;
let file: string;

function writeConfig(stsThreshold?: number) {
  writeFileSync(
    file,
    stringify({
      audit: { file: './audit.jsonl' },
      environments: {
        test: {
          project: 'test',
          buckets: { vault: VAULT, backups: BACKUPS },
          emulators: { storage: t.gcs.url, storagetransfer: t.address },
          ...(stsThreshold ? { backup: { stsThreshold } } : {}),
        },
      },
    }),
  );
}

const gwctl = (...args: string[]) => runGwctl([...args, '--env', 'test'], { cwd: dir, env: { GWCTL_CONFIG: file } });
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- CLI output, checked field by field
const json = (stdout: string) => resultOf({ stdout }) as Record<string, any>;
const backups = async () => json((await gwctl('backup', 'list', '--json')).stdout).backups as { id: string }[];

beforeAll(async () => {
  // A pause before each object a run copies, so a test can kill gwctl while its job runs.
  t = await startStorageTransferTarget({ project: 'test', sts: { objectDelayMs: 25 } });
  await t.storage.createBucket(VAULT);
  await t.storage.createBucket(BACKUPS);
  dir = tempDir('gwctl-sts-');
  file = join(dir, 'gwctl.yaml');
  writeConfig();
  await seed(t.storage, VAULT, vaultLike(12, 'logical/'));
});
afterAll(async () => {
  await t?.close();
});

describe('gwctl backup --engine sts (CLI)', () => {
  it('create --engine sts --dry-run shows how many objects and bytes the job would transfer, and writes nothing', async () => {
    t.log.clear();
    const r = await gwctl('backup', 'create', '--engine', 'sts', '--dry-run');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout + r.stderr).toMatch(/Storage Transfer Service job: 12 object\(s\)/);
    expect(t.log.mutating()).toEqual([]);
  });

  it('create --engine sts runs the job, records engine and job in the audit log; verify and restore --engine sts use it', async () => {
    const r = await gwctl('backup', 'create', '--engine', 'sts', '--yes', '--json');
    expect(r.code, r.stderr).toBe(0);
    const b = json(r.stdout);
    expect(b).toMatchObject({ status: 'applied', objects: 12, engine: { name: 'sts' } });
    expect(b.engine.job).toBe(`transferJobs/gwctl-backup-${b.id}`);
    // Progress of the job on stderr, the result on stdout.
    expect(r.stderr).toMatch(/Storage Transfer Service job transferJobs\/gwctl-backup-.* started/);
    const audit = join(dir, 'audit.jsonl');
    expect(intentsIn(audit).at(-1)!.summary).toMatch(/with a Storage Transfer Service job \(--engine sts\)/);
    expect(JSON.stringify(outcomesIn(audit).at(-1))).toContain(b.engine.job);

    const verified = await gwctl('backup', 'verify', b.id, '--deep', '--json');
    expect(verified.code, verified.stderr).toBe(0);

    const target = 'relaycorp-gateway-test-vault-sts-restore';
    const restored = await gwctl(
      'backup',
      'restore',
      b.id,
      '--engine',
      'sts',
      '--to-bucket',
      target,
      '--yes',
      '--json',
    );
    expect(restored.code, restored.stderr).toBe(0);
    expect(json(restored.stdout)).toMatchObject({
      restored: 12,
      job: expect.stringMatching(/^transferJobs\/gwctl-restore-/),
    });
    expect(await snapshot(t.storage, target)).toEqual(await snapshot(t.storage, VAULT));
  });

  it('a job whose objects are refused exits 1 naming the role the service agent lacks, and commits nothing', async () => {
    await seed(
      t.storage,
      VAULT,
      vaultLike(3, 'refused/').map((o) => ({ ...o, data: Buffer.from(`r ${o.name}`) })),
    );
    const before = (await backups()).length;
    t.sts.failObjects({ match: (name) => name.startsWith('refused/'), code: 'PERMISSION_DENIED' });
    const r = await gwctl('backup', 'create', '--engine', 'sts', '--yes');
    t.sts.clearObjectFaults();
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/PERMISSION_DENIED/);
    expect(r.stderr).toMatch(
      /the Storage Transfer Service agent project-.*@storage-transfer-service\.iam\.gserviceaccount\.com needs roles\//,
    );
    expect(r.stderr).toMatch(/nothing was committed/);
    expect(await backups()).toHaveLength(before);
    const again = await gwctl('backup', 'create', '--engine', 'sts', '--yes', '--json');
    expect(again.code, again.stderr).toBe(0);
    expect(await backups()).toHaveLength(before + 1);
  });

  it('restore --engine sts whose job fails exits 1, leaves nothing staged in the target and no spill directory', async () => {
    const target = 'relaycorp-gateway-test-vault-sts-failed';
    const tmp = tempDir('gwctl-sts-tmp-');
    t.sts.failNextRun({ afterObjects: 3, code: 'PERMISSION_DENIED' });
    const r = await runGwctl(
      ['backup', 'restore', '--engine', 'sts', '--to-bucket', target, '--yes', '--env', 'test'],
      {
        cwd: dir,
        env: { GWCTL_CONFIG: file, TMPDIR: tmp },
      },
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/ended FAILED: PERMISSION_DENIED/);
    const [staged] = await t.storage.bucket(target).getFiles({ prefix: 'gwctl-staging/' });
    expect(staged).toEqual([]);
    expect(readdirSync(tmp).filter((n) => n.startsWith('gwctl-restore-'))).toEqual([]);

    // The Storage Transfer Service cannot even be opened (API not enabled): the plan's spill goes all the same.
    t.sts.disableApi(true);
    const off = await runGwctl(
      ['backup', 'restore', '--engine', 'sts', '--to-bucket', target, '--yes', '--env', 'test'],
      { cwd: dir, env: { GWCTL_CONFIG: file, TMPDIR: tmp } },
    );
    t.sts.disableApi(false);
    expect(off.code).toBe(1);
    expect(readdirSync(tmp).filter((n) => n.startsWith('gwctl-restore-'))).toEqual([]);
  });

  it('a backup killed with -9 while its job runs is never listed, and the re-run completes', async () => {
    await seed(
      t.storage,
      VAULT,
      vaultLike(40, 'killed/').map((o) => ({ ...o, data: Buffer.from(`k ${o.name}`) })),
    );
    const before = (await backups()).length;
    t.log.clear();
    const child = spawn(
      process.execPath,
      [
        resolve(import.meta.dirname, '../../bin/run.js'),
        'backup',
        'create',
        '--engine',
        'sts',
        '--env',
        'test',
        '--yes',
      ],
      { cwd: dir, env: { ...process.env, GWCTL_CONFIG: file, NO_COLOR: '1', NODE_ENV: 'production' }, stdio: 'ignore' },
    );
    const exited = new Promise((r) => child.on('exit', r));
    for (
      let waited = 0;
      !t.log.list({ service: 'storagetransfer' }).some((r) => r.path.endsWith('/RunTransferJob'));
      waited += 20
    ) {
      if (waited > 60_000) throw new Error('the job never started');
      await new Promise((r) => setTimeout(r, 20));
    }
    await new Promise((r) => setTimeout(r, 200));
    child.kill('SIGKILL');
    await exited;
    expect(await backups()).toHaveLength(before);
    // The job goes on at the service, as a real one would; the next run reuses what it staged.
    await t.sts.idle();
    const rerun = await gwctl('backup', 'create', '--engine', 'sts', '--yes', '--json');
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(rerun.stderr).toMatch(/staged by an earlier run are reused/);
    expect(json(rerun.stdout).blobs.copied).toBe(40);
    expect(await backups()).toHaveLength(before + 1);
    const verified = await gwctl('backup', 'verify', 'latest', '--deep', '--json');
    expect(verified.code, verified.stderr).toBe(0);
  });

  it('above backup.stsThreshold objects, create suggests --engine sts', async () => {
    writeConfig(5);
    try {
      const r = await gwctl('backup', 'create', '--dry-run');
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toMatch(/warning: \d+ objects \(backup\.stsThreshold: 5\): consider --engine sts/);
      const sts = await gwctl('backup', 'create', '--engine', 'sts', '--dry-run');
      expect(sts.stderr).not.toMatch(/consider --engine sts/);
    } finally {
      writeConfig();
    }
  });
});
