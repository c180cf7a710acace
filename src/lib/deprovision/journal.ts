import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { RuntimeError } from '../errors/gwctl-error.js';
import { gwctlHome } from '../home/gwctl-home.js';

export interface JournalStep {
  finishedAt: string;
  /** `done`; `already-gone` when the object or bucket was not there any more; `already-disabled` (a trigger someone else disabled). */
  outcome: string;
  /** What the step replaced (a bucket's lifecycle rules, soft delete, versioning): gone from the cloud once applied. */
  previous?: unknown;
}

export interface JournalData {
  version: 1;
  env: string;
  project: string;
  namespace: string;
  startedAt: string;
  updatedAt: string;
  /** Set when a run finished every step. */
  finishedAt?: string;
  runs: number;
  steps: Record<string, JournalStep>;
}

export const journalPath = (env: string, home = gwctlHome()) => join(home, 'journal', `${env}-deprovision.json`);

/**
 * The record of a deprovision: which steps finished, when, and what they replaced. Written after
 * every step (atomically), so a run stopped by a crash or Ctrl-C is resumed by the next one.
 */
export class DeprovisionJournal {
  private constructor(
    readonly file: string,
    public data: JournalData | undefined,
  ) {}

  static load(file: string): DeprovisionJournal {
    if (!existsSync(file)) return new DeprovisionJournal(file, undefined);
    try {
      return new DeprovisionJournal(file, JSON.parse(readFileSync(file, 'utf8')) as JournalData);
    } catch (err) {
      throw new RuntimeError(
        `${file}: the deprovision journal is unreadable (${(err as Error).message}); move it aside and re-run (every step is safe to repeat)`,
      );
    }
  }

  get started(): boolean {
    return this.data !== undefined;
  }

  get finished(): boolean {
    return Boolean(this.data?.finishedAt);
  }

  get doneCount(): number {
    return Object.keys(this.data?.steps ?? {}).length;
  }

  isDone(id: string): boolean {
    return Boolean(this.data?.steps[id]);
  }

  /** Starts a run: continues an unfinished journal of the same environment, or opens a new one. */
  beginRun(scope: { env: string; project: string; namespace: string }, now = new Date()): void {
    const d = this.data;
    const same = d && d.env === scope.env && d.project === scope.project && d.namespace === scope.namespace;
    if (d && same && !d.finishedAt) {
      d.runs++;
      d.updatedAt = now.toISOString();
    } else {
      this.data = {
        version: 1,
        ...scope,
        startedAt: now.toISOString(),
        updatedAt: now.toISOString(),
        runs: 1,
        steps: {},
      };
    }
    this.save();
  }

  markDone(id: string, outcome: string, previous?: unknown, now = new Date()): void {
    const d = this.require();
    // The first run saw the original settings; a later one would only see ours.
    const prior = d.steps[id]?.previous;
    d.steps[id] = {
      finishedAt: now.toISOString(),
      outcome,
      ...(prior !== undefined ? { previous: prior } : previous !== undefined ? { previous } : {}),
    };
    d.updatedAt = now.toISOString();
    this.save();
  }

  markFinished(now = new Date()): void {
    const d = this.require();
    d.finishedAt = now.toISOString();
    d.updatedAt = now.toISOString();
    this.save();
  }

  /**
   * Closes a run killed after its last step but before `markFinished`, once a re-run finds nothing left
   * to do: the next deprovision then starts a journal of its own instead of resuming this one.
   */
  closeFinishedRun(scope: { env: string; project: string; namespace: string }): void {
    if (!this.started || this.finished) return;
    this.beginRun(scope);
    this.markFinished();
  }

  private require(): JournalData {
    if (!this.data) throw new Error('journal: beginRun() first');
    return this.data;
  }

  private save(): void {
    mkdirSync(dirname(this.file), { recursive: true });
    const tmp = `${this.file}.tmp-${process.pid}`;
    writeFileSync(tmp, `${JSON.stringify(this.data, null, 2)}\n`);
    renameSync(tmp, this.file);
  }
}
