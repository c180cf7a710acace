import { makePlan, type Plan } from '../plan/plan.js';
import type { Ui } from '../ui/ui.js';
import type { KeyevSummary } from './keyev-apply.js';
import { keyevStep, type KeyevPlan, type KeyevPlanItem } from './keyev-plan.js';
import { printable } from '../ui/printable.js';

/** Values are shown quoted and cut short: enough to compare, not a dump. */
export const showValue = (v: string | undefined) =>
  v === undefined ? '(none)' : JSON.stringify(v.length > 48 ? `${v.slice(0, 45)}...` : v);

const from = (i: KeyevPlanItem) => (i.sourceKey !== i.key ? ` (MongoDB key ${printable(i.sourceKey)})` : '');

/**
 * The keyev migration as a gwctl plan: one step per key written. Unchanged keys are no steps (so a
 * finished migration is a no-op); conflicts left alone and refused keys are warnings.
 */
export function keyevMutationPlan(env: string, plan: KeyevPlan, opts: { overwrite: boolean }): Plan {
  const written = plan.items.filter((i) => i.action === 'create' || (i.action === 'conflict' && opts.overwrite));
  const warnings = [...plan.warnings];
  for (const i of plan.items) {
    if (i.action === 'invalid') warnings.push(`cannot migrate ${printable(i.key)}${from(i)}: ${i.reason}`);
    if (i.action === 'conflict' && !opts.overwrite) {
      warnings.push(
        `conflict: ${i.key} holds ${showValue(i.current)}, MongoDB has ${showValue(i.value)}${from(i)}; --overwrite replaces it`,
      );
    }
  }
  const c = plan.counts;
  return makePlan({
    command: 'migrate keyev',
    env,
    summary: `copy ${plan.source.database}.${plan.source.collection} into ${plan.target.where}: ${c.create} to create, ${c.unchanged} unchanged, ${c.conflict} conflicting${c.invalid ? `, ${c.invalid} refused` : ''}`,
    destructive: false,
    steps: written.map((i) => ({
      id: keyevStep(i.key),
      action: i.action === 'create' ? 'create' : 'overwrite',
      target: `keyev:${i.key}`,
      description: `${i.action === 'conflict' ? `${showValue(i.current)} → ` : ''}${showValue(i.value)}${from(i)}${i.stringified ? ', stringified' : ''}`,
      detail: {
        key: i.key,
        sourceKey: i.sourceKey,
        value: i.value,
        ...(i.current !== undefined ? { previous: i.current } : {}),
      },
    })),
    warnings,
  });
}

export function renderKeyevSummary(ui: Ui, where: string, s: KeyevSummary): void {
  const line = `${where}: ${s.created} created, ${s.unchanged} unchanged, ${s.overwritten} overwritten, ${s.failed} failed`;
  if (s.failed === 0) {
    ui.success(`${line}; every key read back as planned`);
    return;
  }
  ui.warn(line);
  for (const f of s.failures) ui.warn(`  ${f.key}: ${f.reason}`);
}
