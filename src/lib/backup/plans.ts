import { makePlan, type Plan, type PlanStep } from '../plan/plan.js';
import { formatBytes } from '../ui/bytes.js';
import { cronJobPlan } from '../schedule/gwctl-job.js';
import type { BackupCronJob } from './schedule.js';
import type { BackupPreview } from './create.js';
import { blobsPrefix, manifestsPrefix, type BackupLocation } from './layout.js';
import type { BackupSummary } from './manifest.js';
import type { GarbageScan, PruneSelection } from './prune.js';
import { isDestructiveRestore } from './restore.js';
import type { RestorePlanValue, Sampled } from './restore-plan.js';
import { workloadLabel, type WorkloadRef } from './quiesce.js';
import { describeInterrupted, QUIESCE_ANNOTATIONS, type QuiesceDecision } from './quiesce-mark.js';
import { backupStep } from './step-ids.js';
import { gsUrl } from '../config/gs-url.js';

export function createPlan(
  loc: BackupLocation,
  preview: BackupPreview,
  quiesce?: { workload: WorkloadRef; decision: QuiesceDecision },
): Plan {
  const steps: PlanStep[] = [];
  const wl = quiesce ? workloadLabel(quiesce.workload) : '';
  const { from = 0, restoreTo = 0, recovered, stale } = quiesce?.decision ?? {};
  if (quiesce && from > 0)
    steps.push({
      id: backupStep.scaleDown(wl),
      action: 'scale-down',
      target: wl,
      description: `${from} → 0 replicas while copying (Vault's storage is consistent only at rest); the count is recorded on it (${QUIESCE_ANNOTATIONS.replicas}) in the same request`,
    });
  steps.push({
    id: backupStep.copyBlobs,
    action: 'copy',
    target: gsUrl(loc.backupBucket, blobsPrefix(loc)),
    description: `${preview.newBlobs} new blob(s), ${formatBytes(preview.newBytes)}, server-side; ${preview.storedObjects} of the ${preview.objects} object(s) already stored`,
    detail: preview,
  });
  steps.push({
    id: backupStep.writeManifest,
    action: 'create',
    target: gsUrl(loc.backupBucket, manifestsPrefix(loc)),
    description: 'the manifest, last: the backup exists once it is written',
  });
  if (quiesce && (from > 0 || recovered))
    steps.push({
      id: backupStep.scaleUp(wl),
      action: 'scale-up',
      target: wl,
      description: recovered
        ? `0 → ${restoreTo} replica(s) (recorded by a previous run at ${recovered.at}, which never scaled it back), also if the copy fails`
        : `back to ${restoreTo} replica(s), also if the copy fails`,
    });
  const notes: string[] = [];
  if (recovered) notes.push(`${describeInterrupted(wl, recovered)}: this run brings it back`);
  if (stale)
    notes.push(
      `${wl} carries a record of a backup at ${stale.at} that scaled it down, but has ${from} replica(s) again: the record is replaced`,
    );
  if (quiesce && from === 0 && !recovered)
    notes.push(`${wl} is at 0 replicas already (not scaled down by gwctl): it stays at 0`);
  return makePlan({
    command: 'backup create',
    env: loc.env,
    summary: `back up ${gsUrl(loc.sourceBucket)} (${preview.objects} objects, ${formatBytes(preview.bytes)})${quiesce ? ' quiesced' : ''}`,
    destructive: false,
    steps,
    warnings: [
      ...notes,
      ...(quiesce
        ? []
        : [
            'not quiesced: Vault keeps running, so the copy may not be consistent (use --quiesce for a backup Vault can trust)',
          ]),
    ],
  });
}

