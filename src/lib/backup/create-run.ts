import { operatorIdentity } from '../audit/operator.js';
import type { RunContext } from '../audit/write-ahead.js';
import { openBucketAdmin } from '../cloud/buckets.js';
import { openObjectStore } from '../cloud/gcs-object-store.js';
import { openKubeAdmin } from '../cloud/kube-resources.js';
import { gsUrl } from '../config/gs-url.js';
import type { Environment } from '../config/schema.js';
import { UsageError } from '../errors/gwctl-error.js';
import type { Plan } from '../plan/plan.js';
import { checkBackupBucket } from './bucket-guard.js';
import { listBackups } from './catalog.js';
import {
  createBackup,
  listSource,
  openBackupSession,
  previewBackup,
  type BackupPreview,
  type BackupSession,
  type CopyEngine,
  type CreateBackupDeps,
  type CreateBackupResult,
  type SourceSnapshot,
} from './create.js';
import { backupLocation, type BackupLocation } from './layout.js';
import { createPlan } from './plans.js';
import { decideQuiesce } from './quiesce-mark.js';
import {
  kubeScaler,
  parseWorkload,
  reportingScaler,
  withQuiesce,
  workloadLabel,
  type QuiesceRecord,
  type WorkloadRef,
  type WorkloadScaler,
  type WorkloadState,
} from './quiesce.js';
import { backupStep } from './step-ids.js';

/** A backup about to be planned: where from and to, what to quiesce, and the source's listing already under way. */
export interface BackupRequest {
  env: string;
  location: BackupLocation;
  deps: CreateBackupDeps;
  quiesce?: { workload: WorkloadRef; scaler: WorkloadScaler; state: WorkloadState };
  listing: Promise<SourceSnapshot>;
  /** What the backup bucket's lifecycle rules or retention policy would do to the backups. */
  warnings: string[];
  /** `--engine`: `rewrite` (gwctl's own) or `sts`. */
  engine?: string;
}

/**
 * Everything `backup create` checks before it writes: the workload to quiesce exists, the source bucket
 * exists (an unknown --bucket stops here, before the audit intent), the backup bucket keeps backups.
 * The source's listing starts at once, in parallel with these checks.
 */
export async function prepareBackup(
  env: Environment,
  opts: { bucket: string; quiesce: boolean },
  hooks: Pick<CreateBackupDeps, 'progress' | 'warn'>,
): Promise<BackupRequest> {
  const location = backupLocation(env, opts.bucket);
  const store = await openObjectStore(env);
  const workload = opts.quiesce ? parseWorkload(env.workloads.vault, env.kube.namespace) : undefined;
  const scaler = workload ? kubeScaler(await openKubeAdmin(env)) : undefined;
  const state = workload ? await scaler!.read(workload) : undefined;
  if (workload && !state)
    throw new UsageError(
      `--quiesce: ${workloadLabel(workload)} not found; set workloads.vault in gwctl.yaml or drop --quiesce`,
    );
  const admin = await openBucketAdmin(env);
  const guard = checkBackupBucket(admin, location, async () => (await listBackups(store, location)).at(-1));
  const listing = listSource(store, location);
  listing.catch(() => undefined); // awaited when planning, once the session is open
  try {
    if (!(await store.bucketExists(location.sourceBucket)))
      throw new UsageError(
        `--bucket ${opts.bucket}: ${gsUrl(location.sourceBucket)} does not exist (or is not visible to these credentials); nothing was written`,
      );
    return {
      env: env.name,
      location,
      deps: { store, ...hooks },
      ...(workload ? { quiesce: { workload, scaler: scaler!, state: state! } } : {}),
      listing,
      warnings: await guard,
    };
  } catch (err) {
    // No backup will use the listing: free its spill file once it is done.
    void listing.then(
      (s) => s.objects.close(),
      () => undefined,
    );
    throw err;
  }
}

