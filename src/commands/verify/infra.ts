import { Flags } from '@oclif/core';
import { GwctlCommand } from '../../base-command.js';
import { recordsOf } from '../../lib/audit/lines.js';
import { operatorIdentity } from '../../lib/audit/operator.js';
import { appendEntry } from '../../lib/audit/sink.js';
import { ExitCode, UsageError } from '../../lib/errors/gwctl-error.js';
import { infraPaths } from '../../lib/verify/paths.js';
import { failedVerificationEntry, verificationEntry } from '../../lib/verify/record.js';
import { renderDriftTable, renderVerdict } from '../../lib/verify/render.js';
import { verifyInfra } from '../../lib/verify/run.js';

export default class VerifyInfra extends GwctlCommand<typeof VerifyInfra> {
  static override flags = {
    manifests: Flags.string({
      description:
        'rendered manifests: a YAML/JSON file or a directory of them (helm template, kustomize build); default: infra.manifests in gwctl.yaml',
    }),
    'terraform-state': Flags.string({
      description: 'Terraform state as `terraform show -json` prints it; default: infra.terraformState in gwctl.yaml',
    }),
    'skip-kind': Flags.string({
      description: 'a kind neither compared nor listed (e.g. Secret); repeatable',
      multiple: true,
    }),
  };

  async run() {
    const env = this.environment();
    const paths = infraPaths(env, { manifests: this.flags.manifests, terraformState: this.flags['terraform-state'] });
    const log = await this.auditLog();
    const progress = await this.progress('verifying', 1);
    let report;
    try {
      report = await verifyInfra(
        { env, ...paths, skipKinds: this.flags['skip-kind'] ?? [] },
        {
          cluster: async () => (await import('../../lib/cloud/kube-inventory.js')).openClusterReader(env),
          buckets: async () => (await import('../../lib/cloud/bucket-metadata.js')).openBucketMetadataReader(env),
          auditRecords: async () => recordsOf(await log.read()),
        },
      );
    } catch (err) {
      // A check that could not run is on the record too (bad input is not a run).
      if (!(err instanceof UsageError))
        await appendEntry(log, failedVerificationEntry(env.name, operatorIdentity(), (err as Error).message));
      throw err;
    } finally {
      progress.stop();
    }
    await appendEntry(log, verificationEntry(report, operatorIdentity()));
    if (report.drifts.length > 0) this.ui.info(renderDriftTable(report.drifts, this.ui.color));
    this.ui.info(renderVerdict(report, this.ui.color));
    if (report.result === 'drift') process.exitCode = ExitCode.drift;
    return report;
  }
}
