import { Args, Flags } from '@oclif/core';
import { destructiveFlags, GwctlCommand } from '../../base-command.js';
import { withEnvironmentAdmins } from '../../lib/cloud/environment-admins.js';
import { applyDeprovision } from '../../lib/deprovision/apply.js';
import { deprovisionRefusals } from '../../lib/deprovision/guard.js';
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
import { operatorIdentity } from '../../lib/audit/operator.js';
import type { Environment } from '../../lib/config/schema.js';
import { withLease } from '../../lib/deprovision/lease.js';
import { varFilePath } from '../../lib/protection/terraform.js';
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
      const { protection, running } = await deprovisionRefusals(env, admins, this.flags['dry-run']);
      const varFile = varFilePath(env);
      const plan = buildDeprovisionPlan(await readInventory(env, admins), {
        keepSoftDelete: this.flags['keep-soft-delete'],
        ...(varFile ? { varFile } : {}),
      });
      const journal = DeprovisionJournal.load(journalPath(env.name));
      renderDeprovisionPlan(this.ui, plan, journal);
      if (protection) this.ui.warn(`applying would be refused: ${protection.message}`);
      if (running) this.ui.warn(`applying now would be refused: ${running}`);
      const scope = { project: env.project, namespace: env.kube.namespace };
      const lease = { env: env.name, namespace: env.kube.namespace, operator: operatorIdentity() };
      const outcome = await this.mutate(
        plan,
        (p, ctx) =>
          withLease(
            admins.leases,
            { ...lease, run: ctx.run, warn: (m) => this.ui.warn(m), note: (m) => this.ui.note(m) },
            (lost, checkHeld) =>
              applyDeprovision(
                p,
                admins,
                journal,
                scope,
                { timeoutMs: this.flags.timeout, signal: AbortSignal.any([ctx.signal, lost]), beforeStep: checkHeld },
                progressHooks(this.ui, this.jsonEnabled(), ctx.stepDone),
              ),
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
        refusedBecauseProtected: protection?.message,
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
