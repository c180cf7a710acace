import type { Ui } from '../ui/ui.js';
import type { PartState, ProtectionStatus } from './status.js';

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
