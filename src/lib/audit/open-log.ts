import { hostname } from 'node:os';
import type { AuditLine } from './lines.js';
import { openRuns, reconcile, type OpenRun } from './reconcile.js';
import type { RunProgress } from './run-progress.js';
import type { AuditSink } from './sink.js';

export interface OpenedLog {
  lines: AuditLine[];
  /** Runs still without an outcome once the dead ones are recorded: alive here, or on another host. */
  open: OpenRun[];
}

/**
 * How `audit show` and `audit verify` open the log: first the outcome of every run that died without
 * one is recorded (best effort: a log that cannot be written is still read, and the reason is a warning).
 */
export async function openAuditLog(
  sink: AuditSink,
  who: string,
  progress: RunProgress | undefined,
  warn: (message: string) => void,
): Promise<OpenedLog> {
  try {
    const by = `gwctl ${who} (pid ${process.pid} on ${hostname()})`;
    for (const r of await reconcile(sink, by, progress))
      warn(
        `${r.command} on ${r.env} (run ${r.run}) died without recording its outcome: recorded now as ${r.result} (seq ${r.seq})`,
      );
  } catch (err) {
    warn(`runs that died could not be reconciled: ${(err as Error).message}`);
  }
  const lines = await sink.read();
  return { lines, open: openRuns(lines) };
}

export function describeOpenRun(r: OpenRun): string {
  const p = r.intent.process;
  const where = r.state === 'elsewhere' ? `on ${p.host}, which this machine cannot check` : `pid ${p.pid}, running`;
  return `line ${r.line} (seq ${r.intent.seq}): ${r.intent.command} on ${r.intent.env} (run ${r.intent.run}) has no outcome yet: ${where}`;
}
