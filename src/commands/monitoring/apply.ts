import { GwctlCommand, mutatingFlags } from '../../base-command.js';
import { openMonitoringAdmin } from '../../lib/cloud/monitoring-admin.js';
import { applyMonitoringPlan, readLiveMonitoring } from '../../lib/monitoring/apply.js';
import { planMonitoring } from '../../lib/monitoring/plan.js';
import { renderItems } from '../../lib/monitoring/render.js';

export default class MonitoringApply extends GwctlCommand<typeof MonitoringApply> {
  static override flags = { ...mutatingFlags };

  async run() {
    const env = this.environment();
    const admin = await openMonitoringAdmin(env);
    try {
      const mp = planMonitoring(env, await readLiveMonitoring(admin), admin.canonical);
      renderItems(this.ui, mp);
      const outcome = await this.mutate(mp.plan, (p) => applyMonitoringPlan(admin, p), {
        auditDetails: (r) => ({ project: env.project, created: r.created, updated: r.updated, deleted: r.deleted }),
      });
      if (outcome.status === 'applied') {
        const r = outcome.result;
        this.ui.success(
          `alerting of ${env.name}: ${r.created.length} created, ${r.updated.length} updated, ${r.deleted.length} deleted`,
        );
      } else if (outcome.status === 'no-op')
        this.ui.success(`alerting of ${env.name} is as gwctl.yaml says: nothing to do`);
      return {
        env: env.name,
        project: env.project,
        status: outcome.status,
        digest: outcome.digest,
        items: mp.items,
        plan: mp.plan,
        ...(outcome.status === 'applied' ? { result: outcome.result } : {}),
      };
    } finally {
      await admin.close();
    }
  }
}
