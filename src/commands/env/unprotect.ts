import { Args } from '@oclif/core';
import { destructiveFlags, GwctlCommand } from '../../base-command.js';
import { withEnvironmentAdmins } from '../../lib/cloud/environment-admins.js';
import { applyProtectionPlan, buildProtectionPlan } from '../../lib/protection/plan.js';
import { reportProtectionChange } from '../../lib/protection/render.js';
import { protectionStatus, readProtection } from '../../lib/protection/status.js';

export default class EnvUnprotect extends GwctlCommand<typeof EnvUnprotect> {
  static override args = { env: Args.string({ description: 'environment name (or use --env)' }) };
  static override flags = { ...destructiveFlags };

  async run() {
    const env = this.environment(this.args.env ?? this.flags.env);
    return withEnvironmentAdmins(env, async (admins) => {
      const plan = buildProtectionPlan(await readProtection(env, admins), false);
      const outcome = await this.mutate(plan, (p, ctx) => applyProtectionPlan(p, admins, ctx));
      const status = outcome.status === 'applied' ? protectionStatus(await readProtection(env, admins)) : undefined;
      return reportProtectionChange(
        this.ui,
        { env: env.name, goal: 'unprotected', plan, outcome: outcome.status },
        status,
      );
    });
  }
}
