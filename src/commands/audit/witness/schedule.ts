import { Flags } from '@oclif/core';
import { GwctlCommand } from '../../../base-command.js';
import { UsageError } from '../../../lib/errors/gwctl-error.js';

export default class AuditWitnessSchedule extends GwctlCommand<typeof AuditWitnessSchedule> {
  static override summary = 'Render the Kubernetes CronJob that witnesses a shared audit log';
  static override description =
    "Prints a CronJob running gwctl's container image with `audit witness` every --every, for an independent party to apply in their own cluster (`kubectl apply -f`). The witness key comes from a Secret (key witness.key), the state from an object in the witness's own bucket. See docs/audit.md.";
  static override examples = [
    '<%= config.bin %> audit witness schedule --name relaycorp-prod --log gs://relaycorp-gateway-prod-audit/log/ --key "…" --state gs://example-witness/relaycorp-prod --every 15m > witness.yaml',
  ];
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
      import('../../../lib/audit/shared/witness-schedule.js'),
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
    if (!this.jsonEnabled()) this.log(stringify(job, { lineWidth: 0, aliasDuplicateObjects: false }).trimEnd());
    return { status: 'rendered', cronJob: job };
  }
}
