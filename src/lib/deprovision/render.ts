import type { PlanStep } from '../plan/plan.js';
import { renderPlan } from '../plan/render.js';
import { formatDuration } from '../ui/duration.js';
import type { Ui } from '../ui/ui.js';
import type { ApplyHooks } from './apply.js';
import type { DeprovisionJournal } from './journal.js';
import type { Leftovers } from './leftovers.js';
import type { ManualStep } from './manual.js';
import { formatBytes } from '../ui/bytes.js';
import { gsUrl } from '../config/gs-url.js';
import { days, softDeletedBilled, type DeprovisionPlan } from './plan.js';

/** The plan, its notes, and where a resumed run picks up. */
export function renderDeprovisionPlan(ui: Ui, plan: DeprovisionPlan, journal: DeprovisionJournal): void {
  renderPlan(ui, plan);
  for (const note of plan.notes) ui.info(ui.color.dim(`  note: ${note}`));
  if (plan.steps.length && journal.started && !journal.finished)
    ui.note(
      `resuming the deprovision started ${journal.data!.startedAt}: ${journal.doneCount} step(s) already done (${journal.file})`,
    );
}

/** What a run with nothing to do says: the environment was deprovisioned before, or never needed it. */
export function nothingToDeprovision(env: string, journal: DeprovisionJournal): string {
  const when = journal.data?.finishedAt;
  return journal.started
    ? `${env} is already deprovisioned${when ? ` (finished ${when})` : ''}: nothing to do`
    : `${env} has nothing to deprovision: no workload running, no Kubernetes object to remove, every bucket already emptying or absent`;
}

export function renderManualSteps(ui: Ui, steps: ManualStep[]): void {
  ui.heading('Then, by hand:');
  steps.forEach((s, i) => {
    ui.info(`  ${i + 1}. ${s.title}`);
    for (const c of s.commands) ui.info(`       ${ui.color.cyan(c)}`);
  });
}

/**
 * A line per finished step, and a line every `everyMs` while waiting for a load balancer: works in a
 * terminal and in a CI log. Every finished step is also passed to `stepDone` (the audit outcome's list).
 */
export function progressHooks(
  ui: Ui,
  quiet: boolean,
  stepDone: (id: string) => void = () => {},
  everyMs = 15_000,
): ApplyHooks {
  if (quiet) return { onStepDone: (step) => stepDone(step.id) };
  let lastWait: { id: string; at: number } | undefined;
  return {
    onStepDone(step: PlanStep, outcome: string, i: number, total: number) {
      stepDone(step.id);
      const note = outcome.startsWith('already-') ? ui.color.dim(` (${outcome.replace('-', ' ')})`) : '';
      ui.success(`${ui.color.dim(`[${i + 1}/${total}]`)} ${step.action} ${step.target}${note}`);
    },
    onWait(step, info) {
      if (lastWait?.id === step.id && info.elapsedMs - lastWait.at < everyMs) return;
      lastWait = { id: step.id, at: info.elapsedMs };
      const lb = info.loadBalancer.length ? `, load balancer ${info.loadBalancer.join(', ')}` : '';
      ui.note(
        `  … ${step.target}: waiting for GKE to remove the load balancer (${formatDuration(info.elapsedMs)} of ${formatDuration(info.timeoutMs)}; finalizers: ${info.finalizers.join(', ') || 'none'}${lb})`,
      );
    },
  };
}

