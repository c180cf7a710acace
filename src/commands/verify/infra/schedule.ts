import { Flags } from '@oclif/core';
import { GwctlCommand, mutatingFlags } from '../../../base-command.js';
import { openKubeAdmin } from '../../../lib/cloud/kube-resources.js';
import { UsageError } from '../../../lib/errors/gwctl-error.js';
import { parseDuration } from '../../../lib/ui/duration.js';
import { cronJobYaml } from '../../../lib/schedule/gwctl-job.js';
import { verifyCronJob, verifySchedulePlan } from '../../../lib/verify/schedule.js';

export default class VerifyInfraSchedule extends GwctlCommand<typeof VerifyInfraSchedule> {
  static override flags = {
    every: Flags.string({ description: 'interval between runs: 5m to 24h, evenly (e.g. 15m, 1h, 6h)', required: true }),
    namespace: Flags.string({ description: 'namespace the CronJob runs in', default: 'gwctl-verify' }),
    'run-in': Flags.string({
      description:
        "environment whose cluster runs the CronJob with --apply (default: --env; option C: a separate project's)",
    }),
    image: Flags.string({ description: "gwctl's container image (default ghcr.io/relaycorp/gwctl:<this version>)" }),
    'service-account': Flags.string({
      description: 'Kubernetes service account the job runs as',
      default: 'gwctl-verify',
    }),
    'config-map': Flags.string({
      description: 'ConfigMap with gwctl.yaml under the key gwctl.yaml',
      default: 'gwctl-config',
    }),
    'code-config-map': Flags.string({
      description: 'ConfigMap with the code: manifests.yaml and terraform-state.json (default gwctl-verify-code-<env>)',
    }),
    'skip-kind': Flags.string({ description: 'passed on to verify infra; repeatable', multiple: true }),
    apply: Flags.boolean({ description: 'create or replace the CronJob in the cluster', default: false }),
    ...mutatingFlags,
  };

  async run() {
    const everyMs = parseDuration(this.flags.every);
    if (everyMs === undefined) throw new UsageError(`--every ${this.flags.every}: expected a duration such as 1h`);
    const env = this.environment();
    const job = verifyCronJob({
      env: env.name,
      namespace: this.flags.namespace,
      everyMs,
      image: this.flags.image ?? `ghcr.io/relaycorp/gwctl:${this.config.version}`,
      serviceAccount: this.flags['service-account'],
      configMap: this.flags['config-map'],
      codeConfigMap: this.flags['code-config-map'] ?? `gwctl-verify-code-${env.name}`,
      skipKinds: this.flags['skip-kind'] ?? [],
    });
    if (!this.flags.apply) {
      this.ui.info(cronJobYaml(job).trimEnd());
      return { status: 'rendered', cronJob: job };
    }
    const runIn = this.environment(this.flags['run-in'] ?? env.name);
    if (runIn.name === env.name)
      this.ui.warn(
        `the CronJob goes into ${env.name}'s own cluster; for an independent check (issue #8 option C), run it from another project with --run-in`,
      );
    const admin = await openKubeAdmin(runIn);
    const exists = Boolean(await admin.get('CronJob', job.metadata.name, job.metadata.namespace));
    const outcome = await this.mutate(verifySchedulePlan(env.name, job, exists, runIn.name), () => admin.put(job), {
      auditDetails: (r) => ({ cronJob: job.metadata.name, schedule: job.spec.schedule, runIn: runIn.name, outcome: r }),
    });
    if (outcome.status === 'applied')
      this.ui.success(
        `cronjob/${job.metadata.namespace}/${job.metadata.name} ${outcome.result} in ${runIn.name}'s cluster: verifies ${env.name} at "${job.spec.schedule}" (UTC)`,
      );
    return {
      status: outcome.status,
      ...(outcome.status === 'applied' ? { outcome: outcome.result } : {}),
      cronJob: job,
    };
  }
}
