import { Flags } from '@oclif/core';
import { destructiveFlags, GwctlCommand } from '../../base-command.js';
import { openObjectStore } from '../../lib/cloud/gcs-object-store.js';
import { UsageError } from '../../lib/errors/gwctl-error.js';
import { listBackups } from '../../lib/backup/catalog.js';
import { backupFlags, concurrencyFlag } from '../../lib/backup/flags.js';
import { backupLocation } from '../../lib/backup/layout.js';
import { prunePlan } from '../../lib/backup/plans.js';
import { formatBytes } from '../../lib/ui/bytes.js';
import { findGarbage, prune, selectForPrune } from '../../lib/backup/prune.js';
import { parseDuration } from '../../lib/ui/duration.js';

const duration = (flag: string, text: string | undefined): number | undefined => {
  if (text === undefined) return undefined;
  const ms = parseDuration(text);
  if (ms === undefined) throw new UsageError(`--${flag} ${text}: expected a duration such as 30d, 12h`);
  return ms;
};

export default class BackupPrune extends GwctlCommand<typeof BackupPrune> {
  static override flags = {
    ...backupFlags,
    ...concurrencyFlag,
    keep: Flags.integer({ description: 'keep this many newest backups', min: 1 }),
    'older-than': Flags.string({ description: 'remove backups completed longer ago than this (30d, 12h)' }),
    grace: Flags.string({
      description: 'keep unreferenced blobs younger than this: at least the longest a backup runs',
      default: '24h',
    }),
    ...destructiveFlags,
  };

  async run() {
    const policy = { keep: this.flags.keep, olderThanMs: duration('older-than', this.flags['older-than']) };
    const graceMs = duration('grace', this.flags.grace)!;
    if (graceMs < 3_600_000)
      throw new UsageError(
        `--grace ${this.flags.grace}: at least 1h, or a backup still running could lose blobs it copied`,
      );
    const env = this.environment();
    const loc = backupLocation(env, this.flags.bucket);
    const store = await openObjectStore(env);
    const selection = selectForPrune(await listBackups(store, loc), policy, new Date());
    const scan = await findGarbage(store, loc, {
      graceMs,
      now: new Date(),
      removing: new Set(selection.remove.map((b) => b.id)),
    });
    const plan = prunePlan(loc, selection, scan, graceMs);

    const outcome = await this.mutate(
      plan,
      // Ctrl-C stops the deletions but lets prune remove its intent, so backups are not held up by it.
      (_plan, ctx) =>
        prune(
          {
            store,
            signal: ctx.signal,
            stepDone: ctx.stepDone,
            progress: (n) => this.progress('collecting', n),
          },
          loc,
          selection,
          { graceMs, concurrency: this.flags.concurrency },
        ),
      {
        auditDetails: (r) => ({
          removed: r.removed,
          blobsDeleted: r.blobs.deleted,
          bytesFreed: r.blobs.bytesFreed,
          deferred: r.deferred,
        }),
      },
    );
    if (outcome.status !== 'applied')
      return {
        status: outcome.status,
        plan,
        remove: selection.remove.map((b) => b.id),
        keep: selection.keep.map((b) => b.id),
      };
    const r = outcome.result;
    if (r.deferred) this.ui.warn(r.deferred);
    this.ui.success(
      `removed ${r.removed.length} backup(s); deleted ${r.blobs.deleted} unreferenced blob(s) (${formatBytes(r.blobs.bytesFreed)}); ${selection.keep.length} backup(s) kept`,
    );
    return { status: outcome.status, kept: selection.keep.map((b) => b.id), ...r };
  }
}
