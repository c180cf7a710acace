import { randomBytes } from 'node:crypto';
import { constants } from 'node:os';
import { GwctlError, RuntimeError } from '../errors/gwctl-error.js';
import { redact } from '../errors/redact.js';
import { thisProcess } from './process-liveness.js';
import type { AuditEntry, IntentRecord, OutcomeRecord, OutcomeResult } from './record.js';
import { reconcileEntries, stepsDone } from './reconcile.js';
import type { RunProgress, RunState } from './run-progress.js';
import type { RecordedTargets } from './targets.js';
import type { AuditSink } from './sink.js';

/** What the apply gets: a signal that aborts on SIGINT/SIGTERM/SIGHUP, and a way to say a step is done. */
export interface RunContext {
  readonly run: string;
  readonly signal: AbortSignal;
  /** A plan step finished: the outcome lists it, and so does the progress file a reconciler reads if we die. */
  stepDone(id: string): void;
  /**
   * For a run whose intent had to come before its plan (its first write happens while planning): the
   * plan it went on to apply, which the outcome records.
   */
  planned(plan: PlannedRun): void;
}

/** A plan as the records name it; `targets` capped by recordedTargets(). */
export type PlannedRun = { digest: string; steps: number } & Partial<RecordedTargets>;

export interface IntentDraft extends Partial<RecordedTargets> {
  operator: string;
  command: string;
  env: string;
  planDigest: string;
  summary: string;
  /** How many steps the plan has. */
  steps: number;
}

export interface WriteAheadOptions<R> {
  sink: AuditSink;
  intent: IntentDraft;
  apply: (ctx: RunContext) => Promise<R>;
  /** What the outcome keeps of the result (counts, ids): never secrets. */
  details?: (result: R) => unknown;
  progress?: RunProgress;
  /** Warnings for the operator (stderr). */
  warn?: (message: string) => void;
}

export const INTERRUPTING_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
type InterruptingSignal = (typeof INTERRUPTING_SIGNALS)[number];

/** The run was stopped by a signal: exits 128 + the signal's number (130 for SIGINT, 143 for SIGTERM), as shells do. */
export class InterruptedError extends GwctlError {
  constructor(
    readonly signal: InterruptingSignal,
    message = `interrupted by ${signal}`,
    options?: { cause?: unknown },
  ) {
    super(message, 128 + constants.signals[signal], options);
    this.name = 'InterruptedError';
  }
}

/**
 * The write-ahead audit protocol, whatever stores the records:
 * 1. intent — appended durably before the first mutating call, together with the outcome of any run
 *    that died without one; if it cannot be appended, nothing is applied;
 * 2. apply — SIGINT/SIGTERM/SIGHUP abort it (the apply stops cleanly at its next step, or lets the
 *    call in flight finish), and the steps it reports done are kept in a progress file;
 * 3. outcome — applied, failed or interrupted, with the steps done, linked to the intent by `run`.
 *    If the outcome cannot be appended, the progress file keeps it for the next run to record.
 */
export async function runWriteAhead<R>(o: WriteAheadOptions<R>): Promise<R> {
  const warn = o.warn ?? (() => {});
  const run = randomBytes(8).toString('hex');
  const self = thisProcess();
  const controller = new AbortController();
  let signalled: InterruptingSignal | undefined;
  const onSignal = (signal: InterruptingSignal) => {
    if (signalled) return warn(`${signal} again: still stopping; recording the outcome first`);
    signalled = signal;
    warn(`${signal}: stopping once the call in flight returns; the outcome goes to the audit log`);
    controller.abort(new InterruptedError(signal));
  };
  for (const s of INTERRUPTING_SIGNALS) process.on(s, onSignal);
  try {
    const intent = await appendIntent(o, run, self, warn);
    const done: string[] = [];
    const saveProgress = throttledSave(o.progress, run, { done, intent, log: o.sink.location });
    saveProgress();
    let plan: PlannedRun = { digest: intent.planDigest, steps: intent.steps, ...targetsOf(intent) };
    let result: R | undefined;
    let error: unknown;
    let ok = false;
    if (controller.signal.aborted) error = controller.signal.reason;
    else
      try {
        result = await o.apply({
          run,
          signal: controller.signal,
          stepDone: (id) => {
            done.push(id);
            saveProgress();
          },
          planned: (p) => (plan = p),
        });
        ok = true;
      } catch (err) {
        error = err;
      }
    const outcome: OutcomeResult = ok ? 'applied' : signalled ? 'interrupted' : 'failed';
    const entry: AuditEntry = {
      kind: 'outcome',
      operator: intent.operator,
      command: intent.command,
      env: intent.env,
      planDigest: plan.digest,
      summary: intent.summary,
      ...targetsOf(plan),
      run,
      result: outcome,
      steps: stepsDone(plan.steps, done, ok),
      // A failure's message may quote a URI or a token: the record keeps it redacted.
      ...(ok ? {} : { error: redact(messageOf(error)) }),
      ...(signalled ? { signal: signalled } : {}),
      ...(ok && o.details ? { details: o.details(result as R) } : {}),
    };
    const recorded = await appendOutcome(o, entry, done, error, intent);
    if (ok) {
      if (signalled) warn(`${signalled} came after the last step: everything was applied, and recorded so`);
      return result as R;
    }
    if (signalled)
      throw new InterruptedError(
        signalled,
        `${messageOf(error)} — ${entry.steps.done} of ${entry.steps.planned} step(s) done, recorded as interrupted in the audit log (seq ${recorded.seq})`,
        { cause: error },
      );
    throw error;
  } finally {
    for (const s of INTERRUPTING_SIGNALS) process.off(s, onSignal);
  }
}

