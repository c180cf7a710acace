import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runGwctl, tempDir, resultOf } from '../helpers/cli.js';

const BIN = resolve(import.meta.dirname, '../../bin/run.js');
const alive = (p: ChildProcess) => p.exitCode === null && p.signalCode === null;

describe('gwctl sandbox stop after the sandbox died and its pid was reused', () => {
  let unrelated: ChildProcess;
  afterEach(() => unrelated?.kill('SIGKILL'));

  for (const [what, identity] of [
    ['a state file written by this gwctl (pid and start time)', { processStart: '1' }],
    ['a state file from an older gwctl (pid only)', {}],
  ] as const)
    it(`signals nothing, removes ${what}, and exits 0`, async () => {
      unrelated = spawn('sleep', ['300'], { stdio: 'ignore' });
      const home = tempDir();
      const dir = join(home, 'sandbox');
      mkdirSync(dir, { recursive: true });
      writeFileSync(
        join(dir, 'state.json'),
        JSON.stringify({ pid: unrelated.pid, ...identity, startedAt: new Date(0).toISOString(), dir, endpoints: {} }),
      );
      writeFileSync(join(dir, 'sandbox.lock'), JSON.stringify({ pid: unrelated.pid, ...identity }));
      const r = await runGwctl(['sandbox', 'stop', '--json'], { env: { GWCTL_HOME: home } });
      expect(r.code, r.stderr).toBe(0);
      expect(resultOf(r)).toEqual({ stopped: false, stale: true, pid: null });
      expect(r.stderr).toMatch(/left by a process that is gone; removed it, signalled nothing/);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(alive(unrelated)).toBe(true);
      expect(existsSync(join(dir, 'state.json'))).toBe(false);
    });

  it('stops a sandbox that is still starting (it holds the lock, has no state yet)', async () => {
    const home = tempDir();
    const starting = spawn(process.execPath, [BIN, 'sandbox', 'start'], {
      env: { ...process.env, GWCTL_HOME: home },
      stdio: 'ignore',
    });
    const lock = join(home, 'sandbox', 'sandbox.lock');
    while (!existsSync(lock) && alive(starting)) await new Promise((r) => setTimeout(r, 20));
    const r = await runGwctl(['sandbox', 'stop', '--json'], { env: { GWCTL_HOME: home } });
    expect(r.code, r.stderr).toBe(0);
    expect(resultOf(r)).toMatchObject({ stopped: true, pid: starting.pid });
    await new Promise((resolve) => (alive(starting) ? starting.once('exit', resolve) : resolve(null)));
    expect(existsSync(join(home, 'sandbox', 'state.json'))).toBe(false);
  });

  it('a corrupt state file is stale too, not a crash', async () => {
    const home = tempDir();
    mkdirSync(join(home, 'sandbox'), { recursive: true });
    writeFileSync(join(home, 'sandbox', 'state.json'), '{"pid": 12');
    const r = await runGwctl(['sandbox', 'stop', '--json'], { env: { GWCTL_HOME: home } });
    expect(r.code, r.stderr).toBe(0);
    expect(resultOf(r).stale).toBe(true);
  });
});