/** The audit intent of a backup, recorded before its plan exists (see `withBackupPlan`). */
export function backupIntent(r: BackupRequest) {
  return {
    command: 'backup create',
    env: r.env,
    summary: `back up ${gsUrl(r.location.sourceBucket)}${r.quiesce ? ' quiesced' : ''}${r.engine === 'sts' ? ' with a Storage Transfer Service job (--engine sts)' : ''}`,
    steps: r.quiesce ? 4 : 2,
    asked: { location: r.location, quiesce: r.quiesce?.workload ?? null, engine: r.engine ?? 'rewrite' },
  };
}

export interface PlannedBackup {
  plan: Plan;
  preview: BackupPreview;
  source: SourceSnapshot;
  session?: BackupSession;
}

/**
 * Plans the backup and hands the plan to `then`. A real run (`within` its write-ahead run) declares its
 * intent object first: the plan's listing of the stored blobs then holds for the copy too, and is not
 * taken twice. That object is its first write, hence the audit intent before the plan. A dry run writes nothing.
 */
export async function withBackupPlan<T>(
  r: BackupRequest,
  within: RunContext | undefined,
  then: (planned: PlannedBackup) => Promise<T>,
): Promise<T> {
  const session = within ? await openBackupSession(r.deps, r.location) : undefined;
  try {
    const { source, preview } = await previewBackup(r.deps.store, r.location, {
      source: await r.listing,
      blobs: session?.blobs,
    });
    const q = r.quiesce;
    const plan = createPlan(
      r.location,
      preview,
      q ? { workload: q.workload, decision: decideQuiesce(q.state) } : undefined,
    );
    return await then({ plan, preview, source, ...(session ? { session } : {}) });
  } finally {
    // The listing's spill file: freed once the backup that used it is done (a quiesced one lists again).
    await r.listing.then(
      (s) => s.objects.close(),
      () => undefined,
    );
    await session?.release();
  }
}

export interface ApplyBackupOptions {
  concurrency: number;
  batchSize?: number;
  gwctlVersion?: string;
  log?: (message: string) => void;
  engine?: CopyEngine;
}

/**
 * Applies a planned backup. Ctrl-C or SIGTERM (`ctx.signal`) aborts the copy; a quiesced workload is
 * scaled back up first (withQuiesce), then the outcome recorded.
 */
export async function applyBackup(
  r: BackupRequest,
  planned: PlannedBackup,
  ctx: RunContext,
  opts: ApplyBackupOptions,
): Promise<CreateBackupResult & { quiesce?: QuiesceRecord | undefined }> {
  const create = {
    location: r.location,
    concurrency: opts.concurrency,
    batchSize: opts.batchSize,
    session: planned.session,
    gwctlVersion: opts.gwctlVersion,
    engine: opts.engine,
  };
  const deps = { ...r.deps, signal: ctx.signal, stepDone: ctx.stepDone };
  if (!r.quiesce) return createBackup(deps, { ...create, quiesced: false, source: planned.source });
  // Listed again once the workload is stopped: the plan's listing was taken while it ran.
  const { workload, scaler } = r.quiesce;
  const label = workloadLabel(workload);
  const { result, quiesce } = await withQuiesce(
    reportingScaler(scaler, (replicas) =>
      ctx.stepDone(replicas === 0 ? backupStep.scaleDown(label) : backupStep.scaleUp(label)),
    ),
    workload,
    () => createBackup(deps, { ...create, quiesced: true }),
    { by: `${operatorIdentity()} (backup ${planned.session!.id})`, signal: ctx.signal, log: opts.log },
  );
  return { ...result, quiesce };
}

/** What the audit outcome of a backup keeps: counts and ids. */
export const backupAuditDetails = (r: CreateBackupResult & { quiesce?: QuiesceRecord | undefined }) => ({
  id: r.id,
  objects: r.objects,
  bytes: r.bytes,
  copied: r.blobs.copied,
  quiesced: r.quiesced,
  engine: r.engine,
  ...(r.quiesce?.recovered ? { recoveredFromInterruptedBackup: r.quiesce.recovered } : {}),
});
