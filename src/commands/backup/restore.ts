import { Args, Flags } from '@oclif/core';
import { destructiveFlags, GwctlCommand } from '../../base-command.js';
import { openObjectStore } from '../../lib/cloud/gcs-object-store.js';
import { listBackups, locationText, parseAt, selectBackup } from '../../lib/backup/catalog.js';
import { backupFlags, batchSizeFlag, concurrencyFlag } from '../../lib/backup/flags.js';
import { backupLocation } from '../../lib/backup/layout.js';
import { restorePlan } from '../../lib/backup/plans.js';
import { formatBytes } from '../../lib/ui/bytes.js';
import { applyRestore } from '../../lib/backup/restore.js';
import { planBackupRestore } from '../../lib/backup/restore-plan.js';
import {
  bucketsOf,
  defaultRestoreBucket,
  inPlaceTarget,
  restoreTargetBucket,
} from '../../lib/backup/restore-target.js';
import { gsUrl } from '../../lib/config/gs-url.js';
import { stageForRestore } from '../../lib/backup/sts-engine.js';
import {
  engineFlag,
  openSts,
  STAGE_BLOBS_STEP,
  stsDeps,
  stsRestorePlan,
  type StsSession,
} from '../../lib/backup/sts-run.js';

export default class BackupRestore extends GwctlCommand<typeof BackupRestore> {
  static override args = {
    backup: Args.string({
      description: 'backup id, or "latest" (the default; with --at, the newest completed by then)',
    }),
  };
  static override flags = {
    ...backupFlags,
    ...concurrencyFlag,
    ...batchSizeFlag,
    ...engineFlag,
    at: Flags.string({
      description:
        'restore the newest backup completed at or before this time: ISO 8601 (2025-06-01T12:00:00Z) or a duration ago (3h)',
    }),
    'to-bucket': Flags.string({
      description:
        'restore into this new or scratch bucket (created if missing): a name or gs:// URL; never the backed-up, backup, parcels or Vault bucket. Default <bucket>-restore-<backup time>',
      exclusive: ['in-place'],
    }),
    'in-place': Flags.boolean({
      description: 'restore into the backed-up bucket itself (destructive)',
      default: false,
    }),
    deep: Flags.boolean({
      description: 'first download every blob and recompute its CRC32C and MD5; write nothing if one is corrupt',
      default: false,
    }),
    'delete-extra': Flags.boolean({
      description: 'delete objects of the target bucket that are not in the backup (destructive)',
      default: false,
    }),
    ...destructiveFlags,
  };

  async run() {
    const env = this.environment();
    const loc = backupLocation(env, this.flags.bucket);
    // Input is checked before the first call: the target is a valid bucket name, and one allowed.
    const named = this.flags['to-bucket'];
    const others = Object.entries(this.config_.config.environments).map(([name, e]) => ({ ...e, name }));
    const chosen = this.flags['in-place']
      ? inPlaceTarget(env, loc, bucketsOf(others))
      : named && restoreTargetBucket(env, loc, named, bucketsOf(others));
    const at = this.flags.at ? parseAt(this.flags.at, new Date()) : undefined;
    const store = await openObjectStore(env);
    const summary = selectBackup(await listBackups(store, loc), this.args.backup, at, locationText(loc));
    const targetBucket = chosen || defaultRestoreBucket(env, loc, summary.id);
    // Planned by merging the manifest's parts with the target's listing, both in name order: every part
    // is read and checked before anything is written, and the decisions go to a private spill file.
    const value = await planBackupRestore(store, summary, targetBucket, {
      inPlace: this.flags['in-place'],
      deleteExtra: this.flags['delete-extra'],
    });
    let sts: StsSession | undefined;
    try {
      // Inside the try: if the Storage Transfer Service cannot be opened, the plan's spill files still go.
      if (this.flags.engine === 'sts') sts = await openSts(env);
      const session = sts;
      const planned = restorePlan(env.name, summary, value);
      const plan = session ? stsRestorePlan(planned, value) : planned;
      const outcome = await this.mutate(
        plan,
        (_plan, ctx) =>
          applyRestore(
            {
              store,
              signal: ctx.signal,
              stepDone: ctx.stepDone,
              progress: (label, n) => this.progress(label, n),
              warn: (m) => this.ui.warn(m),
            },
            loc,
            value,
            {
              concurrency: this.flags.concurrency,
              batchSize: this.flags['batch-size'],
              location: env.region,
              deep: this.flags.deep,
              ...(session
                ? {
                    stage: async (copies) => {
                      const deps = stsDeps(session, store, {
                        concurrency: this.flags.concurrency,
                        note: (m) => this.ui.note(m),
                        warn: (m) => this.ui.warn(m),
                      });
                      const staged = await stageForRestore(deps, loc, summary.id, targetBucket, copies, ctx.signal);
                      ctx.stepDone(STAGE_BLOBS_STEP);
                      return staged;
                    },
                  }
                : {}),
            },
          ),
        {
          auditDetails: (r) => ({
            id: r.id,
            targetBucket: r.targetBucket,
            restored: r.restored,
            deleted: r.deleted,
            alreadyGone: r.alreadyGone,
            engine: { name: this.flags.engine, ...(r.job ? { job: r.job } : {}) },
          }),
        },
      );
      const base = { backup: summary, targetBucket, inPlace: value.inPlace, quiesced: value.quiesced };
      if (outcome.status !== 'applied') return { status: outcome.status, ...base, plan };
      const r = outcome.result;
      this.ui.success(
        `restored backup ${r.id} into ${gsUrl(r.targetBucket)}: ${r.restored} object(s) copied (${formatBytes(r.bytes)}) and checked, ${r.unchanged} already as backed up, ${r.deleted} deleted${r.alreadyGone ? ` (${r.alreadyGone} more were gone already)` : ''}${r.job ? `; Storage Transfer Service job ${r.job}` : ''}`,
      );
      return { status: outcome.status, ...base, ...r };
    } finally {
      await value.work.remove();
      await sts?.close();
    }
  }
}
