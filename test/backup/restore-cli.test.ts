import { spawn } from 'node:child_process';
import { readdirSync, rmSync, utimesSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runGwctl, resultOf, tempDir } from '../helpers/cli.js';
import { seedFast, startFixture, VAULT, vaultLike, writeConfig, type Fixture } from './harness.js';

// The built CLI (`npm run build` first), as an operator runs it. Its spill files go to a TMPDIR of the test's own.
let f: Fixture;
let config: { dir: string; file: string };
let tmp: string;

const env = () => ({ GWCTL_CONFIG: config.file, TMPDIR: tmp });
const gwctl = (...args: string[]) => runGwctl([...args, '--env', 'test'], { cwd: config.dir, env: env() });
const spills = () => readdirSync(tmp).filter((n) => n.startsWith('gwctl-restore-'));

beforeAll(async () => {
  f = await startFixture();
  config = writeConfig(f.emu.url);
  tmp = tempDir('gwctl-restore-cli-');
  await seedFast(f.emu.url, VAULT, vaultLike(1500));
  const created = await gwctl('backup', 'create', '--yes');
  expect(created.code, created.stderr).toBe(0);
});
afterAll(async () => {
  await f?.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe('gwctl backup restore of a large backup', () => {
  it('killed with -9 while copying, is finished by running it again, which copies only what is left', async () => {
    const target = 'vault-restored-killed';
    const child = spawn(
      process.execPath,
      [
        resolve(import.meta.dirname, '../../bin/run.js'),
        'backup',
        'restore',
        '--to-bucket',
        target,
        '--env',
        'test',
        '--yes',
        '--concurrency',
        '2',
        '--batch-size',
        '1',
      ],
      { cwd: config.dir, env: { ...process.env, ...env(), NO_COLOR: '1', NODE_ENV: 'production' }, stdio: 'ignore' },
    );
    const exited = new Promise((r) => child.on('exit', r));
    for (let waited = 0; f.emu.objectCount(target) < 50; waited += 20) {
      if (waited > 60_000) throw new Error('the restore never started copying');
      await new Promise((r) => setTimeout(r, 20));
    }
    child.kill('SIGKILL');
    await exited;
    const landed = f.emu.objectCount(target);
    expect(landed).toBeLessThan(1500);
    // The killed run's spill is left behind: nothing in a process survives -9.
    expect(spills()).toHaveLength(1);
    // Swept only once untouched for an hour (ABANDONED_AFTER_MS): as if the operator came back an hour later.
    const killed = join(tmp, spills()[0]!);
    const old = new Date(Date.now() - 2 * 60 * 60 * 1000);
    for (const p of [...readdirSync(killed).map((n) => join(killed, n)), killed]) utimesSync(p, old, old);

    const rerun = await gwctl('backup', 'restore', '--to-bucket', target, '--yes', '--json');
    expect(rerun.code, rerun.stderr).toBe(0);
    const r = resultOf(rerun);
    expect(r.restored + r.unchanged).toBe(1500);
    expect(r.unchanged).toBe(landed);
    expect(f.emu.objectCount(target)).toBe(1500);
    // The re-run removed its own spill and the killed run's.
    expect(spills()).toEqual([]);
  });

  it('--dry-run --json shows counts and the first names, not every object, and leaves no spill', async () => {
    const r = await gwctl('backup', 'restore', '--to-bucket', 'vault-restored-dry', '--dry-run', '--json');
    expect(r.code, r.stderr).toBe(0);
    const { plan } = resultOf(r);
    const restore = plan.steps.find((s: { action: string }) => s.action === 'restore');
    expect(restore.detail).toMatchObject({ objects: 1500, more: 1480 });
    expect(restore.detail.first).toHaveLength(20);
    expect(restore.detail.first[0]).toBe('logical/00000');
    expect(spills()).toEqual([]);
    expect(await f.store.bucketExists('vault-restored-dry')).toBe(false);
  });
});
