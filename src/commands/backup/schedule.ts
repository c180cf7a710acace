import { Flags } from '@oclif/core';
import { GwctlCommand, mutatingFlags } from '../../base-command.js';
import { openKubeAdmin } from '../../lib/cloud/kube-resources.js';
import { UsageError } from '../../lib/errors/gwctl-error.js';
import { backupFlags } from '../../lib/backup/flags.js';
import { schedulePlan } from '../../lib/backup/plans.js';
import { backupCronJob } from '../../lib/backup/schedule.js';
import { cronJobYaml } from '../../lib/schedule/gwctl-job.js';
import { parseDuration } from '../../lib/ui/duration.js';

export default class BackupSchedule extends GwctlCommand<typeof BackupSchedule> {
  static override flags = {
    ...backupFlags,
    every: Flags.string({
      description: 'interval between backups: 1h to 24h, dividing the day (1h, 2h, 3h, 4h, 6h, 8h, 12h, 24h)',
      required: true,
    }),
    quiesce: Flags.boolean({
      description: 'run `backup create --quiesce` (the service account then needs to scale the Vault workload)',
      default: false,
    }),
    image: Flags.string({ description: "gwctl's container image (default ghcr.io/relaycorp/gwctl:<this version>)" }),
    'service-account': Flags.string({
      description: 'Kubernetes service account the job runs as',
      default: 'gwctl-backup',
    }),
    'config-map': Flags.string({
      description: 'ConfigMap with gwctl.yaml under the key gwctl.yaml',
      default: 'gwctl-config',
    }),
    apply: Flags.boolean({ description: 'create or replace the CronJob in the cluster', default: false }),
    ...mutatingFlags,
  };

  async run() {
    const everyMs = parseDuration(this.flags.every);
    if (everyMs === undefined) throw new UsageError(`--every ${this.flags.every}: expected a duration such as 12h`);
    const env = this.environment();
    const job = backupCronJob({
      env: env.name,
      namespace: env.kube.namespace,
      everyMs,
      image: this.flags.image ?? `ghcr.io/relaycorp/gwctl:${this.config.version}`,
      bucket: this.flags.bucket,
      quiesce: this.flags.quiesce,
      serviceAccount: this.flags['service-account'],
      configMap: this.flags['config-map'],
    });
    if (!this.flags.apply) {
      this.ui.info(cronJobYaml(job).trimEnd());
      return { status: 'rendered', cronJob: job };
    }
    const admin = await openKubeAdmin(env);
    const exists = Boolean(await admin.get('CronJob', job.metadata.name, job.metadata.namespace));
    const outcome = await this.mutate(schedulePlan(env.name, job, exists), () => admin.put(job), {
      auditDetails: (r) => ({ cronJob: job.metadata.name, schedule: job.spec.schedule, outcome: r }),
    });
    if (outcome.status === 'applied')
      this.ui.success(
        `cronjob/${job.metadata.namespace}/${job.metadata.name} ${outcome.result}: backups at "${job.spec.schedule}" (UTC)`,
      );
    return {
      status: outcome.status,
      ...(outcome.status === 'applied' ? { outcome: outcome.result } : {}),
      cronJob: job,
    };
  }
}
