import { Args, Flags } from '@oclif/core';
import { destructiveFlags, GwctlCommand } from '../../base-command.js';
import { withEnvironmentAdmins } from '../../lib/cloud/environment-admins.js';
import { applyDeprovision } from '../../lib/deprovision/apply.js';
import { protectionRefusal } from '../../lib/deprovision/guard.js';
import { readInventory } from '../../lib/deprovision/inventory.js';
import { DeprovisionJournal, journalPath } from '../../lib/deprovision/journal.js';
import { buildDeprovisionPlan } from '../../lib/deprovision/plan.js';
import { progressHooks, renderManualSteps } from '../../lib/deprovision/render.js';
import { UsageError } from '../../lib/errors/gwctl-error.js';
import { operatorIdentity } from '../../lib/audit/operator.js';
import type { Environment } from '../../lib/config/schema.js';
import { currentHolder, DeprovisionLeaseHeldError, heldMessage, withLease } from '../../lib/deprovision/lease.js';
import { renderPlan } from '../../lib/plan/render.js';
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
    emit: Flags.string({
      description:
        'print a job that runs this command (same flags, confirmed) instead of running it: cloudbuild = a cloudbuild.yaml',
      options: ['cloudbuild'],
    }),
    image: Flags.string({
      description: "with --emit: gwctl's container image (default ghcr.io/relaycorp/gwctl:<this version>)",
      dependsOn: ['emit'],
    }),
    'service-account': Flags.string({
      description: "with --emit: the build's service account (email); default: Cloud Build's",
      dependsOn: ['emit'],
    }),
  };

  async run() {
    const env = this.environment(this.args.env ?? this.flags.env);
    if (this.flags.emit) return this.emitCloudBuild(env);
    return withEnvironmentAdmins(env, async (admins) => {
      const dryRun = this.flags['dry-run'];
      const refusal = protectionRefusal(protectionStatus(await readProtection(env, admins)));
      if (refusal && !dryRun) throw refusal;
      // Checked before planning, so a second operator is told at once; the lease itself is taken before step 1.
      const holder = await currentHolder(admins.leases, env.name, env.kube.namespace);
      const running = holder && heldMessage(env.name, env.kube.namespace, holder);
      if (running && !dryRun) throw new DeprovisionLeaseHeldError(running);
      const keepSoftDelete = this.flags['keep-soft-delete'];
      const varFile = varFilePath(env);
      const plan = buildDeprovisionPlan(await readInventory(env, admins), {
        keepSoftDelete,
        ...(varFile ? { varFile } : {}),
      });
      const journal = DeprovisionJournal.load(journalPath(env.name));
      renderPlan(this.ui, plan);
      for (const note of plan.notes) this.ui.info(this.ui.color.dim(`  note: ${note}`));
      if (plan.steps.length && journal.started && !journal.finished)
        this.ui.note(
          `resuming the deprovision started ${journal.data!.startedAt}: ${journal.doneCount} step(s) already done (${journal.file})`,
        );
      if (refusal) this.ui.warn(`applying would be refused: ${refusal.message}`);
      if (running) this.ui.warn(`applying now would be refused: ${running}`);
      const quiet = this.jsonEnabled();
      const warn = (m: string) => this.ui.warn(m);
      const lease = { env: env.name, namespace: env.kube.namespace, operator: operatorIdentity(), warn };
      const outcome = await this.mutate(
        plan,
        (p, ctx) =>
          withLease(admins.leases, { ...lease, run: ctx.run }, (lost) =>
            applyDeprovision(
              p as typeof plan,
              admins,
              journal,
              { project: env.project, namespace: env.kube.namespace },
              { timeoutMs: this.flags.timeout, signal: AbortSignal.any([ctx.signal, lost]) },
              progressHooks(this.ui, quiet, ctx.stepDone),
            ),
          ),
        { render: false, auditDetails: (r) => ({ steps: r.steps.length, journal: r.journal }) },
      );
      if (outcome.status === 'no-op') {
        // A run that finished its last step but not its journal (killed in between): close it, unless only looking.
        if (journal.started && !journal.finished && !this.flags['dry-run']) {
          journal.beginRun({ env: env.name, project: env.project, namespace: env.kube.namespace });
          journal.markFinished();
        }
        const when = journal.data?.finishedAt;
        this.ui.success(
          journal.started
            ? `${env.name} is already deprovisioned${when ? ` (finished ${when})` : ''}: nothing to do`
            : `${env.name} has nothing to deprovision: no workload running, no Kubernetes object to remove, every bucket already emptying or absent`,
        );
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
    });
  }

  /** Prints the Cloud Build job that runs this very command; changes nothing, reads no cloud. */
  private async emitCloudBuild(env: Environment) {
    if (this.flags['dry-run']) throw new UsageError('--emit prints a job and runs nothing: drop --dry-run');
    const [{ deprovisionCloudBuild }, { stringify }] = await Promise.all([
      import('../../lib/deprovision/cloudbuild-job.js'),
      import('yaml'),
    ]);
    const job = deprovisionCloudBuild({
      env,
      configFile: env.source,
      sourceDir: process.cwd(),
      image: this.flags.image ?? `ghcr.io/relaycorp/gwctl:${this.config.version}`,
      timeoutMs: this.flags.timeout,
      keepSoftDelete: this.flags['keep-soft-delete'],
      ...(this.flags['service-account'] ? { serviceAccount: this.flags['service-account'] } : {}),
    });
    const submit = `gcloud builds submit --config=deprovision-${env.name}.cloudbuild.yaml --project=${env.project} --region=${env.region} .`;
    this.ui.info(
      `# gwctl env deprovision ${env.name}, as a Cloud Build job (docs/deprovision.md). From this directory:
#   ${submit}
${stringify(job, { lineWidth: 0 })}`.trimEnd(),
    );
    return { env: env.name, status: 'emitted', cloudbuild: job, submit };
  }
}
