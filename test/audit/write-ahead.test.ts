import { spawnSync } from 'node:child_process';
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { FileAuditSink } from '../../src/lib/audit/file-sink.js';
import { withFileLock } from '../../src/lib/audit/file-lock.js';
import { FileRunProgress } from '../../src/lib/audit/run-progress.js';
import type { IntentRecord } from '../../src/lib/audit/record.js';
import { appendEntry } from '../../src/lib/audit/sink.js';
import { runMutation, type MutationOptions } from '../../src/lib/plan/mutation.js';
import { makePlan } from '../../src/lib/plan/plan.js';
import { Ui } from '../../src/lib/ui/ui.js';
import { auditRecords, intentsIn, outcomesIn } from '../helpers/audit.js';
import { tempDir } from '../helpers/cli.js';

const plan = makePlan({
  command: 'env protect',
  env: 'staging',
  summary: 'turn destroy protection on',
  destructive: false,
  steps: ['set-terraform-var', 'put-policy', 'put-binding', 'label-bucket'].map((id) => ({
    id,
    action: 'set',
    target: id,
    description: '',
  })),
});

function harness(over: Partial<MutationOptions<string>> = {}) {
  const dir = tempDir('gwctl-wal-');
  const file = join(dir, 'audit.jsonl');
  let warnings = '';
  const out = new PassThrough();
  out.on('data', (c) => (warnings += c));
  const calls: string[] = [];
  const opts: MutationOptions<string> = {
    plan,
    dryRun: false,
    yes: true,
    interactive: false,
    ui: new Ui(out, out),
    prompter: { confirm: async () => true, typeToConfirm: async () => true },
    audit: new FileAuditSink(file),
    progress: new FileRunProgress(join(dir, 'runs')),
    apply: async (p, ctx) => {
      for (const s of p.steps) {
        calls.push(s.id);
        ctx.stepDone(s.id);
      }
      return 'done';
    },
    ...over,
  };
  return { dir, file, opts, calls, warnings: () => warnings };
}

/** A pid that existed and is gone: a process that ran and exited. */
function deadPid(): number {
  return Number(
    spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout,
  );
}

/** An intent as another gwctl run wrote it. */
const intentOf = (run: string, process: IntentRecord['process'], over: Partial<IntentRecord> = {}) =>
  ({
    kind: 'intent',
    operator: 'o',
    command: 'bucket ttl set',
    env: 'prod',
    planDigest: 'sha256:1',
    summary: 's',
    steps: 1,
    run,
    process,
    ...over,
  }) as const;

describe('write-ahead audit: the intent comes first', () => {
  it('the intent is on disk before the first mutating call, the outcome after the last', async () => {
    const h = harness();
    let seenByApply: unknown[] = [];
    h.opts.apply = async () => {
      seenByApply = auditRecords(h.file);
      return 'done';
    };
    await runMutation(h.opts);
    expect(seenByApply).toEqual([
      expect.objectContaining({ kind: 'intent', steps: 4, planDigest: expect.any(String) }),
    ]);
    const [intent] = intentsIn(h.file);
    expect(intent!.process).toEqual({ pid: process.pid, host: hostname(), started: expect.any(String) });
    expect(outcomesIn(h.file)).toEqual([
      expect.objectContaining({ run: intent!.run, result: 'applied', steps: { planned: 4, done: 4 } }),
    ]);
  });

  it.for([
    ['the audit path is a directory', (file: string) => mkdirSync(file), /cannot be (read|written).*EISDIR/],
    [
      'the last line was cut short',
      (file: string) => writeFileSync(file, '{"seq":1,"time":"2024-05-01T00:00:00.000Z","prev":"00'),
      /line 1 is not valid JSON.*no record can follow it/,
    ],
    [
      'the last line is null',
      (file: string) => writeFileSync(file, 'null\n'),
      /line 1 is not an audit record: it is null/,
    ],
  ] as const)('applies nothing when %s (exit 1)', async ([, breakIt, message]) => {
    const h = harness();
    breakIt(h.file);
    const err = await runMutation(h.opts).catch((e: unknown) => e);
    expect(err).toMatchObject({ exitCode: 1, message: expect.stringMatching(/nothing was changed/) });
    expect((err as Error).message).toMatch(message);
    expect(h.calls).toEqual([]);
  });

  it('applies nothing while another gwctl holds the audit lock', async () => {
    const h = harness();
    writeFileSync(h.file, '');
    let release!: () => void;
    const held = withFileLock(h.file, () => new Promise<void>((r) => (release = r)));
    await new Promise((r) => setTimeout(r, 50));
    const err = await runMutation(h.opts).catch((e: unknown) => e);
    release();
    await held;
    expect(err).toMatchObject({
      exitCode: 1,
      message: expect.stringMatching(
        /locked by another gwctl.*nothing was changed|nothing was changed.*locked by another gwctl/,
      ),
    });
    expect(h.calls).toEqual([]);
  }, 30_000);

  it('records a failed apply with the steps it finished', async () => {
    const h = harness({
      apply: async (_p, ctx) => {
        ctx.stepDone('set-terraform-var');
        throw new Error('admission API not served');
      },
    });
    await expect(runMutation(h.opts)).rejects.toThrow('admission API not served');
    expect(outcomesIn(h.file)[0]).toMatchObject({
      result: 'failed',
      error: 'admission API not served',
      steps: { planned: 4, done: 1, ids: ['set-terraform-var'] },
    });
  });
});

