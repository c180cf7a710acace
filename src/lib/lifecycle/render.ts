import type { LifecycleRule } from '../cloud/buckets.js';
import type { Ui } from '../ui/ui.js';
import type { RuleDiffEntry } from './diff.js';
import { explainRule, ruleLabel } from './explain.js';
import type { TtlReport } from './ttl-report.js';
import { gsUrl } from '../config/gs-url.js';

/** `bucket ttl show` for a human: every rule in plain words, the TTL marked. */
export function renderTtlReport(ui: Ui, report: TtlReport, title: string): void {
  const c = ui.color;
  ui.heading(`${title} · metageneration ${report.metageneration}`);
  if (report.rules.length === 0) ui.info('  no lifecycle rules: objects are kept until something deletes them');
  for (const r of report.rules) {
    const mark = r.ttl
      ? c.green(' ← retention TTL')
      : report.ambiguous?.includes(r.position)
        ? c.yellow(' ← TTL candidate')
        : '';
    ui.info(`  ${c.dim(String(r.position).padStart(2))}. ${r.explanation}${mark}`);
    ui.info(`      ${c.dim(ruleLabel(r.rule))}`);
  }
  ui.info(
    report.ttl
      ? `Retention TTL: ${report.ttl.days} days (rule ${report.ttl.position})`
      : report.ambiguous
        ? 'Retention TTL: ambiguous'
        : 'Retention TTL: none',
  );
  for (const w of report.warnings) ui.warn(w);
  for (const n of report.notes) ui.info(c.dim(`note: ${n}`));
}

/** The before/after of the rule list: kept rules once, the changed one as -/+, each with its JSON. */
export function renderRuleDiff(ui: Ui, bucket: string, diff: RuleDiffEntry[]): void {
  const c = ui.color;
  ui.heading(`Lifecycle rules of ${gsUrl(bucket)}, before → after:`);
  if (diff.length === 0) ui.info('  (none)');
  const line = (sign: string, pos: number, rule: LifecycleRule) =>
    `  ${sign} ${String(pos).padStart(2)}. ${explainRule(rule)}  ${ruleLabel(rule)}`;
  for (const d of diff) {
    if (d.status === 'kept') ui.info(c.dim(`${line(' ', d.position, d.before!)}  (kept as is)`));
    else {
      if (d.before) ui.info(c.red(line('-', d.position, d.before)));
      if (d.after) ui.info(c.green(line('+', d.position, d.after)));
    }
  }
}
