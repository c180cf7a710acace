import { Flags } from '@oclif/core';
import type { ObjectStore } from '../cloud/object-store.js';
import { openTransferJobs, type TransferJobs } from '../cloud/storage-transfer.js';
import { gsUrl } from '../config/gs-url.js';
import type { Environment } from '../config/schema.js';
import type { Plan } from '../plan/plan.js';
import { formatBytes } from '../ui/bytes.js';
import type { BackupPreview, CopyEngine } from './create.js';
import { blobsPrefix, type BackupLocation } from './layout.js';
import type { RestorePlanValue } from './restore-plan.js';
import { restoreStagingPrefix, stagingPrefix } from './staging.js';
import { backupStep } from './step-ids.js';
import { stsEngine, type StsDeps } from './sts-engine.js';

/** `--engine`: gwctl's own batched server-side rewrites, or a Storage Transfer Service job. */
export const engineFlag = {
  engine: Flags.string({
    description:
      "what copies the content: rewrite (gwctl's own server-side rewrites, in batches) or sts (a Storage Transfer Service job in the environment's project, for very large buckets)",
    options: ['rewrite', 'sts'],
    default: 'rewrite',
  }),
};

/** `backup.stsThreshold` in gwctl.yaml: from this many objects, `backup create` suggests `--engine sts`. */
export const DEFAULT_STS_THRESHOLD = 1_000_000;

/** The `warning:` line that suggests the STS engine for a bucket this large, or undefined. */
export function stsHint(env: Environment, engine: string, preview: BackupPreview): string | undefined {
  const threshold = env.backup?.stsThreshold ?? DEFAULT_STS_THRESHOLD;
  if (engine === 'sts' || preview.objects < threshold) return undefined;
  return `${preview.objects} objects (backup.stsThreshold: ${threshold}): consider --engine sts, which has Storage Transfer Service copy them instead of this machine (docs/backup.md)`;
}

/** A Storage Transfer Service client and its service agent, opened before anything is written. */
export interface StsSession {
  jobs: TransferJobs;
  agent: string;
  close(): Promise<void>;
}

/**
 * Opens the client and reads the project's service agent (GetGoogleServiceAccount): a project without the API
 * or a caller without `storagetransfer.projects.getServiceAccount` fails here, before the audit intent.
 */
export async function openSts(env: Environment): Promise<StsSession> {
  const jobs = await openTransferJobs(env);
  try {
    return { jobs, agent: await jobs.serviceAccount(), close: () => jobs.close() };
  } catch (err) {
    await jobs.close();
    throw err;
  }
}

export function stsDeps(
  sts: StsSession,
  store: ObjectStore,
  opts: Pick<StsDeps, 'concurrency' | 'batchSize' | 'note' | 'warn'>,
): StsDeps {
  return { store, jobs: sts.jobs, agent: sts.agent, ...opts };
}

export const stsCopyEngine = (deps: StsDeps, loc: BackupLocation): CopyEngine => stsEngine(deps, loc);

/** The copy step of a backup plan, as the STS engine does it: how many objects and bytes the job would transfer. */
export function stsBackupPlan(plan: Plan, loc: BackupLocation, preview: BackupPreview): Plan {
  const description =
    preview.newBlobs === 0
      ? `nothing to transfer: all ${preview.objects} object(s) already stored, so no Storage Transfer Service job runs`
      : `Storage Transfer Service job: ${preview.newBlobs} object(s), ${formatBytes(preview.newBytes)} into ${gsUrl(loc.backupBucket, stagingPrefix(loc))}<id>/ (fewer if an earlier run staged some), then each moved server-side into ${gsUrl(loc.backupBucket, blobsPrefix(loc))}; ${preview.storedObjects} of the ${preview.objects} object(s) already stored`;
  return {
    ...plan,
    steps: plan.steps.map((s) =>
      s.id === backupStep.copyBlobs
        ? { ...s, action: 'transfer', description, detail: { ...preview, engine: 'sts' } }
        : s,
    ),
  };
}

/** Step id of a restore's Storage Transfer Service job. */
export const STAGE_BLOBS_STEP = 'stage-blobs';

/** A restore plan with the job that stages the blobs first: how many and how many bytes it would transfer. */
export function stsRestorePlan(plan: Plan, p: RestorePlanValue): Plan {
  // Objects that share content share a blob, which the job transfers once: at most this many.
  const objects = p.create.objects + p.overwrite.objects;
  const bytes = p.create.bytes + p.overwrite.bytes;
  if (objects === 0) return plan;
  const stage = {
    id: STAGE_BLOBS_STEP,
    action: 'transfer',
    target: gsUrl(p.targetBucket, restoreStagingPrefix(p.id)),
    description: `Storage Transfer Service job: the blobs of ${objects} object(s), at most ${formatBytes(bytes)}, staged in the target bucket, then renamed server-side to the objects' names (each checked against the manifest) and deleted`,
    detail: { objects, bytes, engine: 'sts' },
  };
  const at = plan.steps.findIndex((s) => s.action !== 'create-bucket');
  const steps = [...plan.steps];
  steps.splice(at < 0 ? steps.length : at, 0, stage);
  return { ...plan, steps };
}