describe('write-ahead audit: interruptions', () => {
  it('SIGINT during the apply stops it at the next step and records it as interrupted (exit 130)', async () => {
    await import('proper-lockfile'); // installs its own exit handlers once: count ours only
    const listeners = process.listenerCount('SIGINT');
    const h = harness({
      apply: async (p, ctx) => {
        for (const s of p.steps) {
          ctx.signal.throwIfAborted();
          h.calls.push(s.id);
          ctx.stepDone(s.id);
          if (s.id === 'put-policy') process.emit('SIGINT', 'SIGINT');
        }
        return 'done';
      },
    });
    const err = await runMutation(h.opts).catch((e: unknown) => e);
    expect(err).toMatchObject({
      exitCode: 130,
      message: expect.stringMatching(/^interrupted by SIGINT — 2 of 4 step\(s\) done/),
    });
    expect(h.calls).toEqual(['set-terraform-var', 'put-policy']);
    expect(outcomesIn(h.file)[0]).toMatchObject({
      result: 'interrupted',
      signal: 'SIGINT',
      steps: { planned: 4, done: 2, ids: ['set-terraform-var', 'put-policy'] },
    });
    expect(h.warnings()).toMatch(/SIGINT: stopping/);
    expect(process.listenerCount('SIGINT')).toBe(listeners);
  });

  it('SIGTERM exits 143', async () => {
    const h = harness({
      apply: async (_p, ctx) => {
        process.emit('SIGTERM', 'SIGTERM');
        ctx.signal.throwIfAborted();
        return 'done';
      },
    });
    await expect(runMutation(h.opts)).rejects.toMatchObject({ exitCode: 143 });
    expect(outcomesIn(h.file)[0]).toMatchObject({ result: 'interrupted', signal: 'SIGTERM', steps: { done: 0 } });
  });
});

