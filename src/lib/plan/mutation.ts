import type { AuditLog } from '../audit/log.js';
import { operatorIdentity } from '../audit/operator.js';
import { RuntimeError, UsageError } from '../errors/gwctl-error.js';
import { redact } from '../errors/redact.js';
import type { Prompter } from '../ui/prompter.js';
import type { Ui } from '../ui/ui.js';
import { isEmptyPlan, planDigest, type Plan } from './plan.js';
import { renderPlan } from './render.js';

export interface MutationOptions<R> {
  plan: Plan;
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
  audit: AuditLog;
  apply: (plan: Plan) => Promise<R>;
  /** What the audit record keeps of the result (counts, ids): never secrets. */
  auditDetails?: (result: R) => unknown;
  /** Print the plan (default true): commands that render their own diff turn it off. */
  render?: boolean;
}

export type MutationOutcome<R> =
  | { status: 'dry-run' | 'no-op'; plan: Plan; digest: string }
  | { status: 'applied'; plan: Plan; digest: string; result: R };

/**
 * The one path every mutating command takes: plan → print → (dry-run stops) → confirm → apply → audit.
 * A failed apply is audited too, then rethrown.
 */
export async function runMutation<R>(opts: MutationOptions<R>): Promise<MutationOutcome<R>> {
  const { plan, ui } = opts;
  const digest = planDigest(plan);
  if (opts.render !== false) renderPlan(ui, plan);
  if (isEmptyPlan(plan)) return { status: 'no-op', plan, digest };
  if (opts.dryRun) {
    ui.info(ui.color.dim('dry run: nothing was changed'));
    return { status: 'dry-run', plan, digest };
  }
  await confirmPlan(opts);
  const entry = {
    operator: operatorIdentity(),
    command: plan.command,
    env: plan.env,
    planDigest: digest,
    summary: plan.summary,
    targets: [...new Set(plan.steps.map((s) => s.target))],
  };
  let result: R;
  try {
    result = await opts.apply(plan);
  } catch (err) {
    await opts.audit.append({ ...entry, result: 'failed', error: redact(String((err as Error)?.message ?? err)) });
    throw err;
  }
  await opts.audit.append({
    ...entry,
    result: 'applied',
    ...(opts.auditDetails ? { details: opts.auditDetails(result) } : {}),
  });
  return { status: 'applied', plan, digest, result };
}

async function confirmPlan<R>(opts: MutationOptions<R>): Promise<void> {
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
  if (!opts.interactive)
    throw new UsageError(
      'refusing to change anything non-interactively without --yes (review it with --dry-run first)',
    );
  if (!(await opts.prompter.confirm('Apply this plan?')))
    throw new RuntimeError('aborted by the operator; nothing was changed');
}