export function restorePlan(env: string, backup: BackupSummary, p: RestorePlanValue): Plan {
  const steps: PlanStep[] = [];
  const bucketUrl = gsUrl(p.targetBucket, '');
  if (p.createBucket)
    steps.push({
      id: backupStep.createBucket(p.targetBucket),
      action: 'create-bucket',
      target: bucketUrl,
      description: 'new bucket for the restored objects',
    });
  if (p.create.objects > 0) {
    steps.push({
      id: backupStep.restore(p.targetBucket),
      action: 'restore',
      target: bucketUrl,
      description: `${p.create.objects} object(s) the bucket lacks (${formatBytes(p.create.bytes)}), server-side, each checked against the manifest's CRC32C`,
      detail: sampleDetail(p.create),
    });
  }
  // The first objects overwritten or deleted are steps of their own, for the operator to read; the rest one step each.
  for (const o of p.overwrite.sample)
    steps.push({
      id: backupStep.overwrite(o.name),
      action: 'overwrite',
      target: gsUrl(p.targetBucket, o.name),
      description: `differs from the backup (replaces generation ${o.generation})`,
    });
  if (p.overwrite.objects > p.overwrite.sample.length)
    steps.push({
      id: backupStep.overwriteMore(p.targetBucket),
      action: 'overwrite',
      target: bucketUrl,
      description: `… and ${p.overwrite.objects - p.overwrite.sample.length} more object(s) that differ from the backup, each only if still the generation planned`,
      detail: { objects: p.overwrite.objects - p.overwrite.sample.length },
    });
  for (const d of p.deleteExtra.sample)
    steps.push({
      id: backupStep.deleteObject(d.name),
      action: 'delete',
      target: gsUrl(p.targetBucket, d.name),
      description: 'not in the backup (--delete-extra)',
    });
  if (p.deleteExtra.objects > p.deleteExtra.sample.length)
    steps.push({
      id: backupStep.deleteMore(p.targetBucket),
      action: 'delete',
      target: bucketUrl,
      description: `… and ${p.deleteExtra.objects - p.deleteExtra.sample.length} more object(s) not in the backup (--delete-extra), each only if still the generation planned`,
      detail: { objects: p.deleteExtra.objects - p.deleteExtra.sample.length },
    });
  const warnings: string[] = [];
  if (p.keptExtra > 0)
    warnings.push(
      `${p.keptExtra} object(s) in ${gsUrl(p.targetBucket)} are not in the backup and stay (--delete-extra deletes them)`,
    );
  if (!p.quiesced)
    warnings.push(`backup ${backup.id} was taken without --quiesce: Vault was running while it was copied`);
  return makePlan({
    command: 'backup restore',
    env,
    summary: `restore backup ${backup.id} (completed ${backup.completedAt}) of ${gsUrl(p.sourceBucket)} into ${gsUrl(p.targetBucket)}${p.inPlace ? ' in place' : ''}: ${p.create.objects + p.overwrite.objects} to copy, ${p.unchanged} already as backed up${p.deleteExtra.objects ? `, ${p.deleteExtra.objects} to delete` : ''}`,
    destructive: isDestructiveRestore(p),
    steps,
    warnings,
    targets: p.targets,
  });
}

/** A category of a restore as the JSON plan shows it: how many, their bytes, the first names, how many more. */
const sampleDetail = (s: Sampled<string>) => ({
  objects: s.objects,
  bytes: s.bytes,
  first: s.sample,
  more: s.objects - s.sample.length,
});

export function prunePlan(loc: BackupLocation, selection: PruneSelection, scan: GarbageScan, graceMs: number): Plan {
  const steps: PlanStep[] = selection.remove.map((b) => ({
    id: backupStep.deleteBackup(b.id),
    action: 'delete',
    target: `backup ${b.id}`,
    description: `completed ${b.completedAt}, ${b.objects} objects, ${formatBytes(b.bytes)}`,
  }));
  if (scan.garbage.length > 0) {
    steps.push({
      id: backupStep.collectBlobs,
      action: 'prune',
      target: gsUrl(loc.backupBucket, blobsPrefix(loc)),
      description: `${scan.garbage.length} blob(s) no remaining backup references and older than ${graceMs / 3_600_000}h (${formatBytes(scan.garbageBytes)}), as of now`,
      detail: { blobs: scan.garbage.length, bytes: scan.garbageBytes },
    });
  }
  const warnings: string[] = [];
  if (scan.unreadable.length > 0)
    warnings.push(
      `manifest ${scan.unreadable[0]} cannot be read: no blob will be deleted until it is fixed or removed`,
    );
  if (scan.young > 0)
    warnings.push(
      `${scan.young} unreferenced blob(s) are younger than the grace period and stay (a backup may be using them)`,
    );
  return makePlan({
    command: 'backup prune',
    env: loc.env,
    summary: `prune backups of ${gsUrl(loc.sourceBucket)}: remove ${selection.remove.length}, keep ${selection.keep.length}`,
    destructive: true,
    steps,
    warnings,
  });
}

export function schedulePlan(env: string, job: BackupCronJob, exists: boolean): Plan {
  return cronJobPlan({
    command: 'backup schedule',
    env,
    summary: `schedule backups of ${env} (${job.spec.schedule} UTC)`,
    job,
    exists,
  });
}
