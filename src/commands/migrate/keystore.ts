import { Flags } from '@oclif/core';
import { GwctlCommand, mutatingFlags } from '../../base-command.js';
import { ExitCode } from '../../lib/errors/gwctl-error.js';
import { refusalOf } from '../../lib/migrate/refusal.js';
import { renderPlan } from '../../lib/plan/render.js';
import {
  applyKeystorePlan,
  assertKeystoreApplicable,
  verifyKeystore,
  type KeystoreSummary,
} from '../../lib/migrate/keystore-apply.js';
import { prepareKeystoreMigration } from '../../lib/migrate/keystore-migration.js';
import { keystoreMutationPlan, renderKeystoreSummary } from '../../lib/migrate/keystore-render.js';

export default class MigrateKeystore extends GwctlCommand<typeof MigrateKeystore> {
  static override flags = {
    database: Flags.string({ description: 'MongoDB database (default: mongodb.database, e.g. awala-gateway)' }),
    overwrite: Flags.boolean({ description: 'replace Firestore documents that differ from MongoDB', default: false }),
    ...mutatingFlags,
  };

  async run() {
    const env = this.environment();
    const migration = await prepareKeystoreMigration(env, {
      database: this.flags.database,
      overwrite: this.flags.overwrite,
    });
    try {
      const { plan: keystore, data, store } = migration;
      const plan = keystoreMutationPlan(env.name, keystore);
      renderPlan(this.ui, plan);
      // Refuse before asking for confirmation; a dry run says it would be refused.
      const refusal = refusalOf(() => assertKeystoreApplicable(keystore));
      if (refusal && !this.flags['dry-run']) throw refusal;
      const batches = plan.steps.length;
      const outcome = await this.mutate(
        plan,
        async (_plan, ctx) => {
          const progress = await this.progress('copying to Firestore', batches);
          try {
            return await applyKeystorePlan(keystore, data, store, {
              onBatch: () => progress.tick(),
              stepDone: ctx.stepDone,
              signal: ctx.signal,
            });
          } finally {
            progress.stop();
          }
        },
        {
          render: false,
          auditDetails: (s) => ({
            target: store.where,
            created: s.created,
            unchanged: s.unchanged,
            overwritten: s.overwritten,
            failed: s.failed,
            verified: s.verification.every((v) => v.ok),
          }),
        },
      );
      if (refusal) this.ui.warn(`applying would be refused: ${refusal.message}`);
      let summary: KeystoreSummary | undefined;
      if (outcome.status === 'applied') summary = outcome.result;
      // Nothing to copy: still verify both sides, so "done" is checked, not assumed.
      if (outcome.status === 'no-op' && !refusal) {
        const verification = await verifyKeystore(keystore, store);
        summary = {
          created: 0,
          unchanged: keystore.counts.unchanged,
          overwritten: 0,
          failed: verification.reduce((n, v) => n + v.missing.length + v.different.length, 0),
          verification,
        };
      }
      if (summary) {
        renderKeystoreSummary(this.ui, summary);
        if (!summary.verification.every((v) => v.ok)) process.exitCode = ExitCode.runtime;
      }
      return {
        env: env.name,
        status: outcome.status,
        digest: outcome.digest,
        source: keystore.source,
        target: keystore.target,
        counts: keystore.counts,
        collections: keystore.collections.map(({ documents, batches, ...c }) => ({
          ...c,
          documents: documents.length,
          batches: batches.length,
        })),
        warnings: plan.warnings,
        steps: plan.steps,
        ...(summary ? { summary } : {}),
      };
    } finally {
      await migration.close();
    }
  }
}
