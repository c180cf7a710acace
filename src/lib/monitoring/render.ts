import type { Ui } from '../ui/ui.js';
import type { ItemState, MonitoringPlan, PlanItem } from './plan.js';
import type { MonitoringStatus } from './status.js';

function stateText(ui: Ui, state: ItemState, fields: string[]): string {
  const c = ui.color;
  const what = fields.length ? ` (${fields.join(', ')})` : '';
  if (state === 'in-sync') return c.green('in sync');
  if (state === 'drifted') return c.red(`drifted: edited outside gwctl${what}`);
  if (state === 'outdated') return c.yellow(`differs from gwctl.yaml${what}`);
  if (state === 'missing') return c.yellow('missing');
  return c.red(state === 'orphan' ? 'no longer in gwctl.yaml' : 'duplicate');
}

const footer = (ui: Ui, mp: Pick<MonitoringPlan, 'foreign' | 'skipped'>) => {
  for (const s of mp.skipped) ui.info(ui.color.dim(`  ${s.id}: left out, ${s.reason}`));
  ui.info(
    ui.color.dim(
      `  ${mp.foreign.policies} alert policies and ${mp.foreign.checks} uptime checks in the project are not gwctl's for this environment: never changed`,
    ),
  );
};

/** The built-ins and how each stands, before the plan's steps. */
export function renderItems(ui: Ui, mp: MonitoringPlan): void {
  ui.table<PlanItem>(mp.items, [
    { header: 'kind', get: (i) => i.kind },
    { header: 'id', get: (i) => i.id },
    { header: 'state', get: (i) => stateText(ui, i.state, i.fields) },
    { header: 'name', get: (i) => i.name ?? '' },
  ]);
  footer(ui, mp);
}

export function renderStatus(ui: Ui, s: MonitoringStatus): void {
  const c = ui.color;
  ui.heading(`Alerting of ${s.env} (project ${s.project})`);
  ui.table(s.rows, [
    { header: 'kind', get: (r) => r.kind },
    { header: 'id', get: (r) => r.id },
    { header: 'state', get: (r) => stateText(ui, r.state, r.fields) },
    {
      header: 'firing',
      get: (r) => (r.firing === 'yes' ? c.red('FIRING') : r.firing === 'no' ? c.green('no') : c.dim('unknown')),
    },
    {
      header: 'last uptime results',
      get: (r) =>
        r.results?.length
          ? `${r.results.filter((x) => x.passed).length}/${r.results.length} locations passed at ${r.results[0]!.at}`
          : r.kind === 'uptime check'
            ? c.dim('no results yet')
            : '',
    },
  ]);
  footer(ui, s);
  for (const w of s.warnings) ui.warn(w);
  ui.info(
    c.dim(
      `  firing is known for uptime checks only: the Monitoring API v3 has no method for open incidents; see https://console.cloud.google.com/monitoring/alerting/incidents?project=${s.project}`,
    ),
  );
}
