import { Flags } from '@oclif/core';
import { GwctlCommand } from '../../../base-command.js';
import { UsageError } from '../../../lib/errors/gwctl-error.js';

export default class AuditWitnessSchedule extends GwctlCommand<typeof AuditWitnessSchedule> {
  static override flags = {
    name: Flags.string({
      description: 'a short name for the log, in the CronJob name (e.g. relaycorp-prod)',
      required: true,
    }),
    log: Flags.string({ description: 'the log: gs://<bucket>/<prefix>', required: true }),
    key: Flags.string({ description: "the log's verifier key", required: true }),
    state: Flags.string({ description: "gs://<bucket>/<object> in the witness's own bucket", required: true }),
    every: Flags.string({ description: 'interval between rounds (e.g. 15m, 1h)', default: '15m' }),
    namespace: Flags.string({ description: 'namespace of the CronJob', default: 'gwctl-witness' }),
    image: Flags.string({ description: "gwctl's container image (default ghcr.io/relaycorp/gwctl:<this version>)" }),
    'service-account': Flags.string({
      description: 'Kubernetes service account the job runs as',
      default: 'gwctl-witness',
    }),
    secret: Flags.string({
      description: 'Secret with the witness signer key under witness.key',
      default: 'gwctl-witness-key',
    }),
  };

  async run() {
    const [{ parseDuration }, { witnessCronJob }, { stringify }] = await Promise.all([
      import('../../../lib/ui/duration.js'),
      import('../../../lib/schedule/witness-schedule.js'),
      import('yaml'),
    ]);
    const everyMs = parseDuration(this.flags.every);
    if (everyMs === undefined || everyMs % 60_000 !== 0)
      throw new UsageError(`--every ${this.flags.every}: expected whole minutes or hours, such as 15m or 1h`);
    const job = witnessCronJob({
      name: this.flags.name,
      namespace: this.flags.namespace,
      log: this.flags.log,
      key: this.flags.key,
      state: this.flags.state,
      everyMinutes: everyMs / 60_000,
      image: this.flags.image ?? `ghcr.io/relaycorp/gwctl:${this.config.version}`,
      serviceAccount: this.flags['service-account'],
      secret: this.flags.secret,
    });
    this.ui.info(stringify(job, { lineWidth: 0, aliasDuplicateObjects: false }).trimEnd());
    return { status: 'rendered', cronJob: job };
  }
}
