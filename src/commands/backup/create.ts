import { Flags } from '@oclif/core';
import { GwctlCommand, mutatingFlags } from '../../base-command.js';
import type { RunContext } from '../../lib/audit/write-ahead.js';
import {
  applyBackup,
  backupAuditDetails,
  backupIntent,
  prepareBackup,
  type BackupRequest,
  withBackupPlan,
} from '../../lib/backup/create-run.js';
import { backupFlags, batchSizeFlag, concurrencyFlag } from '../../lib/backup/flags.js';
import {
  engineFlag,
  openSts,
  stsBackupPlan,
  stsCopyEngine,
  stsDeps,
  stsHint,
  type StsSession,
} from '../../lib/backup/sts-run.js';
import type { Environment } from '../../lib/config/schema.js';
import { gsUrl } from '../../lib/config/gs-url.js';
import { requireYesWhenUnattended } from '../../lib/plan/mutation.js';
import { formatBytes } from '../../lib/ui/bytes.js';

export default class BackupCreate extends GwctlCommand<typeof BackupCreate> {
  static override flags = {
    ...backupFlags,
    ...concurrencyFlag,
    ...batchSizeFlag,
    ...engineFlag,
    quiesce: Flags.boolean({ description: 'scale the Vault workload to 0 while copying, then back', default: false }),
    ...mutatingFlags,
  };

  async run() {
    const env = this.environment();
    const request = await prepareBackup(
      env,
      { bucket: this.flags.bucket, quiesce: this.flags.quiesce },
      { progress: (n) => this.progress('copying', n), warn: (m) => this.ui.warn(m) },
    );
    request.engine = this.flags.engine;
    const sts = this.flags.engine === 'sts' ? await openSts(env) : undefined;
    try {
      return await this.backUp(request, env, sts);
    } finally {
      await sts?.close();
    }
  }

  private async backUp(request: BackupRequest, env: Environment, sts: StsSession | undefined) {
    const { warnings } = request;
    const engine = sts
      ? stsCopyEngine(
          stsDeps(sts, request.deps.store, {
            concurrency: this.flags.concurrency,
            batchSize: this.flags['batch-size'],
            note: (m) => this.ui.note(m),
            warn: (m) => this.ui.warn(m),
          }),
          request.location,
        )
      : undefined;
    for (const w of warnings) this.ui.warn(w);
    const backUp = (within?: RunContext) =>
      withBackupPlan(request, within, async (planned) => {
        const { preview } = planned;
        const plan = sts ? stsBackupPlan(planned.plan, request.location, preview) : planned.plan;
        const hint = stsHint(env, this.flags.engine, preview);
        if (hint) this.ui.warn(hint);
        const outcome = await this.mutate(
          plan,
          (_plan, ctx) =>
            applyBackup(request, planned, ctx, {
              concurrency: this.flags.concurrency,
              batchSize: this.flags['batch-size'],
              gwctlVersion: this.config.version,
              log: (m) => this.ui.note(`  … ${m}`),
              engine,
            }),
          within ? { within } : {},
        );
        if (outcome.status !== 'applied') return { status: outcome.status, plan, preview, warnings };
        const r = outcome.result;
        this.ui.success(
          `backup ${r.id} of ${gsUrl(r.sourceBucket)}: ${r.objects} objects (${formatBytes(r.bytes)}); ${r.blobs.copied} new blob(s) copied (${formatBytes(r.blobs.copiedBytes)}), ${r.blobs.reused} already stored; quiesced: ${r.quiesced ? 'yes' : 'no'}${r.engine.job ? `; Storage Transfer Service job ${r.engine.job}` : ''}`,
        );
        return { status: outcome.status, ...r, warnings };
      });
    if (this.flags['dry-run']) return backUp();
    requireYesWhenUnattended({ yes: this.flags.yes, interactive: this.interactive });
    // A real run's first write (its intent object) comes before its plan, so the audit intent does too.
    return this.audited(backupIntent(request), backUp, (r) => ('id' in r ? backupAuditDetails(r) : undefined));
  }
}
