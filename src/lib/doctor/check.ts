import { redact } from '../errors/redact.js';

export type CheckStatus = 'pass' | 'warn' | 'fail' | 'skip';

/** What a check found, in one line. */
export interface CheckVerdict {
  status: CheckStatus;
  reason: string;
  /** On a failure that blocks only some of `neededBy` (one verb denied of several): those commands. */
  blocks?: string[];
}

/**
 * One of doctor's checks, as data: what it calls and the answer it expects (printed with --wide and --json), the
 * commands that would fail without it, and the check itself. `needs`: the id of a check that must pass first
 * (the API answering at all); when that one fails, this one is skipped rather than failing again for the same reason.
 */
export interface DoctorCheck {
  id: string;
  area: 'gcs' | 'kubernetes' | 'monitoring' | 'cloudbuild' | 'storagetransfer' | 'kms' | 'mongodb' | 'firestore';
  calls: string;
  expects: string;
  neededBy: string[];
  needs?: string;
  run(): Promise<CheckVerdict>;
}

export type CheckResult = Omit<DoctorCheck, 'run' | 'needs'> & CheckVerdict;

/** Runs every check, each at most once, those a check needs before it; a check that throws fails with the error's first line. */
export async function runChecks(checks: DoctorCheck[]): Promise<CheckResult[]> {
  const started = new Map<string, Promise<CheckVerdict>>();
  const verdict = (c: DoctorCheck): Promise<CheckVerdict> => {
    let p = started.get(c.id);
    if (!p) {
      p = (async () => {
        const needed = c.needs ? checks.find((x) => x.id === c.needs) : undefined;
        if (needed) {
          const first = await verdict(needed);
          if (first.status === 'fail') return { status: 'skip', reason: `${needed.id} failed` };
        }
        try {
          return await c.run();
        } catch (err) {
          return { status: 'fail', reason: oneLine((err as Error)?.message ?? String(err)) };
        }
      })();
      started.set(c.id, p);
    }
    return p;
  };
  const verdicts = await Promise.all(checks.map(verdict));
  return checks.map(({ run: _run, needs: _needs, ...c }, i) => ({ ...c, ...verdicts[i]! }));
}

const oneLine = (text: string) => redact(text.split('\n')[0]!.trim()).slice(0, 300);

export const pass = (reason: string): CheckVerdict => ({ status: 'pass', reason });
export const warn = (reason: string): CheckVerdict => ({ status: 'warn', reason });
export const fail = (reason: string): CheckVerdict => ({ status: 'fail', reason });
export const skip = (reason: string): CheckVerdict => ({ status: 'skip', reason });