describe('write-ahead audit: runs that died', () => {
  it('the next run records the outcome of a killed run, with the steps its progress file names', async () => {
    const h = harness();
    const pid = deadPid();
    const dead = { pid, host: hostname(), started: new Date(Date.now() - 60_000).toISOString() };
    await appendEntry(h.opts.audit, {
      kind: 'intent',
      operator: 'gcp:sre@example.com os:sre@host',
      command: 'env deprovision',
      env: 'staging',
      planDigest: 'sha256:abc',
      summary: 'deprovision the environment',
      run: 'deadbeefdeadbeef',
      process: dead,
      steps: 22,
    });
    h.opts.progress!.save('deadbeefdeadbeef', { done: ['scale-down/a', 'scale-down/b'] });
    await runMutation(h.opts);
    const [abandoned, applied] = outcomesIn(h.file);
    expect(abandoned).toMatchObject({
      run: 'deadbeefdeadbeef',
      result: 'abandoned',
      command: 'env deprovision',
      steps: { planned: 22, done: 2, ids: ['scale-down/a', 'scale-down/b'] },
      reconciledBy: expect.stringMatching(new RegExp(`^gwctl env protect \\(run [0-9a-f]{16}, pid ${process.pid} on `)),
    });
    expect(applied).toMatchObject({ result: 'applied', command: 'env protect' });
    // The reconciliation comes before the new intent, in the same append.
    expect(auditRecords(h.file).map((r) => r.kind)).toEqual(['intent', 'outcome', 'intent', 'outcome']);
    expect(h.warnings()).toMatch(/an earlier env deprovision on staging .* died without recording its outcome/);
  });

  it('leaves alone a run whose process is alive, and one from another host', async () => {
    const h = harness();
    const base = {
      kind: 'intent' as const,
      operator: 'o',
      command: 'backup create',
      env: 'prod',
      planDigest: 'sha256:1',
      summary: 's',
      steps: 3,
    };
    await appendEntry(h.opts.audit, {
      ...base,
      run: 'aaaa',
      process: { pid: process.pid, host: hostname(), started: new Date(performance.timeOrigin).toISOString() },
    });
    await appendEntry(h.opts.audit, {
      ...base,
      run: 'bbbb',
      process: { pid: deadPid(), host: 'gwctl-backup-28519200-xk2p9', started: new Date().toISOString() },
    });
    await runMutation(h.opts);
    expect(outcomesIn(h.file).map((o) => o.run)).not.toContain('aaaa');
    expect(outcomesIn(h.file).map((o) => o.run)).not.toContain('bbbb');
  });

  it('a reused pid is not taken for the run that died', async () => {
    const h = harness();
    // This test's own pid, but a start time long before this process existed.
    const reused = { pid: process.pid, host: hostname(), started: '2020-01-01T00:00:00.000Z' };
    await appendEntry(h.opts.audit, intentOf('cccc', reused, { command: 'env unprotect', steps: 2 }));
    await runMutation(h.opts);
    expect(outcomesIn(h.file)[0]).toMatchObject({ run: 'cccc', result: 'abandoned', steps: { planned: 2 } });
  });

  it('an outcome that cannot be written is kept, and recorded by the next run', async () => {
    const h = harness({
      apply: async (p, ctx) => {
        p.steps.forEach((s) => ctx.stepDone(s.id));
        // The disk fills up (or the file is replaced) after the apply: the outcome cannot follow a broken line.
        appendFileSync(h.file, 'garbage\n');
        return 'done';
      },
    });
    const err = await runMutation(h.opts).catch((e: unknown) => e);
    expect(err).toMatchObject({
      exitCode: 1,
      message: expect.stringMatching(
        /the change was applied \(4 of 4 step\(s\) done\) but its outcome could not be recorded/,
      ),
    });
    const [intent] = intentsIn(h.file);
    expect(h.opts.progress!.load(intent!.run)).toMatchObject({ unrecorded: { result: 'applied' } });
  });

  it('a run that died with its outcome unrecorded is recorded as what it was', async () => {
    const h = harness();
    await appendEntry(
      h.opts.audit,
      intentOf('dddd', { pid: deadPid(), host: hostname(), started: new Date().toISOString() }),
    );
    h.opts.progress!.save('dddd', {
      done: ['set-lifecycle/b'],
      unrecorded: { result: 'applied', details: { days: 30 } },
    });
    await runMutation(h.opts);
    expect(outcomesIn(h.file)[0]).toMatchObject({
      run: 'dddd',
      result: 'applied',
      steps: { planned: 1, done: 1 },
      details: { days: 30 },
      reconciledBy: expect.stringMatching(/^gwctl env protect/),
    });
    expect(h.opts.progress!.load('dddd')).toBeUndefined();
  });
});
