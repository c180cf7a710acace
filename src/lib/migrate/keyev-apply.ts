import { UsageError } from '../errors/gwctl-error.js';
import type { KeyevStore } from '../keyev/store.js';
import { keyevStep, type KeyevPlan, type KeyevPlanItem } from './keyev-plan.js';
import { printable } from '../ui/printable.js';

export interface KeyevSummary {
  created: number;
  unchanged: number;
  overwritten: number;
  failed: number;
  /** Keys that did not read back as planned, and why. */
  failures: { key: string; reason: string }[];
}

const keysOf = (items: KeyevPlanItem[]) => items.map((i) => printable(i.key)).join(', ');

/**
 * Refuses a plan that cannot be applied as asked: invalid items always, conflicts unless `overwrite`.
 * Checked before confirmation, and again by apply.
 */
export function assertKeyevApplicable(plan: KeyevPlan, opts: { overwrite: boolean }): void {
  const invalid = plan.items.filter((i) => i.action === 'invalid');
  if (invalid.length > 0) {
    const first = invalid[0];
    throw new UsageError(
      `${invalid.length} key(s) cannot be migrated (${keysOf(invalid)}): ${printable(first.sourceKey)}: ${first.reason}; nothing was written`,
    );
  }
  const conflicts = plan.items.filter((i) => i.action === 'conflict');
  if (conflicts.length > 0 && !opts.overwrite) {
    throw new UsageError(
      `${plan.target.where} already holds different values for ${conflicts.length} key(s) (${keysOf(conflicts)}); nothing was written. Compare them, then re-run with --overwrite to replace them`,
    );
  }
}

/**
 * Writes the plan's creates (and, with `overwrite`, its conflicts), then reads every planned key back
 * and counts what matches. A failed write still gets verified, so the summary says what landed.
 */
export async function applyKeyevPlan(
  plan: KeyevPlan,
  store: KeyevStore,
  opts: {
    overwrite: boolean;
    /** A written key read back as planned (the audit outcome lists it). */ stepDone?: (id: string) => void;
  },
): Promise<KeyevSummary> {
  assertKeyevApplicable(plan, opts);
  const toWrite = plan.items.filter((i) => i.action === 'create' || (i.action === 'conflict' && opts.overwrite));
  let writeError: string | undefined;
  if (toWrite.length > 0) {
    try {
      await store.setMany(new Map(toWrite.map((i) => [i.key, i.value!])));
    } catch (err) {
      writeError = (err as Error).message;
    }
  }
  const after = await store.list();
  const summary: KeyevSummary = { created: 0, unchanged: 0, overwritten: 0, failed: 0, failures: [] };
  for (const item of plan.items) {
    const got = after.get(item.key);
    if (got !== item.value) {
      summary.failed++;
      const reason = got === undefined ? 'missing after the write' : 'reads back a different value';
      summary.failures.push({ key: item.key, reason: writeError ? `${reason} (write failed: ${writeError})` : reason });
      continue;
    }
    if (toWrite.includes(item)) opts.stepDone?.(keyevStep(item.key));
    if (item.action === 'create') summary.created++;
    else if (item.action === 'conflict') summary.overwritten++;
    else summary.unchanged++;
  }
  return summary;
}
