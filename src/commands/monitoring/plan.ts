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
  static override summary = "Show what `monitoring apply` would change in the environment's alerting";
  static override description =
    "Reads the project's alert policies, uptime checks and notification channels, compares the ones gwctl made for this environment with the built-in set in gwctl.yaml (thresholds under monitoring.alerting), and prints each one's state (in sync, missing, drifted = edited outside gwctl, differs from gwctl.yaml) and the calls apply would make. Read-only. With --exit-code it exits 3 when there is something to apply, like `terraform plan -detailed-exitcode`. See docs/monitoring.md.";
  static override examples = [
    '<%= config.bin %> monitoring plan --env prod',
    '<%= config.bin %> monitoring plan --env prod --exit-code   # 3 = drift or changes pending',
    '<%= config.bin %> monitoring plan --env sandbox --json',
  ];
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
