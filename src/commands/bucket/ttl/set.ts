import { Flags } from '@oclif/core';
import { destructiveFlags, GwctlCommand } from '../../../base-command.js';
import { openBucketAdmin } from '../../../lib/cloud/buckets.js';
import { bucketTtlFlags } from '../../../lib/lifecycle/flags.js';
import { readTtlState } from '../../../lib/lifecycle/bucket-state.js';
import { resolveBucket } from '../../../lib/lifecycle/bucket-ref.js';
import { renderRuleDiff } from '../../../lib/lifecycle/render.js';
import { parseTtlDays, SPEC_MAX_DAYS } from '../../../lib/lifecycle/ttl-days.js';
import { applyTtlChange, planTtlChange, refuseTtlOnBackups } from '../../../lib/lifecycle/ttl-plan.js';
import { gsUrl } from '../../../lib/config/gs-url.js';

export default class BucketTtlSet extends GwctlCommand<typeof BucketTtlSet> {
  static override flags = {
    ...bucketTtlFlags,
    // A string, so every bad value gets gwctl's own one-line message.
    days: Flags.string({
      char: 'd',
      description: `delete objects this many days after creation (1–${SPEC_MAX_DAYS})`,
      required: true,
    }),
    'allow-over-spec': Flags.boolean({
      description: `allow more than ${SPEC_MAX_DAYS} days (beyond the Relaynet spec)`,
      default: false,
    }),
    // --confirm is only asked for on the vault bucket, where a TTL would delete Vault's storage.
    ...destructiveFlags,
  };

  async run() {
    const days = parseTtlDays(this.flags.days, { allowOverSpec: this.flags['allow-over-spec'] });
    const env = this.environment();
    const ref = resolveBucket(env, this.flags.bucket);
    refuseTtlOnBackups(ref);
    const admin = await openBucketAdmin(env);
    const state = await readTtlState(admin, ref.name, { scanHolds: this.flags.holds });
    const { plan, change, diff } = planTtlChange({ env: env.name, ref, state, days });
    renderRuleDiff(this.ui, change.bucket, diff);
    const outcome = await this.mutate(
      plan,
      async (p, ctx) => {
        const settings = await applyTtlChange(admin, p);
        ctx.stepDone(p.steps[0]!.id);
        return settings;
      },
      {
        auditDetails: (s) => ({
          bucket: change.bucket,
          previousDays: change.previousDays,
          days,
          metageneration: s.metageneration,
        }),
      },
    );
    if (outcome.status === 'applied')
      this.ui.success(
        `${gsUrl(change.bucket)}: retention TTL is now ${days} days (metageneration ${outcome.result.metageneration}); GCS applies it within 24 hours`,
      );
    return {
      env: env.name,
      ...(ref.role ? { role: ref.role } : {}),
      bucket: change.bucket,
      previousDays: change.previousDays,
      days,
      before: change.before,
      after: outcome.status === 'applied' ? outcome.result.lifecycleRules : change.after,
      diff,
      status: outcome.status,
      digest: outcome.digest,
      plan,
      ...(outcome.status === 'applied' ? { metageneration: outcome.result.metageneration } : {}),
    };
  }
}
