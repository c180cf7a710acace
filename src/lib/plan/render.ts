import type { Ui } from '../ui/ui.js';
import type { Plan } from './plan.js';

/** Prints a plan the way `terraform plan` does: every step, then warnings, then a count. */
export function renderPlan(ui: Ui, plan: Plan): void {
  const c = ui.color;
  ui.heading(`Plan: ${plan.summary} (environment ${plan.env})`);
  if (plan.steps.length === 0) {
    ui.info('  nothing to do');
  }
  plan.steps.forEach((step, i) => {
    ui.info(
      `  ${c.dim(String(i + 1).padStart(2))}. ${actionColor(ui, step.action)} ${step.target}${step.description ? c.dim(` — ${step.description}`) : ''}`,
    );
  });
  for (const w of plan.warnings) ui.warn(w);
  ui.info(c.dim(`  ${plan.steps.length} step(s)${plan.destructive ? ', destructive' : ''}`));
}

function actionColor(ui: Ui, action: string): string {
  const c = ui.color;
  if (/delete|empty|drop|scale-down|prune|overwrite/.test(action)) return c.red(action);
  if (/create|add|copy|set|restore/.test(action)) return c.green(action);
  return c.yellow(action);
}
