import { GwctlCommand } from '../../base-command.js';
import { openObjectStore } from '../../lib/cloud/gcs-object-store.js';
import { listBackups } from '../../lib/backup/catalog.js';
import { backupFlags } from '../../lib/backup/flags.js';
import { backupLocation } from '../../lib/backup/layout.js';
import { formatBytes } from '../../lib/ui/bytes.js';
import { gsUrl } from '../../lib/config/gs-url.js';

export default class BackupList extends GwctlCommand<typeof BackupList> {
  static override summary = 'List the backups of a bucket, newest first';
  static override description =
    "Only committed backups are listed: one whose run was interrupted before its manifest was written does not exist. One listing call, from the manifests' metadata; `backup verify` checks a backup's content.";
  static override examples = [
    '<%= config.bin %> backup list --env prod',
    '<%= config.bin %> backup list --env prod --json',
    '<%= config.bin %> backup list --env prod --bucket parcels',
  ];
  static override flags = { ...backupFlags };

  async run() {
    const env = this.environment();
    const loc = backupLocation(env, this.flags.bucket);
    const backups = await listBackups(await openObjectStore(env), loc);
    this.ui.info(this.ui.color.dim(`backups of ${gsUrl(loc.sourceBucket)} in ${gsUrl(loc.backupBucket, loc.prefix)}`));
    if (backups.length === 0) this.ui.info('no backups yet: take one with `gwctl backup create`');
    else
      this.ui.table(backups, [
        { header: 'id', get: (b) => b.id },
        { header: 'completed', get: (b) => b.completedAt.replace(/\.\d+Z$/, 'Z') },
        { header: 'objects', get: (b) => b.objects, align: 'right' },
        { header: 'size', get: (b) => formatBytes(b.bytes), align: 'right' },
        { header: 'quiesced', get: (b) => (b.quiesced ? 'yes' : 'no') },
      ]);
    return { env: env.name, sourceBucket: loc.sourceBucket, backupBucket: loc.backupBucket, backups };
  }
}
