import { Flags } from '@oclif/core';
import { GwctlCommand } from '../../base-command.js';
import { openMonitoringAdmin } from '../../lib/cloud/monitoring-admin.js';
import { ExitCode } from '../../lib/errors/gwctl-error.js';
import { readLiveMonitoring } from '../../lib/monitoring/apply.js';
import { planMonitoring } from '../../lib/monitoring/plan.js';
import { renderItems } from '../../lib/monitoring/render.js';
import { planDigest } from '../../lib/plan/plan.js';
import { renderPlan } from '../../lib/plan/render.js';

export default class MonitoringPlan extends GwctlCommand<typeof MonitoringPlan> {
  static override flags = {
    'exit-code': Flags.boolean({
      description: 'exit 3 when apply would change anything (drift or gwctl.yaml changes)',
      default: false,
    }),
  };

  async run() {
    const env = this.environment();
    const admin = await openMonitoringAdmin(env);
    try {
      const mp = planMonitoring(env, await readLiveMonitoring(admin), admin.canonical);
      renderItems(this.ui, mp);
      renderPlan(this.ui, mp.plan);
      if (this.flags['exit-code'] && mp.plan.steps.length > 0) process.exitCode = ExitCode.drift;
      return {
        env: env.name,
        project: env.project,
        items: mp.items,
        skipped: mp.skipped,
        foreign: mp.foreign,
        plan: mp.plan,
        digest: planDigest(mp.plan),
      };
    } finally {
      await admin.close();
    }
  }
}
