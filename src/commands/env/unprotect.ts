import { Args } from '@oclif/core';
import { destructiveFlags, GwctlCommand } from '../../base-command.js';
import { withEnvironmentAdmins } from '../../lib/cloud/environment-admins.js';
import { applyProtectionPlan, buildProtectionPlan } from '../../lib/protection/plan.js';
import { renderProtection } from '../../lib/protection/render.js';
import { protectionStatus, readProtection } from '../../lib/protection/status.js';

export default class EnvUnprotect extends GwctlCommand<typeof EnvUnprotect> {
  static override args = { env: Args.string({ description: 'environment name (or use --env)' }) };
  static override flags = { ...destructiveFlags };

  async run() {
    const env = this.environment(this.args.env ?? this.flags.env);
    return withEnvironmentAdmins(env, async (admins) => {
      const plan = buildProtectionPlan(await readProtection(env, admins), false);
      const outcome = await this.mutate(plan, (p, ctx) => applyProtectionPlan(p, admins, ctx));
      if (outcome.status === 'no-op') this.ui.success(`${env.name} is already unprotected`);
      if (outcome.status === 'applied')
        for (const todo of plan.followUp) this.ui.info(`${this.ui.color.yellow('next:')} ${todo}`);
      const status = outcome.status === 'applied' ? protectionStatus(await readProtection(env, admins)) : undefined;
      if (status) renderProtection(this.ui, status);
      return {
        env: env.name,
        status: outcome.status,
        steps: plan.steps,
        followUp: outcome.status === 'no-op' ? [] : plan.followUp,
        protection: status,
      };
    });
  }
}
