import type { AuditLine } from '../lines.js';
import { canonicalJson, type AuditEntry, type AuditRecord } from '../record.js';
import type { AuditSink } from '../sink.js';
import { MAX_BATCH } from './batches.js';
import type { SharedLog, LogState } from './shared-log.js';
import type { LogVerdict } from './verify-log.js';

/**
 * Heartbeats of runs in progress: `<prefix>runs/<run>`, written every minute while the change is applied (the
 * intent's time counts as the first), deleted with the outcome.
 */
export const RUNS_DIR = 'runs/';
const HEARTBEAT_MS = 60_000;

export interface SharedSinkOptions {
  /** Intents of changes started on this machine and not yet closed (their progress files), for reconciliation. */
  localRuns: () => AuditLine[];
  /** Reads and checks the whole log (verifySharedLog with this machine's last checkpoint). */
  verify: () => Promise<LogVerdict>;
}

/**
 * The write-ahead protocol's sink over the shared log. An append sequences its records (durable: the change may
 * start) and integrates them in the background; the next append, or settle(), waits for that integration, so
 * an intent's integration runs beside the apply and the outcome's append starts from the checkpoint it left.
 * Each stored entry is the record's canonical JSON with its log index and time.
 */
export class SharedAuditSink implements AuditSink {
  readonly location: string;
  /** The verdict of the last read(): problems found on the way. */
  lastVerdict: LogVerdict | undefined;
  private background: Promise<LogState> | undefined;
  private end: number | undefined;
  private readonly beating = new Map<string, NodeJS.Timeout>();
  /** Runs whose intent this process appended, and those it wrote a heartbeat for. */
  private readonly started = new Set<string>();
  private readonly beaten = new Set<string>();
  private readonly chores: Promise<unknown>[] = [];

  constructor(
    readonly log: SharedLog,
    private readonly o: SharedSinkOptions,
  ) {
    this.location = log.store.location;
  }

  /** Every integrated record, checked against the signed checkpoint (sequenced ones are integrated first). */
  async read(): Promise<AuditLine[]> {
    await this.settle().catch(() => undefined);
    await this.log.integratePending().catch(() => undefined); // read-only here, or a broken log: verify says why
    const verdict = await this.o.verify();
    this.lastVerdict = verdict;
    return verdict.entries.map((e) => entryLine(e.index, e.bytes));
  }

  async append(next: (log: readonly AuditLine[]) => AuditEntry[]): Promise<AuditRecord[]> {
    const entries = next(this.o.localRuns());
    if (entries.length === 0) return [];
    // Right after our own previous batch, while its integration may still be under way: the two overlap, and
    // this batch's integration starts from the checkpoint that one leaves.
    const previous = this.background;
    const time = new Date().toISOString();
    const intents = entries.flatMap((e) => (e.kind === 'intent' ? [e.run] : []));
    const sequenced = await this.log.sequence(
      (index) => entries.map((e, i) => Buffer.from(encodeEntry(e, index + i, time))),
      this.end,
    );
    const known = sequenced.state ?? (previous ? await previous.catch(() => undefined) : undefined);
    this.end = sequenced.start + sequenced.count;
    this.background = this.log.integrate(this.end, known);
    this.background.catch(() => undefined); // surfaced by settle() or the next append
    for (const e of entries) if (e.kind === 'outcome') this.stopBeating(e.run);
    for (const run of intents) {
      this.started.add(run);
      this.keepBeating(run);
    }
    return entries.map(
      (e, i) => ({ ...e, index: sequenced.start + i, seq: sequenced.start + i, time }) as unknown as AuditRecord,
    );
  }

  /**
   * Appends entries exactly as given (an imported chain's lines), in batches one after the other, and
   * integrates them. Returns the index of the first and of the last.
   */
  async appendRaw(texts: readonly string[]): Promise<{ first: number; last: number }> {
    let first: number | undefined;
    let last = -1;
    for (let i = 0; i < texts.length; i += MAX_BATCH) {
      const previous = this.background;
      const batch = texts.slice(i, i + MAX_BATCH).map((t) => Buffer.from(t));
      const s = await this.log.sequence(() => batch, this.end);
      const known = s.state ?? (previous ? await previous.catch(() => undefined) : undefined);
      first ??= s.start;
      last = s.start + s.count - 1;
      this.end = s.start + s.count;
      this.background = this.log.integrate(this.end, s.state ?? known);
      this.background.catch(() => undefined);
    }
    await this.settle();
    return { first: first ?? -1, last };
  }

  /** Waits for the last append's integration: its records are then in a signed checkpoint. */
  async settle(): Promise<void> {
    await Promise.allSettled(this.chores.splice(0));
    if (this.background) await this.background;
    await this.log.consistency();
  }

  /** When each run in progress last showed it was alive (server time of its heartbeat). */
  async heartbeats(): Promise<Map<string, string>> {
    const listed = await this.log.store.list(RUNS_DIR);
    return new Map(listed.map((o) => [o.name.slice(RUNS_DIR.length), o.updated]));
  }

  private beat(run: string): Promise<unknown> {
    return this.log.store.put(`${RUNS_DIR}${run}`, Buffer.from(new Date().toISOString()), {
      contentType: 'text/plain',
    });
  }

  /** The intent's own time is the first sign of life: a command shorter than a heartbeat writes none. */
  private keepBeating(run: string): void {
    const timer = setInterval(() => {
      this.beaten.add(run);
      void this.beat(run).catch(() => undefined);
    }, HEARTBEAT_MS);
    timer.unref();
    this.beating.set(run, timer);
  }

  private stopBeating(run: string): void {
    clearInterval(this.beating.get(run));
    this.beating.delete(run);
    // A run reconciled from elsewhere may have left one too: only the runs this process knows it never beat skip it.
    if (this.beaten.has(run) || !this.started.has(run))
      this.chores.push(this.log.store.delete(`${RUNS_DIR}${run}`).catch(() => undefined));
  }
}

/** What the log stores for a record: its canonical JSON with the index it lands at and the time it was sequenced. */
export function encodeEntry(entry: AuditEntry, index: number, time: string): string {
  return canonicalJson({ ...entry, index, time });
}

/** A stored entry as the audit code reads records (seq = index); an entry that is not a record is a problem. */
export function entryLine(index: number, bytes: Uint8Array): AuditLine {
  const text = Buffer.from(bytes).toString('utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { line: index, text, problem: { kind: 'unparseable', message: `entry ${index} is not JSON` } };
  }
  if (
    !value ||
    typeof value !== 'object' ||
    Array.isArray(value) ||
    typeof (value as { command?: unknown }).command !== 'string'
  )
    return { line: index, text, problem: { kind: 'not-a-record', message: `entry ${index} is not an audit record` } };
  return { line: index, text, record: { ...(value as AuditRecord), seq: index } };
}
