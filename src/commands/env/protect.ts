import { Args } from '@oclif/core';
import { GwctlCommand, mutatingFlags } from '../../base-command.js';
import { withEnvironmentAdmins } from '../../lib/cloud/environment-admins.js';
import { runningDeprovisionWarning } from '../../lib/deprovision/lease.js';
import { applyProtectionPlan, buildProtectionPlan } from '../../lib/protection/plan.js';
import { reportProtectionChange } from '../../lib/protection/render.js';
import { protectionStatus, readProtection } from '../../lib/protection/status.js';

export default class EnvProtect extends GwctlCommand<typeof EnvProtect> {
  static override args = { env: Args.string({ description: 'environment name (or use --env)' }) };
  static override flags = { ...mutatingFlags };

  async run() {
    const env = this.environment(this.args.env ?? this.flags.env);
    return withEnvironmentAdmins(env, async (admins) => {
      const [facts, running] = await Promise.all([
        readProtection(env, admins, { trigger: true }),
        runningDeprovisionWarning(admins.leases, env.name, env.kube.namespace),
      ]);
      if (running) this.ui.warn(running);
      const plan = buildProtectionPlan(facts, true);
      const outcome = await this.mutate(plan, (p, ctx) => applyProtectionPlan(p, admins, ctx));
      const status = outcome.status === 'applied' ? protectionStatus(await readProtection(env, admins)) : undefined;
      return reportProtectionChange(
        this.ui,
        { env: env.name, goal: 'protected', plan, outcome: outcome.status },
        status,
      );
    });
  }
}
