import type { AuditLine } from '../lines.js';
import { makePlan, type Plan } from '../../plan/plan.js';
import { verifyAuditLines } from '../verify.js';

export interface ImportPlanInput {
  env: string;
  from: string;
  lines: readonly AuditLine[];
  /** The shared log's records so far: an import that is already there is not done twice. */
  existing: readonly AuditLine[];
  log: string;
}

/**
 * The plan of `audit import`: every line of a local hash-chained log, in order, then an `import` record naming
 * the file, its head (the hash of its last line) and how many records it held. The lines go in as they are
 * (their bytes), so the old chain can still be checked inside the shared log. A broken chain is not imported:
 * `audit verify` on the file says what is wrong with it.
 */
export function importPlan(i: ImportPlanInput): Plan {
  const verdict = verifyAuditLines(i.lines);
  if (!verdict.ok)
    throw new Error(
      `${i.from} does not verify (${verdict.problems.length} problem(s), first: ${verdict.problems[0]!.message}); run gwctl audit verify on it (GWCTL_AUDIT_LOG=${i.from})`,
    );
  const done = i.existing.find(
    (l) =>
      (l.record as { kind?: string } | undefined)?.kind === 'import' &&
      (l.record as { head?: string }).head === verdict.head,
  );
  const steps =
    done || i.lines.length === 0
      ? []
      : [
          {
            id: `import/${verdict.head}`,
            action: 'append',
            target: i.log,
            description: `${i.lines.length} record(s) from ${i.from} in order, then an import record with its head ${verdict.head}`,
            detail: { records: i.lines.length, head: verdict.head },
          },
        ];
  return makePlan({
    command: 'audit import',
    env: i.env,
    summary: done
      ? `${i.from} (head ${verdict.head}) is already in ${i.log} (import record at index ${done.line})`
      : `import ${i.lines.length} record(s) of ${i.from} into ${i.log}`,
    steps,
    destructive: false,
  });
}
