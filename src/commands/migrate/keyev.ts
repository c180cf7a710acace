import { Flags } from '@oclif/core';
import { GwctlCommand, mutatingFlags } from '../../base-command.js';
import { ExitCode } from '../../lib/errors/gwctl-error.js';
import { refusalOf } from '../../lib/migrate/refusal.js';
import { renderPlan } from '../../lib/plan/render.js';
import { applyKeyevPlan, assertKeyevApplicable, type KeyevSummary } from '../../lib/migrate/keyev-apply.js';
import { prepareKeyevMigration } from '../../lib/migrate/keyev-migration.js';
import { keyevMutationPlan, renderKeyevSummary } from '../../lib/migrate/keyev-render.js';
import { parseRenames } from '../../lib/migrate/rename.js';

export default class MigrateKeyev extends GwctlCommand<typeof MigrateKeyev> {
  static override flags = {
    to: Flags.string({
      description: "keyev backend to fill (default: the environment's keyev.backend)",
      options: ['firestore', 'configmap'],
    }),
    database: Flags.string({ description: 'MongoDB database (default: mongodb.database, e.g. awala-gateway)' }),
    collection: Flags.string({
      description: 'config collection (default: mongodb.configCollection, e.g. configitems)',
    }),
    rename: Flags.string({
      description: 'store MongoDB key OLD under keyev key NEW (OLD=NEW; repeatable)',
      multiple: true,
    }),
    overwrite: Flags.boolean({
      description: 'replace keyev values that differ from MongoDB (conflicts)',
      default: false,
    }),
    stringify: Flags.boolean({
      description: 'store non-string values as canonical JSON instead of refusing them',
      default: false,
    }),
    ...mutatingFlags,
  };

  async run() {
    const env = this.environment();
    const overwrite = this.flags.overwrite;
    const migration = await prepareKeyevMigration(env, {
      to: this.flags.to as 'firestore' | 'configmap' | undefined,
      database: this.flags.database,
      collection: this.flags.collection,
      rename: parseRenames(this.flags.rename ?? []),
      stringify: this.flags.stringify,
    });
    try {
      const { plan: keyev, store } = migration;
      const plan = keyevMutationPlan(env.name, keyev, { overwrite });
      renderPlan(this.ui, plan);
      // Refuse before asking for confirmation; a dry run says it would be refused.
      const refusal = refusalOf(() => assertKeyevApplicable(keyev, { overwrite }));
      if (refusal && !this.flags['dry-run']) throw refusal;
      const outcome = await this.mutate(
        plan,
        (_plan, ctx) => applyKeyevPlan(keyev, store, { overwrite, stepDone: ctx.stepDone }),
        {
          render: false,
          auditDetails: (s) => ({
            target: keyev.target.where,
            created: s.created,
            unchanged: s.unchanged,
            overwritten: s.overwritten,
            failed: s.failed,
          }),
        },
      );
      if (refusal) this.ui.warn(`applying would be refused: ${refusal.message}`);
      let summary: KeyevSummary | undefined;
      if (outcome.status === 'applied') summary = outcome.result;
      // Nothing to write: still read every key back, so "done" is checked, not assumed.
      if (outcome.status === 'no-op' && !refusal) summary = await applyKeyevPlan(keyev, store, { overwrite });
      if (summary) {
        renderKeyevSummary(this.ui, keyev.target.where, summary);
        if (summary.failed > 0) process.exitCode = ExitCode.runtime;
      }
      return {
        env: env.name,
        status: outcome.status,
        digest: outcome.digest,
        source: keyev.source,
        target: keyev.target,
        counts: keyev.counts,
        items: keyev.items,
        warnings: plan.warnings,
        ...(summary ? { summary } : {}),
      };
    } finally {
      await migration.close();
    }
  }
}