async function appendIntent<R>(
  o: WriteAheadOptions<R>,
  run: string,
  self: IntentRecord['process'],
  warn: (message: string) => void,
): Promise<IntentRecord> {
  const by = `gwctl ${o.intent.command} (run ${run}, pid ${self.pid} on ${self.host})`;
  let records;
  try {
    records = await o.sink.append((log) => [
      ...reconcileEntries(log, by, o.progress),
      { kind: 'intent', ...o.intent, run, process: self },
    ]);
  } catch (err) {
    throw new RuntimeError(`the audit intent could not be recorded, so nothing was changed: ${messageOf(err)}`, {
      cause: err,
    });
  }
  for (const r of records.slice(0, -1) as OutcomeRecord[]) {
    o.progress?.remove(r.run);
    warn(
      `an earlier ${r.command} on ${r.env} (run ${r.run}) died without recording its outcome: recorded now as ${r.result}`,
    );
  }
  return records.at(-1) as IntentRecord;
}

async function appendOutcome<R>(
  o: WriteAheadOptions<R>,
  entry: Extract<AuditEntry, { kind: 'outcome' }>,
  done: string[],
  error: unknown,
  intent: IntentRecord,
): Promise<OutcomeRecord> {
  let recorded: OutcomeRecord;
  try {
    recorded = (await o.sink.append(() => [entry]))[0] as OutcomeRecord;
    o.progress?.remove(entry.run);
  } catch (err) {
    // Kept where the next run's reconciliation looks, so the outcome is recorded late rather than lost.
    let kept = false;
    try {
      o.progress?.save(entry.run, {
        done,
        intent,
        log: o.sink.location,
        unrecorded: {
          result: entry.result,
          ...(entry.error ? { error: entry.error } : {}),
          ...(entry.details !== undefined ? { details: entry.details } : {}),
        },
      });
      kept = Boolean(o.progress);
    } catch {
      // Nothing more can be done here; the message says so.
    }
    const what = entry.result === 'applied' ? 'the change was applied' : `the change ${entry.result}`;
    throw new RuntimeError(
      `${what} (${entry.steps.done ?? '?'} of ${entry.steps.planned} step(s) done) but its outcome could not be recorded: ${messageOf(err)}; ${
        kept
          ? 'the next gwctl run that opens the audit log records it'
          : 'its intent stays open until a later gwctl run finds this process gone'
      }${entry.result === 'applied' ? '' : ` (apply error: ${messageOf(error)})`}`,
      { cause: err },
    );
  }
  try {
    await o.sink.settle?.();
  } catch (err) {
    // Durable already (sequenced); only its place in a signed checkpoint is late, and anyone's next append makes it.
    o.warn?.(
      `the outcome is recorded (entry ${recorded.seq}) but not yet in a signed checkpoint: ${messageOf(err)}; the next append to ${o.sink.location} integrates it`,
    );
  }
  return recorded;
}

/** Saves the steps done after each step, at most every 200 ms once there are many (a restore may have thousands). */
function throttledSave(
  progress: RunProgress | undefined,
  run: string,
  state: RunState & { done: string[] },
): () => void {
  let last = 0;
  return () => {
    if (!progress) return;
    const now = Date.now();
    if (state.done.length > 100 && now - last < 200) return;
    last = now;
    try {
      progress.save(run, state);
    } catch {
      // Best effort: the outcome record is what counts; this only helps reconcile a run that is killed.
    }
  };
}

/** The target fields a record carries, those present only. */
const targetsOf = (t: Partial<RecordedTargets>): Partial<RecordedTargets> => ({
  ...(t.targets ? { targets: t.targets } : {}),
  ...(t.targetsOmitted !== undefined ? { targetsOmitted: t.targetsOmitted } : {}),
  ...(t.targetsDigest !== undefined ? { targetsDigest: t.targetsDigest } : {}),
});

const messageOf = (err: unknown) => (err as Error)?.message ?? String(err);
