import type { AuditLine } from './lines.js';
import { liveness, type Liveness } from './process-liveness.js';
import type { AuditEntry, IntentRecord, OutcomeRecord, StepsDone } from './record.js';
import type { RunProgress } from './run-progress.js';
import type { AuditSink } from './sink.js';

export interface OpenRun {
  intent: IntentRecord;
  line: number;
  state: Liveness;
}

/** Intents with no outcome yet, and whether the process that wrote each still runs. */
export function openRuns(log: readonly AuditLine[], host?: string): OpenRun[] {
  const closed = new Set<string>();
  for (const l of log) if (l.record?.kind === 'outcome') closed.add(l.record.run);
  return log.flatMap((l) =>
    l.record?.kind === 'intent' && !closed.has(l.record.run)
      ? [{ intent: l.record, line: l.line, state: liveness(l.record.process, host) }]
      : [],
  );
}

const MAX_IDS = 100;

/** The steps done, as an outcome records them: ids only when not all were, and at most MAX_IDS of them. */
export function stepsDone(planned: number, done: readonly string[] | undefined, finished: boolean): StepsDone {
  if (finished) return { planned, done: planned };
  if (!done) return { planned };
  const ids = done.slice(0, MAX_IDS);
  return {
    planned,
    done: done.length,
    ...(ids.length ? { ids } : {}),
    ...(done.length > ids.length ? { more: done.length - ids.length } : {}),
  };
}

/**
 * The outcome of a run whose process is gone without recording one (kill -9, a crash, a lost machine):
 * what it had reported (its progress file), else `abandoned` with the steps it got through.
 */
export function outcomeOfDeadRun(intent: IntentRecord, by: string, progress?: RunProgress): AuditEntry {
  const state = progress?.load(intent.run);
  const { operator, command, env, planDigest, summary, run } = intent;
  const base = { kind: 'outcome' as const, operator, command, env, planDigest, summary, run, reconciledBy: by };
  if (state?.unrecorded) {
    const u = state.unrecorded;
    return {
      ...base,
      result: u.result,
      steps: stepsDone(intent.steps, state.done, u.result === 'applied'),
      ...(u.error ? { error: u.error } : {}),
      ...(u.details !== undefined ? { details: u.details } : {}),
    };
  }
  return {
    ...base,
    result: 'abandoned',
    steps: stepsDone(intent.steps, state?.done, false),
    error: `the process (pid ${intent.process.pid} on ${intent.process.host}) ended without recording an outcome`,
  };
}

/** The outcomes to append for every dead run in `log`. */
export function reconcileEntries(log: readonly AuditLine[], by: string, progress?: RunProgress): AuditEntry[] {
  return openRuns(log)
    .filter((r) => r.state === 'gone')
    .map((r) => outcomeOfDeadRun(r.intent, by, progress));
}

/** Records the outcome of every dead run; the log's lock makes two runs doing it at once record each only once. */
export async function reconcile(sink: AuditSink, by: string, progress?: RunProgress): Promise<OutcomeRecord[]> {
  // Looked at first without the lock: most of the time there is nothing to record, and nothing is written.
  if (!openRuns(await sink.read()).some((r) => r.state === 'gone')) return [];
  const recorded = (await sink.append((log) => reconcileEntries(log, by, progress))) as OutcomeRecord[];
  for (const r of recorded) progress?.remove(r.run);
  return recorded;
}
