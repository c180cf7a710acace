import { Args, Flags } from '@oclif/core';
import { destructiveFlags, GwctlCommand } from '../../base-command.js';
import { openEnvironmentAdmins } from '../../lib/cloud/environment-admins.js';
import { applyDeprovision } from '../../lib/deprovision/apply.js';
import { protectionRefusal } from '../../lib/deprovision/guard.js';
import { readInventory } from '../../lib/deprovision/inventory.js';
import { DeprovisionJournal, journalPath } from '../../lib/deprovision/journal.js';
import { buildDeprovisionPlan } from '../../lib/deprovision/plan.js';
import {
  nothingToDeprovision,
  progressHooks,
  renderDeprovisionPlan,
  renderManualSteps,
} from '../../lib/deprovision/render.js';
import { UsageError } from '../../lib/errors/gwctl-error.js';
import { varFilePath } from '../../lib/protection/terraform.js';
import { protectionStatus, readProtection } from '../../lib/protection/status.js';
import { parseDuration } from '../../lib/ui/duration.js';

const duration = Flags.custom<number>({
  parse: async (input) => {
    const ms = parseDuration(input);
    if (ms === undefined || ms <= 0) throw new UsageError(`"${input}" is not a duration; use e.g. 90s, 10m, 1h`);
    return ms;
  },
});

export default class EnvDeprovision extends GwctlCommand<typeof EnvDeprovision> {
  static override summary =
    'Tear an environment down safely: workloads, Kubernetes objects, load balancers, bucket contents';
  static override description = `Builds a plan from what exists and shows it: scale Deployments and StatefulSets to 0; delete CronJobs and Jobs; delete each Ingress and wait until GKE has removed its load balancer (bounded by --timeout); delete Services, ConfigMaps, Secrets (not service-account tokens) and PVCs; give every bucket of the environment a lifecycle rule that deletes everything at age 0 (replacing its other rules), with versioning and soft delete off. Then lists what is left to do by hand (the deployment trigger, Terraform). Refuses while any destroy protection is on (gwctl env unprotect). Destructive: type the environment's name, or pass --yes --confirm <env> (the sandbox too). Resumable: finished steps are journalled under $GWCTL_HOME/journal, and running it again continues; on an environment already deprovisioned it does nothing. See docs/deprovision.md.`;
  static override examples = [
    '<%= config.bin %> env deprovision staging --dry-run',
    '<%= config.bin %> env deprovision staging',
    '<%= config.bin %> env deprovision staging --yes --confirm staging --timeout 20m',
    '<%= config.bin %> env deprovision sandbox --yes --confirm sandbox --json',
  ];
  static override args = { env: Args.string({ description: 'environment name (or use --env)' }) };
  static override flags = {
    ...destructiveFlags,
    timeout: duration({
      description: 'how long to wait for each Ingress’s load balancer to be removed (e.g. 90s, 10m)',
      default: 600_000,
      defaultHelp: async () => '10m',
    }),
    'keep-soft-delete': Flags.boolean({
      description: 'leave the buckets’ soft delete on: a recovery window, billed for every deleted object',
      default: false,
    }),
  };

  async run() {
    const env = this.environment(this.args.env ?? this.flags.env);
    const admins = await openEnvironmentAdmins(env);
    const refusal = protectionRefusal(protectionStatus(await readProtection(env, admins)));
    if (refusal && !this.flags['dry-run']) throw refusal;
    const keepSoftDelete = this.flags['keep-soft-delete'];
    const varFile = varFilePath(env);
    const plan = buildDeprovisionPlan(await readInventory(env, admins), {
      keepSoftDelete,
      ...(varFile ? { varFile } : {}),
    });
    const journal = DeprovisionJournal.load(journalPath(env.name));
    renderDeprovisionPlan(this.ui, plan, journal);
    if (refusal) this.ui.warn(`applying would be refused: ${refusal.message}`);
    const scope = { project: env.project, namespace: env.kube.namespace };
    const outcome = await this.mutate(
      plan,
      (p, ctx) =>
        applyDeprovision(
          p,
          admins,
          journal,
          scope,
          { timeoutMs: this.flags.timeout, signal: ctx.signal },
          progressHooks(this.ui, this.jsonEnabled(), ctx.stepDone),
        ),
      { render: false, auditDetails: (r) => ({ steps: r.steps.length, journal: r.journal }) },
    );
    if (outcome.status === 'no-op') {
      // Nothing left to do, unless only looking: a run killed between its last step and its journal is closed.
      if (!this.flags['dry-run']) journal.closeFinishedRun({ env: env.name, ...scope });
      this.ui.success(nothingToDeprovision(env.name, journal));
    }
    if (outcome.status === 'applied')
      this.ui.success(
        `gwctl's part of deprovisioning ${env.name} is done (${outcome.result.steps.length} step(s)); buckets empty themselves at the next lifecycle run`,
      );
    renderManualSteps(this.ui, plan.manual);
    return {
      env: env.name,
      status: outcome.status,
      refusedBecauseProtected: refusal?.message,
      steps: plan.steps,
      warnings: plan.warnings,
      notes: plan.notes,
      manual: plan.manual,
      result: outcome.status === 'applied' ? outcome.result : undefined,
    };
  }
}
