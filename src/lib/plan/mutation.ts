import { operatorIdentity } from '../audit/operator.js';
import type { RunProgress } from '../audit/run-progress.js';
import type { AuditSink } from '../audit/sink.js';
import { recordedTargets } from '../audit/targets.js';
import { runWriteAhead, type RunContext } from '../audit/write-ahead.js';
import { RuntimeError, UsageError } from '../errors/gwctl-error.js';
import type { Prompter } from '../ui/prompter.js';
import type { Ui } from '../ui/ui.js';
import { isEmptyPlan, planDigest, type Plan } from './plan.js';
import { renderPlan } from './render.js';

/** `P`: the command's own plan type (a Plan with more fields), handed back to `apply` as it was given. */
export interface MutationOptions<R, P extends Plan = Plan> {
  plan: P;
  dryRun: boolean;
  /** `--yes`: skip the y/N question (and allow non-interactive runs). */
  yes: boolean;
  /** `--confirm <env>`: the typed confirmation of destructive plans, given up front. */
  confirm?: string;
  /** Whether a human can answer prompts (stdin and stderr are TTYs). */
  interactive: boolean;
  ui: Ui;
  /** Under --json the plan still goes to stderr; stdout carries only the outcome. */
  prompter: Prompter;
  audit: AuditSink;
  /** Where a run keeps its steps done while it lasts, for the reconciliation of a run that was killed. */
  progress?: RunProgress;
  /** Applies the plan; reports each step done with `ctx.stepDone` and stops early once `ctx.signal` aborts. */
  apply: (plan: P, ctx: RunContext) => Promise<R>;
  /** What the audit record keeps of the result (counts, ids): never secrets. */
  auditDetails?: (result: R) => unknown;
  /** Print the plan (default true): commands that render their own diff turn it off. */
  render?: boolean;
  /**
   * A write-ahead run begun before the plan existed (the command writes while planning): the plan is
   * applied within it, and that run records the outcome (and its details).
   */
  within?: RunContext;
}

export type MutationOutcome<R, P extends Plan = Plan> =
  { status: 'dry-run' | 'no-op'; plan: P; digest: string } | { status: 'applied'; plan: P; digest: string; result: R };

/**
 * The one path every mutating command takes: plan → print → (dry-run stops) → confirm → audit intent
 * → apply → audit outcome (write-ahead.ts). A change whose intent cannot be recorded is not made.
 */
export async function runMutation<R, P extends Plan = Plan>(
  opts: MutationOptions<R, P>,
): Promise<MutationOutcome<R, P>> {
  const { plan, ui } = opts;
  const digest = planDigest(plan);
  if (opts.render !== false) renderPlan(ui, plan);
  if (isEmptyPlan(plan)) return { status: 'no-op', plan, digest };
  if (opts.dryRun) {
    ui.info(ui.color.dim('dry run: nothing was changed'));
    return { status: 'dry-run', plan, digest };
  }
  await confirmPlan(opts);
  if (opts.within) {
    opts.within.planned({ digest, steps: plan.steps.length, ...planTargets(plan) });
    // Interrupted while planning: nothing of the plan is applied.
    opts.within.signal.throwIfAborted();
    return { status: 'applied', plan, digest, result: await opts.apply(plan, opts.within) };
  }
  const result = await runWriteAhead({
    sink: opts.audit,
    intent: {
      operator: operatorIdentity(),
      command: plan.command,
      env: plan.env,
      planDigest: digest,
      summary: plan.summary,
      steps: plan.steps.length,
      ...planTargets(plan),
    },
    apply: (ctx) => opts.apply(plan, ctx),
    ...(opts.auditDetails ? { details: opts.auditDetails } : {}),
    ...(opts.progress ? { progress: opts.progress } : {}),
    warn: (m) => ui.warn(m),
  });
  return { status: 'applied', plan, digest, result };
}

async function confirmPlan(
  opts: Pick<MutationOptions<unknown>, 'plan' | 'confirm' | 'yes' | 'interactive' | 'ui' | 'prompter'>,
): Promise<void> {
  const { plan } = opts;
  if (plan.destructive) {
    if (opts.confirm !== undefined) {
      if (opts.confirm !== plan.env)
        throw new UsageError(
          `--confirm ${opts.confirm} does not match the environment "${plan.env}"; nothing was changed`,
        );
      if (opts.yes || !opts.interactive) {
        if (!opts.yes)
          throw new UsageError(
            `refusing to run a destructive plan non-interactively without --yes: pass --yes --confirm ${plan.env}`,
          );
        return;
      }
    } else if (!opts.interactive) {
      throw new UsageError(
        `refusing to run a destructive plan non-interactively: pass --yes --confirm ${plan.env} after reviewing the plan (try --dry-run)`,
      );
    }
    const typed = await opts.prompter.typeToConfirm(
      `This is destructive. Type the environment name (${plan.env}) to continue:`,
      plan.env,
    );
    if (!typed) throw new RuntimeError(`confirmation did not match "${plan.env}"; nothing was changed`);
    return;
  }
  if (opts.yes) return;
  requireYesWhenUnattended(opts);
  if (!(await opts.prompter.confirm('Apply this plan?')))
    throw new RuntimeError('aborted by the operator; nothing was changed');
}

/** A change nobody can be asked about needs --yes (checked early by commands that write before planning). */
export function requireYesWhenUnattended(opts: { yes: boolean; interactive: boolean }): void {
  if (!opts.yes && !opts.interactive)
    throw new UsageError(
      'refusing to change anything non-interactively without --yes (review it with --dry-run first)',
    );
}

/**
 * What the plan's steps act on, once each: the records carry it, and `verify infra` attributes drift by it.
 * Capped (targets.ts) so a restore of thousands of objects still fits in one shared-log entry (64 KiB).
 */
const planTargets = (plan: Plan) => plan.targets ?? recordedTargets(plan.steps.map((s) => s.target));
