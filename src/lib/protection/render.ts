import type { MutationOutcome } from '../plan/mutation.js';
import type { Ui } from '../ui/ui.js';
import type { ProtectionPlan } from './plan.js';
import type { PartState, ProtectionStatus } from './status.js';

type MutationStatus = MutationOutcome<unknown>['status'];

function stateColor(ui: Ui, state: PartState | ProtectionStatus['verdict']): string {
  const c = ui.color;
  if (state === 'protected') return c.green(state);
  if (state === 'inconsistent') return c.red(state);
  if (state === 'not-configured') return c.dim(state);
  return c.yellow(state);
}

/** `protection: inconsistent (kubernetes disagrees)`, then a line per place and what is wrong in it. */
export function renderProtection(ui: Ui, s: ProtectionStatus): void {
  const disagree = s.disagreeing.length
    ? ` (${s.disagreeing.join(', ')} disagree${s.disagreeing.length === 1 ? 's' : ''})`
    : '';
  ui.heading(`Protection of ${s.env}: ${stateColor(ui, s.verdict)}${disagree}`);
  const width = Math.max(...s.parts.map((p) => p.state.length));
  for (const p of s.parts) {
    ui.info(
      `  ${p.part.padEnd(10)}  ${stateColor(ui, p.state)}${' '.repeat(width - p.state.length)}  ${ui.color.dim(p.summary)}`,
    );
    for (const problem of p.problems) ui.info(`  ${' '.repeat(10)}  ${ui.color.red('!')} ${problem}`);
  }
}

/**
 * What `env protect` and `env unprotect` print after their change (or lack of one), and their result: what the
 * plan left to do by hand and, once applied, the protection read back.
 */
export function reportProtectionChange(
  ui: Ui,
  o: { env: string; goal: 'protected' | 'unprotected'; plan: ProtectionPlan; outcome: MutationStatus },
  status: ProtectionStatus | undefined,
) {
  if (o.outcome === 'no-op') ui.success(`${o.env} is already ${o.goal}`);
  if (o.outcome === 'applied') for (const todo of o.plan.followUp) ui.info(`${ui.color.yellow('next:')} ${todo}`);
  if (status) renderProtection(ui, status);
  return {
    env: o.env,
    status: o.outcome,
    steps: o.plan.steps,
    followUp: o.outcome === 'no-op' ? [] : o.plan.followUp,
    protection: status,
  };
}
