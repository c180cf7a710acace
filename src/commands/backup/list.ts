import { GwctlCommand } from '../../base-command.js';
import { openObjectStore } from '../../lib/cloud/gcs-object-store.js';
import { listBackups } from '../../lib/backup/catalog.js';
import { backupFlags } from '../../lib/backup/flags.js';
import { backupLocation } from '../../lib/backup/layout.js';
import { formatBytes } from '../../lib/ui/bytes.js';
import { gsUrl } from '../../lib/config/gs-url.js';

export default class BackupList extends GwctlCommand<typeof BackupList> {
  static override flags = { ...backupFlags };

  async run() {
    const env = this.environment();
    const loc = backupLocation(env, this.flags.bucket);
    const backups = await listBackups(await openObjectStore(env), loc);
    this.ui.note(`backups of ${gsUrl(loc.sourceBucket)} in ${gsUrl(loc.backupBucket, loc.prefix)}`);
    if (backups.length === 0) this.ui.note('no backups yet: take one with `gwctl backup create`');
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
