import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const BIN = resolve(import.meta.dirname, '../../bin/run.js');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the built gwctl as an operator would, in its own process (so exit codes are real). */
export function runGwctl(
  args: string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string } = {},
): Promise<CliResult> {
  return new Promise((resolvePromise) => {
    const child = execFile(
      process.execPath,
      [BIN, ...args],
      {
        cwd: opts.cwd ?? process.cwd(),
        env: { ...process.env, NODE_ENV: 'production', NO_COLOR: '1', GWCTL_CONFIG: '', GWCTL_ENV: '', ...opts.env },
        timeout: 120_000,
        maxBuffer: 64 * 1024 * 1024,
      },
      (err, stdout, stderr) => {
        const code = err
          ? typeof (err as { code?: unknown }).code === 'number'
            ? (err as { code: number }).code
            : 1
          : 0;
        resolvePromise({ code, stdout, stderr });
      },
    );
    if (opts.input !== undefined) child.stdin?.end(opts.input);
    else child.stdin?.end();
  });
}

export function tempDir(prefix = 'gwctl-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** The `result` of a command's `--json` envelope (`{status, result, warnings}`), checking it is one. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function resultOf<T = any>(r: { stdout: string }): T {
  const envelope = JSON.parse(r.stdout) as { status?: unknown; result?: T; warnings?: unknown };
  if (typeof envelope.status !== 'number' || !Array.isArray(envelope.warnings) || !('result' in envelope))
    throw new Error(`not a gwctl JSON envelope: ${r.stdout.slice(0, 200)}`);
  return envelope.result as T;
}
