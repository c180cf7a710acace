import { Args, Flags } from '@oclif/core';
import { GwctlCommand } from '../../base-command.js';
import { openObjectStore } from '../../lib/cloud/gcs-object-store.js';
import { ExitCode } from '../../lib/errors/gwctl-error.js';
import { listBackups, locationText, selectBackup } from '../../lib/backup/catalog.js';
import { backupFlags, concurrencyFlag } from '../../lib/backup/flags.js';
import { backupLocation } from '../../lib/backup/layout.js';
import { formatBytes } from '../../lib/ui/bytes.js';
import { verifyBackup } from '../../lib/backup/verify.js';
import { checkBackupBucket } from '../../lib/backup/bucket-guard.js';
import { openBucketAdmin } from '../../lib/cloud/buckets.js';

export default class BackupVerify extends GwctlCommand<typeof BackupVerify> {
  static override args = { backup: Args.string({ description: 'backup id, or "latest"', default: 'latest' }) };
  static override flags = {
    ...backupFlags,
    ...concurrencyFlag,
    deep: Flags.boolean({ description: 'download every blob and recompute its CRC32C and MD5', default: false }),
  };

  async run() {
    const env = this.environment();
    const loc = backupLocation(env, this.flags.bucket);
    const store = await openObjectStore(env);
    const admin = await openBucketAdmin(env);
    const backups = await listBackups(store, loc);
    const summary = selectBackup(backups, this.args.backup, undefined, locationText(loc));
    // Checked while the backup is verified, and said last: a backup intact today is lost tomorrow to a lifecycle rule.
    const guard = checkBackupBucket(admin, loc, async () => backups.at(-1));
    const report = await verifyBackup({ store, progress: (n) => this.progress('verifying', n) }, loc, summary, {
      deep: this.flags.deep,
      concurrency: this.flags.concurrency,
    });
    for (const p of report.problems)
      this.ui.info(
        `${this.ui.color.red('✗')} ${p.kind}${p.blob ? ` ${p.blob}` : ''}${p.objects.length ? ` (${p.objects.slice(0, 3).join(', ')}${p.objects.length > 3 ? ', …' : ''})` : ''}: ${p.detail}`,
      );
    const warnings = await guard;
    if (!report.ok) {
      // The report is the output (one JSON document under --json); the exit code says it failed.
      this.ui.error(
        `backup ${summary.id} failed verification: ${report.problems.length} problem(s); restore an older backup if you need one now (gwctl backup list)`,
      );
      process.exitCode = ExitCode.runtime;
      for (const w of warnings) this.ui.warn(w);
      return { ...report, warnings };
    }
    this.ui.success(
      `backup ${summary.id}: manifest intact, ${report.blobs} blob(s) for ${report.objects} object(s) ${report.deep ? `downloaded and hashed (${formatBytes(report.bytesRead)})` : 'present with the recorded hashes'}`,
    );
    for (const w of warnings) this.ui.warn(w);
    return { ...report, warnings };
  }
}
