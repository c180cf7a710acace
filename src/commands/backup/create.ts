import { Flags } from '@oclif/core';
import { GwctlCommand, mutatingFlags } from '../../base-command.js';
import type { RunContext } from '../../lib/audit/write-ahead.js';
import {
  applyBackup,
  backupAuditDetails,
  backupIntent,
  prepareBackup,
  withBackupPlan,
} from '../../lib/backup/create-run.js';
import { backupFlags, batchSizeFlag, concurrencyFlag } from '../../lib/backup/flags.js';
import { gsUrl } from '../../lib/config/gs-url.js';
import { requireYesWhenUnattended } from '../../lib/plan/mutation.js';
import { formatBytes } from '../../lib/ui/bytes.js';

export default class BackupCreate extends GwctlCommand<typeof BackupCreate> {
  static override flags = {
    ...backupFlags,
    ...concurrencyFlag,
    ...batchSizeFlag,
    quiesce: Flags.boolean({ description: 'scale the Vault workload to 0 while copying, then back', default: false }),
    ...mutatingFlags,
  };

  async run() {
    const request = await prepareBackup(
      this.environment(),
      { bucket: this.flags.bucket, quiesce: this.flags.quiesce },
      { progress: (n) => this.progress('copying', n), warn: (m) => this.ui.warn(m) },
    );
    const { warnings } = request;
    for (const w of warnings) this.ui.warn(w);
    const backUp = (within?: RunContext) =>
      withBackupPlan(request, within, async (planned) => {
        const { plan, preview } = planned;
        const outcome = await this.mutate(
          plan,
          (_plan, ctx) =>
            applyBackup(request, planned, ctx, {
              concurrency: this.flags.concurrency,
              batchSize: this.flags['batch-size'],
              gwctlVersion: this.config.version,
              log: (m) => this.ui.note(`  … ${m}`),
            }),
          within ? { within } : {},
        );
        if (outcome.status !== 'applied') return { status: outcome.status, plan, preview, warnings };
        const r = outcome.result;
        this.ui.success(
          `backup ${r.id} of ${gsUrl(r.sourceBucket)}: ${r.objects} objects (${formatBytes(r.bytes)}); ${r.blobs.copied} new blob(s) copied (${formatBytes(r.blobs.copiedBytes)}), ${r.blobs.reused} already stored; quiesced: ${r.quiesced ? 'yes' : 'no'}`,
        );
        return { status: outcome.status, ...r, warnings };
      });
    if (this.flags['dry-run']) return backUp();
    requireYesWhenUnattended({ yes: this.flags.yes, interactive: this.interactive });
    // A real run's first write (its intent object) comes before its plan, so the audit intent does too.
    return this.audited(backupIntent(request), backUp, (r) => ('id' in r ? backupAuditDetails(r) : undefined));
  }
}
