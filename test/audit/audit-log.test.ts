import { existsSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileAuditSink } from '../../src/lib/audit/file-sink.js';
import { appendEntry } from '../../src/lib/audit/sink.js';
import { verifyAuditLines } from '../../src/lib/audit/verify.js';
import { auditRecords } from '../helpers/audit.js';
import { runGwctl, tempDir, resultOf } from '../helpers/cli.js';

/** A log as gwctl wrote it before write-ahead records: one `applied` line per change. Still verified. */
async function logWith(n: number): Promise<Log> {
  const log = logAt(join(tempDir(), 'audit.jsonl'));
  for (let i = 1; i <= n; i++) {
    await appendEntry(log, {
      operator: 'os:sre@host',
      command: 'bucket ttl set',
      env: 'prod',
      planDigest: `sha256:${i}`,
      summary: `change ${i}`,
      result: 'applied',
    });
  }
  return log;
}

type Log = FileAuditSink & {
  records(): ReturnType<typeof auditRecords>;
  verify(): Promise<ReturnType<typeof verifyAuditLines>>;
};

function logAt(file: string): Log {
  const sink = new FileAuditSink(file) as Log;
  sink.records = () => auditRecords(file);
  sink.verify = async () => verifyAuditLines(await sink.read());
  return sink;
}

const rewrite = (log: Log, edit: (lines: string[]) => string[]) =>
  writeFileSync(log.file, `${edit(readFileSync(log.file, 'utf8').trimEnd().split('\n')).join('\n')}\n`);

describe('audit log', () => {
  it('chains each line to the previous one and verifies clean', async () => {
    const log = await logWith(5);
    const records = log.records();
    expect(records.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(records[0]!.prev).toBe('0'.repeat(64));
    const verdict = await log.verify();
    expect(verdict.ok).toBe(true);
    expect(verdict.records).toBe(5);
  });

  it('catches an edited line and says which', async () => {
    const log = await logWith(5);
    rewrite(log, (lines) => lines.map((l, i) => (i === 2 ? l.replace('change 3', 'change three') : l)));
    const verdict = await log.verify();
    expect(verdict.ok).toBe(false);
    expect(verdict.problems).toEqual([expect.objectContaining({ line: 3, problem: 'edited' })]);
  });

  it('catches an edit whose own hash was recomputed, at the next line', async () => {
    const log = await logWith(4);
    const forged = logAt(join(tempDir(), 'forged.jsonl'));
    await appendEntry(forged, {
      operator: 'x',
      command: 'c',
      env: 'prod',
      planDigest: 'sha256:1',
      summary: 'forged',
      result: 'applied',
    });
    rewrite(log, (lines) => [readFileSync(forged.file, 'utf8').split('\n')[0]!, ...lines.slice(1)]);
    const verdict = await log.verify();
    expect(verdict.problems).toEqual([expect.objectContaining({ line: 2, problem: 'broken-chain' })]);
  });

  it('catches a deleted line and says where', async () => {
    const log = await logWith(5);
    rewrite(log, (lines) => lines.filter((_, i) => i !== 2));
    const verdict = await log.verify();
    expect(verdict.problems).toEqual([expect.objectContaining({ line: 3, problem: 'dropped' })]);
    expect(verdict.problems[0]!.message).toMatch(/expected seq 3, found 4/);
  });

  it('catches a swapped pair and names both lines', async () => {
    const log = await logWith(5);
    rewrite(log, (lines) => [lines[0]!, lines[2]!, lines[1]!, lines[3]!, lines[4]!]);
    const verdict = await log.verify();
    expect(verdict.problems.map((p) => [p.line, p.problem])).toEqual([
      [2, 'reordered'],
      [3, 'reordered'],
    ]);
  });

  it('catches a truncated tail when the head hash was kept', async () => {
    const log = await logWith(3);
    const head = (await log.verify()).head;
    rewrite(log, (lines) => lines.slice(0, 2));
    expect((await log.verify()).ok).toBe(true);
    expect((await log.verify()).head).not.toBe(head);
  });

  it('serialises concurrent appends into one chain', async () => {
    const log = logAt(join(tempDir(), 'audit.jsonl'));
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        appendEntry(log, {
          operator: 'o',
          command: 'c',
          env: 'e',
          planDigest: `d${i}`,
          summary: `s${i}`,
          result: 'applied',
        }),
      ),
    );
    expect(await log.verify()).toMatchObject({ ok: true, records: 20 });
  });
});

describe('the audit lock', () => {
  it('a lock file left by an older gwctl that crashed stops nothing once it is stale', async () => {
    const log = await logWith(1);
    writeFileSync(`${log.file}.lock`, '');
    const old = new Date(Date.now() - 60_000);
    utimesSync(`${log.file}.lock`, old, old);
    await appendEntry(log, {
      operator: 'o',
      command: 'c',
      env: 'prod',
      planDigest: 'd',
      summary: 's',
      result: 'applied',
    });
    expect(await log.verify()).toMatchObject({ ok: true, records: 2 });
    expect(existsSync(`${log.file}.lock`)).toBe(false);
  });
});

describe('gwctl audit verify', () => {
  it('exits 0 on an intact log and 1 naming the line on a tampered one', async () => {
    const dir = tempDir();
    const log = logAt(join(dir, '.gwctl', 'audit.jsonl'));
    for (let i = 1; i <= 3; i++)
      await appendEntry(log, {
        operator: 'o',
        command: 'c',
        env: 'prod',
        planDigest: `d${i}`,
        summary: `s${i}`,
        result: 'applied',
      });
    const ok = await runGwctl(['audit', 'verify', '--json'], { cwd: dir });
    expect(ok.code).toBe(0);
    expect(resultOf(ok)).toMatchObject({ ok: true, records: 3 });
    const head = resultOf(ok).head;

    rewrite(log, (lines) => lines.slice(0, 2));
    const truncated = await runGwctl(['audit', 'verify', '--expect-head', head], { cwd: dir });
    expect(truncated.code).toBe(1);
    expect(truncated.stdout).toMatch(/lines were removed from the end/);

    rewrite(log, (lines) => [lines[1]!, lines[0]!]);
    const bad = await runGwctl(['audit', 'verify'], { cwd: dir });
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/line 1 is out of order/);
    expect(bad.stderr).toMatch(/^error: audit log .* failed verification \(\d+ problem\(s\)\)$/m);

    const shown = await runGwctl(['audit', 'show', '--json'], { cwd: dir });
    expect(resultOf(shown).records).toHaveLength(2);
  });
});
