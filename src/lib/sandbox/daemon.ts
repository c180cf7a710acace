import { setTimeout as sleep } from 'node:timers/promises';
import { spawn } from 'node:child_process';
import { closeSync, existsSync, readFileSync } from 'node:fs';
import { makePrivateDir, openPrivateFile } from '@gwctl/emulators/common';
import { RuntimeError } from '../errors/gwctl-error.js';
import { sandboxFiles } from './paths.js';
import { lockHolder } from './dir-lock.js';
import { processStart } from './process-identity.js';
import { isRunning, readSandboxState, removeSandboxState, type SandboxState } from './state.js';

/**
 * Starts `gwctl sandbox start` again as a detached background process (logging to sandbox.log)
 * and waits until it has written its state file, i.e. every emulator is listening and seeded.
 */
export async function startDetached(opts: {
  dir: string;
  bin: string;
  args: string[];
  timeoutMs?: number;
}): Promise<SandboxState> {
  const files = sandboxFiles(opts.dir);
  makePrivateDir(opts.dir);
  const out = openPrivateFile(files.log, 'a');
  const child = spawn(process.execPath, [opts.bin, 'sandbox', 'start', ...opts.args], {
    detached: true,
    stdio: ['ignore', out, out],
    env: { ...process.env, GWCTL_HOME: dirnameOfSandbox(opts.dir) },
  });
  closeSync(out);
  let exited: number | null = null;
  child.on('exit', (code) => (exited = code ?? 1));
  child.unref();
  const deadline = Date.now() + (opts.timeoutMs ?? 90_000);
  while (Date.now() < deadline) {
    const state = readSandboxState(opts.dir);
    if (state?.pid === child.pid && isRunning(state)) return state;
    if (exited !== null)
      throw new RuntimeError(
        `the sandbox failed to start (exit ${exited}): ${lastLine(files.log)}; full log: ${files.log}`,
      );
    await sleep(100);
  }
  child.kill('SIGTERM');
  throw new RuntimeError(`the sandbox did not become ready in time; see ${files.log}`);
}

export type StopOutcome =
  | { status: 'stopped'; pid: number }
  | { status: 'not-running' }
  /** A state file whose process is gone (its pid maybe reused by another): removed, nothing signalled. */
  | { status: 'stale'; pid: number | undefined };

/**
 * Asks the sandbox to stop — the running one, or one still starting (it holds the directory's lock) — and waits
 * until its process is gone. A signal goes only to the process that wrote the state or lock file (same pid AND
 * same start time): never to whatever holds a reused pid.
 */
export async function stopSandbox(dir: string, timeoutMs = 20_000): Promise<StopOutcome> {
  const files = sandboxFiles(dir);
  const state = readSandboxState(dir);
  const pid = state?.pid;
  const target = isRunning(state) ? state : lockHolder(dir);
  if (!target) {
    if (!existsSync(files.state)) return { status: 'not-running' };
    removeSandboxState(dir);
    return { status: 'stale', pid };
  }
  const alive = () => processStart(target.pid) === target.processStart;
  process.kill(target.pid, 'SIGTERM');
  const deadline = Date.now() + timeoutMs;
  while (alive() && Date.now() < deadline) await sleep(100);
  if (alive()) process.kill(target.pid, 'SIGKILL');
  // A process killed (or stopped before it was ready) leaves its state file behind.
  removeSandboxState(dir);
  return { status: 'stopped', pid: target.pid };
}

const dirnameOfSandbox = (dir: string) => dir.replace(/\/sandbox\/?$/, '');

function lastLine(file: string): string {
  if (!existsSync(file)) return 'no log';
  const lines = readFileSync(file, 'utf8').trim().split('\n');
  return lines.filter((l) => /error/i.test(l)).at(-1) ?? lines.at(-1) ?? 'no log';
}
