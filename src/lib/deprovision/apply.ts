import { setTimeout as realSleep } from 'node:timers/promises';
import { OrgPolicyError, SOFT_DELETE_CONSTRAINT } from '../cloud/gcs-errors.js';
import { isNotFound } from '../cloud/retry.js';
import { GwctlError, RuntimeError } from '../errors/gwctl-error.js';
import type { PlanStep } from '../plan/plan.js';
import type { DeprovisionDeps } from './inventory.js';
import type { DeprovisionJournal } from './journal.js';
import type { DeprovisionOp, DeprovisionPlan } from './plan.js';
import { disableTrigger } from './trigger.js';

export interface WaitInfo {
  elapsedMs: number;
  timeoutMs: number;
  finalizers: string[];
  loadBalancer: string[];
}

/** How the command shows progress; the engine only reports. */
export interface ApplyHooks {
  onStepStart?(step: PlanStep, index: number, total: number): void;
  onStepDone?(step: PlanStep, outcome: string, index: number, total: number): void;
  /** While an Ingress is waiting for GKE to remove its load balancer, about every poll. */
  onWait?(step: PlanStep, info: WaitInfo): void;
}

export interface ApplyOptions {
  /** How long to wait for each Ingress's load balancer to go. */
  timeoutMs: number;
  pollMs?: number;
  sleep?: (ms: number) => Promise<void>;
  /** Aborted by SIGINT/SIGTERM: the run stops before the next step, or while waiting for a load balancer. */
  signal?: AbortSignal;
  /** Called before each step, before `signal` is checked: the Lease's renew deadline, checked now, not at a timer. */
  beforeStep?: () => void;
}

export interface StepResult {
  id: string;
  outcome: string;
}

export interface DeprovisionResult {
  steps: StepResult[];
  journal: string;
}

/**
 * Applies the plan step by step, recording each finished step in the journal before the next starts.
 * Every step is idempotent — an object or bucket already gone counts as done — so a run stopped
 * anywhere is finished by running again. A failure says how far it got and what to do.
 */
export async function applyDeprovision(
  plan: DeprovisionPlan,
  deps: DeprovisionDeps,
  journal: DeprovisionJournal,
  scope: { project: string; namespace: string },
  opts: ApplyOptions,
  hooks: ApplyHooks = {},
): Promise<DeprovisionResult> {
  journal.beginRun({ env: plan.env, ...scope });
  const results: StepResult[] = [];
  const total = plan.steps.length;
  for (const [i, step] of plan.steps.entries()) {
    let outcome: string;
    try {
      // Between steps: the one before is journalled, this one not begun.
      opts.beforeStep?.();
      opts.signal?.throwIfAborted();
      hooks.onStepStart?.(step, i, total);
      outcome = await applyStep(step, deps, opts, hooks);
    } catch (err) {
      throw stoppedAt(err, plan, step, i, journal);
    }
    const op = step.detail as DeprovisionOp;
    journal.markDone(step.id, outcome, 'previous' in op ? op.previous : undefined);
    results.push({ id: step.id, outcome });
    hooks.onStepDone?.(step, outcome, i, total);
  }
  journal.markFinished();
  return { steps: results, journal: journal.file };
}

async function applyStep(
  step: PlanStep,
  deps: DeprovisionDeps,
  opts: ApplyOptions,
  hooks: ApplyHooks,
): Promise<string> {
  const op = step.detail as DeprovisionOp;
  switch (op.op) {
    case 'disable-trigger':
      return disableTrigger(deps.triggers, op.trigger);
    case 'scale-down':
      return (await deps.kube.scale(op.kind, op.name, op.namespace, 0)) === 'gone' ? 'already-gone' : 'done';
    case 'delete':
      return (await deps.kube.remove(op.kind, op.name, op.namespace)) === 'gone' ? 'already-gone' : 'done';
    case 'delete-ingress':
      return deleteIngressAndWait(step, op, deps, opts, hooks);
    case 'empty-bucket':
      try {
        await deps.buckets.patch(op.bucket, op.patch);
        return 'done';
      } catch (err) {
        if (isNotFound(err)) return 'already-gone';
        if (err instanceof OrgPolicyError && err.constraint === SOFT_DELETE_CONSTRAINT)
          throw new OrgPolicyError(`${err.message}; or re-run with --keep-soft-delete`, err.constraint, { cause: err });
        throw err;
      }
  }
}

/** Deletes the Ingress (unless already deleting) and waits until it is gone: GKE's finalizer goes only once the load balancer has. */
async function deleteIngressAndWait(
  step: PlanStep,
  op: Extract<DeprovisionOp, { op: 'delete-ingress' }>,
  deps: DeprovisionDeps,
  opts: ApplyOptions,
  hooks: ApplyHooks,
): Promise<string> {
  const wait = opts.sleep ?? realSleep;
  const pollMs = opts.pollMs ?? 2_000;
  let current = await deps.kube.get('Ingress', op.name, op.namespace);
  if (!current) return 'already-gone';
  if (!current.deletionTimestamp && (await deps.kube.remove('Ingress', op.name, op.namespace)) === 'gone')
    return 'done';
  const started = Date.now();
  for (;;) {
    current = await deps.kube.get('Ingress', op.name, op.namespace);
    if (!current) return 'done';
    const elapsedMs = Date.now() - started;
    hooks.onWait?.(step, {
      elapsedMs,
      timeoutMs: opts.timeoutMs,
      finalizers: current.finalizers,
      loadBalancer: current.loadBalancer,
    });
    if (elapsedMs >= opts.timeoutMs)
      throw new RuntimeError(
        `ingress/${op.namespace}/${op.name} is still there after ${Math.round(elapsedMs / 1000)}s (finalizers: ${current.finalizers.join(', ') || 'none'}): ` +
          `GKE has not finished removing its load balancer; the delete stands, so re-run later (or with a longer --timeout), and check kubectl describe ingress ${op.name} -n ${op.namespace}`,
      );
    // The delete stands; a re-run goes back to waiting for it.
    opts.signal?.throwIfAborted();
    await wait(Math.min(pollMs, Math.max(0, opts.timeoutMs - elapsedMs)) || pollMs);
    opts.signal?.throwIfAborted();
  }
}

function stoppedAt(
  err: unknown,
  plan: DeprovisionPlan,
  step: PlanStep,
  index: number,
  journal: DeprovisionJournal,
): GwctlError {
  const message = `${(err as Error)?.message ?? String(err)} — stopped at step ${index + 1}/${plan.steps.length} (${step.id}); ${journal.doneCount} step(s) done so far are recorded in ${journal.file}; re-run gwctl env deprovision ${plan.env} to continue`;
  return new GwctlError(message, err instanceof GwctlError ? err.exitCode : 1, { cause: err });
}
