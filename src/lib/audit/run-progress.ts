import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { IntentRecord, OutcomeResult } from './record.js';

/** What a run knows about itself while it lasts: the steps done, and an outcome it could not record. */
export interface RunState {
  done: string[];
  unrecorded?: { result: OutcomeResult; error?: string; details?: unknown };
  /** Its intent as recorded, and the log it went to: how a shared log finds this machine's dead runs without reading it all. */
  intent?: IntentRecord;
  log?: string;
}

/**
 * Where a run keeps its steps done while it runs, so that if it is killed (kill -9, a lost node) the
 * run that reconciles it can say how far it got. Best effort, local: not part of the tamper-evident log.
 */
export interface RunProgress {
  save(run: string, state: RunState): void;
  load(run: string): RunState | undefined;
  remove(run: string): void;
  /** Every run with a progress file here. */
  list?(): RunState[];
}

/** One small JSON file per running change under `dir` (`$GWCTL_HOME/runs`), replaced atomically. */
export class FileRunProgress implements RunProgress {
  constructor(readonly dir: string) {}

  save(run: string, state: RunState): void {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const file = this.file(run);
    const tmp = `${file}.tmp-${process.pid}`;
    writeFileSync(tmp, JSON.stringify(state), { mode: 0o600 });
    renameSync(tmp, file);
  }

  load(run: string): RunState | undefined {
    try {
      const state = JSON.parse(readFileSync(this.file(run), 'utf8')) as RunState;
      return Array.isArray(state?.done) ? state : undefined;
    } catch {
      return undefined;
    }
  }

  remove(run: string): void {
    rmSync(this.file(run), { force: true });
  }

  list(): RunState[] {
    let names: string[];
    try {
      names = readdirSync(this.dir).filter((n) => /^[0-9a-z]+\.json$/i.test(n));
    } catch {
      return [];
    }
    return names.flatMap((n) => {
      const state = this.load(n.slice(0, -'.json'.length));
      return state ? [state] : [];
    });
  }

  private file(run: string): string {
    return join(this.dir, `${run.replace(/[^0-9a-z]/gi, '')}.json`);
  }
}