/** What is left of the environment, for `env status`. */
export function renderLeftovers(ui: Ui, l: Leftovers): void {
  const c = ui.color;
  const d = l.deprovision;
  const dep =
    d.state === 'finished'
      ? `finished ${d.finishedAt} (${d.steps} steps, ${d.runs} run(s))`
      : d.state === 'in progress'
        ? `in progress: ${d.steps} step(s) done since ${d.startedAt}; re-run gwctl env deprovision to finish`
        : 'not started';
  ui.heading(`Deprovision: ${dep}`);
  if (d.runningNow)
    ui.info(
      `  ${c.yellow('running now:')} ${d.runningNow.holder} since ${d.runningNow.since ?? '?'} (renewed ${d.runningNow.renewed ?? 'never'})`,
    );
  const t = l.trigger;
  const triggerColor =
    t.state === 'enabled' ? c.yellow : t.state === 'absent' || t.state === 'unknown' ? c.dim : c.green;
  ui.info(
    `  Deployment trigger ${t.name}: ${triggerColor(t.state)}${t.problem ? ` (${t.problem})` : ''} ${c.dim(`(${t.resourceName})`)}`,
  );
  const running = l.workloads.filter((w) => w.replicas > 0).length;
  const kubeLeft = running + l.ingresses.length + Object.values(l.counts).reduce((a, b) => a + b, 0);
  ui.info(
    `  Kubernetes: ${kubeLeft === 0 ? c.green('nothing left to remove') : c.yellow(`${running} workload(s) with replicas, ${l.ingresses.length} Ingress(es), ${kubeLeft - running - l.ingresses.length} other object(s)`)}`,
  );
  const present = l.buckets.filter((b) => b.exists);
  const full = present.filter((b) => !b.empty);
  const counted = full.filter((b) => b.objects !== undefined);
  const objects = counted.reduce((n, b) => n + b.objects!, 0);
  const count = counted.length
    ? ` (about ${objects} object(s) at Cloud Monitoring's last daily measurement${counted.length < full.length ? `; ${full.length - counted.length} bucket(s) not measured yet` : ''})`
    : '';
  const emptying = present.every((b) => b.emptying);
  ui.info(
    `  Buckets: ${full.length === 0 ? c.green(`${present.length ? 'empty' : 'none left'}`) : c.yellow(`${full.length} of ${present.length} not empty${count}${emptying ? ', every bucket emptying at the next lifecycle run' : ''}`)}${
      l.buckets.length > present.length ? c.dim(` (${l.buckets.length - present.length} absent)`) : ''
    }`,
  );
  for (const b of present) {
    const billed = softDeletedBilled(b.name, b.softDeleted);
    if (billed) ui.warn(billed);
  }
  ui.heading('Workloads');
  if (l.workloads.length === 0) ui.info('  none');
  else
    ui.table(l.workloads, [
      { header: '  kind', get: (w) => `  ${w.kind}` },
      { header: 'name', get: (w) => w.name },
      { header: 'replicas', get: (w) => w.replicas, align: 'right' },
      { header: 'ready', get: (w) => w.ready, align: 'right' },
    ]);
  ui.heading('Ingresses and load balancers');
  if (l.ingresses.length === 0) ui.info('  none (no Ingress, so no GKE load balancer)');
  for (const i of l.ingresses)
    ui.info(
      `  ${i.name}: ${i.state === 'deleting' ? c.yellow(`deleting since ${i.since}`) : 'serving'}; load balancer ${i.loadBalancer.join(', ') || 'none'}; finalizers ${i.finalizers.join(', ') || 'none'}`,
    );
  const n = l.counts;
  ui.info(
    `  services ${n.services}, configmaps ${n.configMaps}, secrets ${n.secrets}, PVCs ${n.persistentVolumeClaims}, cronjobs ${n.cronJobs}, jobs ${n.jobs} ${c.dim('(system objects not counted)')}`,
  );
  ui.heading('Buckets');
  ui.info(
    c.dim("  empty: listed now (one object); objects and size: Cloud Monitoring's measurement, taken once a day"),
  );
  ui.table(l.buckets, [
    { header: '  bucket', get: (b) => `  ${gsUrl(b.name)}` },
    { header: 'role', get: (b) => b.role },
    { header: 'empty', get: (b) => (b.exists ? (b.empty ? 'yes' : 'no') : 'absent') },
    {
      header: 'objects (daily)',
      get: (b) => (!b.exists ? '' : b.empty ? 0 : b.objects !== undefined ? `≈${b.objects}` : '?'),
      align: 'right',
    },
    {
      header: 'size',
      get: (b) => (b.exists && !b.empty && b.bytes !== undefined ? `≈${formatBytes(b.bytes)}` : ''),
      align: 'right',
    },
    { header: 'emptying', get: (b) => (b.exists ? (b.emptying ? 'yes (age-0 rule)' : 'no') : '') },
    { header: 'soft delete', get: (b) => (b.exists ? (b.softDeleteSeconds ? days(b.softDeleteSeconds) : 'off') : '') },
    {
      header: 'soft-deleted',
      get: (b) => (b.softDeleted ? `${b.softDeleted.objects}${b.softDeleted.more ? '+' : ''}` : ''),
      align: 'right',
    },
  ]);
}
