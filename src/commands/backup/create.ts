import { Flags } from '@oclif/core';
import { GwctlCommand, mutatingFlags } from '../../base-command.js';
import { openKubeAdmin } from '../../lib/cloud/kube-resources.js';
import { openObjectStore } from '../../lib/cloud/gcs-object-store.js';
import {
  createBackup,
  listSource,
  openBackupSession,
  previewBackup,
  type CreateBackupDeps,
} from '../../lib/backup/create.js';
import { backupFlags, batchSizeFlag, concurrencyFlag } from '../../lib/backup/flags.js';
import { backupLocation } from '../../lib/backup/layout.js';
import { createPlan } from '../../lib/backup/plans.js';
import { formatBytes } from '../../lib/ui/bytes.js';
import {
  kubeScaler,
  parseWorkload,
  reportingScaler,
  withQuiesce,
  workloadLabel,
  type QuiesceRecord,
} from '../../lib/backup/quiesce.js';
import { decideQuiesce } from '../../lib/backup/quiesce-mark.js';
import { checkBackupBucket } from '../../lib/backup/bucket-guard.js';
import { listBackups } from '../../lib/backup/catalog.js';
import { backupStep } from '../../lib/backup/step-ids.js';
import { operatorIdentity } from '../../lib/audit/operator.js';
import type { RunContext } from '../../lib/audit/write-ahead.js';
import { openBucketAdmin } from '../../lib/cloud/buckets.js';
import { UsageError } from '../../lib/errors/gwctl-error.js';
import { requireYesWhenUnattended } from '../../lib/plan/mutation.js';
import { gsUrl } from '../../lib/config/gs-url.js';

export default class BackupCreate extends GwctlCommand<typeof BackupCreate> {
  static override summary = "Back up a bucket (Vault's by default) into the environment's backup bucket";
  static override description =
    'Copies server-side only the content the backup bucket does not hold yet (content-addressed blobs), then writes the manifest last: a backup exists only once its manifest does, so an interrupted run leaves nothing half-made and its re-run finishes quickly. --quiesce scales the Vault workload (workloads.vault) to 0 for the copy and back afterwards, also on failure or Ctrl-C. See docs/backup.md.';
  static override examples = [
    '<%= config.bin %> backup create --env prod --quiesce --dry-run',
    '<%= config.bin %> backup create --env prod --quiesce',
    '<%= config.bin %> backup create --env prod --yes --json',
    '<%= config.bin %> backup create --env staging --bucket parcels --concurrency 64 --yes',
  ];
  static override flags = {
    ...backupFlags,
    ...concurrencyFlag,
    ...batchSizeFlag,
    quiesce: Flags.boolean({ description: 'scale the Vault workload to 0 while copying, then back', default: false }),
    ...mutatingFlags,
  };

  async run() {
    const env = this.environment();
    const loc = backupLocation(env, this.flags.bucket);
    const store = await openObjectStore(env);
    const workload = this.flags.quiesce ? parseWorkload(env.workloads.vault, env.kube.namespace) : undefined;
    const scaler = workload ? kubeScaler(await openKubeAdmin(env)) : undefined;
    const state = workload ? await scaler!.read(workload) : undefined;
    if (workload && !state)
      throw new UsageError(
        `--quiesce: ${workloadLabel(workload)} not found; set workloads.vault in gwctl.yaml or drop --quiesce`,
      );
    const admin = await openBucketAdmin(env);
    const guard = checkBackupBucket(admin, loc, async () => (await listBackups(store, loc)).at(-1));
    const deps: CreateBackupDeps = {
      store,
      progress: (n) => this.progress('copying', n),
      warn: (m) => this.ui.warn(m),
    };
    const listing = listSource(store, loc);
    listing.catch(() => undefined); // awaited below, once the session is open
    // An unknown --bucket stops here, before anything is written (the audit intent included).
    if (!(await store.bucketExists(loc.sourceBucket)))
      throw new UsageError(
        `--bucket ${this.flags.bucket}: ${gsUrl(loc.sourceBucket)} does not exist (or is not visible to these credentials); nothing was written`,
      );
    const warnings = await guard;
    for (const w of warnings) this.ui.warn(w);
    // A real run declares its intent object before planning (a dry run writes nothing): the plan's listing
    // of the stored blobs then holds for the copy too, and is not taken twice. That object is its first
    // write, so the audit intent comes before it, and the plan goes to the outcome (`within`).
    const backUp = async (within?: RunContext) => {
      const session = within ? await openBackupSession(deps, loc) : undefined;
      try {
        const { source, preview } = await previewBackup(store, loc, {
          source: await listing,
          blobs: session?.blobs,
        });
        const plan = createPlan(loc, preview, workload ? { workload, decision: decideQuiesce(state!) } : undefined);
        const outcome = await this.mutate(
          plan,
          // Ctrl-C or SIGTERM aborts the copy; Vault is scaled back up first (withQuiesce), then the outcome recorded.
          async (_plan, ctx) => {
            const opts = {
              location: loc,
              concurrency: this.flags.concurrency,
              batchSize: this.flags['batch-size'],
              session,
              gwctlVersion: this.config.version,
            };
            const run = { ...deps, signal: ctx.signal, stepDone: ctx.stepDone };
            if (!workload)
              return {
                ...(await createBackup(run, { ...opts, quiesced: false, source })),
                quiesce: undefined as QuiesceRecord | undefined,
              };
            // Listed again once Vault is stopped: the plan's listing was taken while it ran.
            const label = workloadLabel(workload);
            const { result, quiesce } = await withQuiesce(
              reportingScaler(scaler!, (replicas) =>
                ctx.stepDone(replicas === 0 ? backupStep.scaleDown(label) : backupStep.scaleUp(label)),
              ),
              workload,
              () => createBackup(run, { ...opts, quiesced: true }),
              {
                by: `${operatorIdentity()} (backup ${session!.id})`,
                signal: ctx.signal,
                log: (m) => this.ui.info(this.ui.color.dim(`  … ${m}`)),
              },
            );
            return { ...result, quiesce };
          },
          within ? { within } : {},
        );
        if (outcome.status !== 'applied') return { status: outcome.status, plan, preview, warnings };
        const r = outcome.result;
        this.ui.success(
          `backup ${r.id} of ${gsUrl(r.sourceBucket)}: ${r.objects} objects (${formatBytes(r.bytes)}); ${r.blobs.copied} new blob(s) copied (${formatBytes(r.blobs.copiedBytes)}), ${r.blobs.reused} already stored; quiesced: ${r.quiesced ? 'yes' : 'no'}`,
        );
        return { status: outcome.status, ...r, warnings };
      } finally {
        await session?.release();
      }
    };
    if (this.flags['dry-run']) return backUp();
    requireYesWhenUnattended({ yes: this.flags.yes, interactive: this.interactive });
    return this.audited(
      {
        command: 'backup create',
        env: env.name,
        summary: `back up ${gsUrl(loc.sourceBucket)}${workload ? ' quiesced' : ''}`,
        steps: workload ? 4 : 2,
        asked: { location: loc, quiesce: workload ?? null },
      },
      backUp,
      (r) =>
        'id' in r
          ? {
              id: r.id,
              objects: r.objects,
              bytes: r.bytes,
              copied: r.blobs.copied,
              quiesced: r.quiesced,
              ...(r.quiesce?.recovered ? { recoveredFromInterruptedBackup: r.quiesce.recovered } : {}),
            }
          : undefined,
    );
  }
}
