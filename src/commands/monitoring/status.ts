import { Flags } from '@oclif/core';
import { GwctlCommand } from '../../base-command.js';
import { openMonitoringAdmin } from '../../lib/cloud/monitoring-admin.js';
import { ExitCode } from '../../lib/errors/gwctl-error.js';
import { readLiveMonitoring } from '../../lib/monitoring/apply.js';
import { planMonitoring } from '../../lib/monitoring/plan.js';
import { renderStatus } from '../../lib/monitoring/render.js';
import { alertingSettings } from '../../lib/monitoring/settings.js';
import { monitoringStatus } from '../../lib/monitoring/status.js';

export default class MonitoringStatus extends GwctlCommand<typeof MonitoringStatus> {
  static override flags = {
    'exit-code': Flags.boolean({
      description: 'exit 4 when an alert fires, else 3 when anything drifted or is missing',
      default: false,
    }),
  };

  async run() {
    const env = this.environment();
    const admin = await openMonitoringAdmin(env);
    try {
      const period = alertingSettings(env).thresholds.uptimePeriodSeconds;
      const [live, results] = await Promise.all([
        readLiveMonitoring(admin),
        admin.uptimeResults(new Date(Date.now() - Math.max(3 * period, 1200) * 1000)),
      ]);
      const status = monitoringStatus(
        env.name,
        env.project,
        planMonitoring(env, live, admin.canonical, { readOnly: true }),
        results,
      );
      renderStatus(this.ui, status);
      if (this.flags['exit-code'])
        process.exitCode = status.firing ? ExitCode.sloBreach : status.drift ? ExitCode.drift : ExitCode.ok;
      return status;
    } finally {
      await admin.close();
    }
  }
}
