import type { MonitoringAdmin, MonitoringJson } from '../cloud/monitoring-admin.js';
import { RuntimeError } from '../errors/gwctl-error.js';
import type { Plan } from '../plan/plan.js';
import { checkIdPlaceholder } from './policy-set.js';
import { substitute, withDigest, type StepDetail } from './plan.js';

export interface ApplyResult {
  created: string[];
  updated: string[];
  deleted: string[];
}

/**
 * Makes the approved plan's calls in order. Checks created here give their ids to the policies that follow.
 * A failure stops the run; re-running plans again from what the project then holds, and finishes the job.
 */
export async function applyMonitoringPlan(admin: MonitoringAdmin, plan: Plan): Promise<ApplyResult> {
  const result: ApplyResult = { created: [], updated: [], deleted: [] };
  const checkIds = new Map<string, string>();
  const policyBody = (d: StepDetail): MonitoringJson => {
    let body = d.body!;
    if (d.check && JSON.stringify(body).includes(checkIdPlaceholder(d.check))) {
      const id = checkIds.get(d.check);
      if (!id)
        throw new RuntimeError(`alert policy ${d.id} needs uptime check ${d.check}, which this run did not create`);
      body = substitute(body, checkIdPlaceholder(d.check), id);
    }
    return withDigest(body);
  };
  for (const step of plan.steps) {
    const d = step.detail as StepDetail;
    switch (step.action) {
      case 'create-check': {
        const created = await admin.createUptimeCheck(d.body!);
        checkIds.set(d.id, String(created.name).split('/').pop()!);
        result.created.push(String(created.name));
        break;
      }
      case 'update-check':
        result.updated.push(String((await admin.updateUptimeCheck(d.body!, d.updateMask!)).name));
        break;
      case 'create-policy':
        result.created.push(String((await admin.createAlertPolicy(policyBody(d))).name));
        break;
      case 'update-policy':
        result.updated.push(String((await admin.updateAlertPolicy(policyBody(d), d.updateMask!)).name));
        break;
      case 'delete-policy':
        await admin.deleteAlertPolicy(d.name!);
        result.deleted.push(d.name!);
        break;
      case 'delete-check':
        await admin.deleteUptimeCheck(d.name!);
        result.deleted.push(d.name!);
        break;
      default:
        throw new RuntimeError(`unknown monitoring plan step ${step.action}`);
    }
  }
  return result;
}

/** Reads everything a plan compares, in parallel. */
export async function readLiveMonitoring(admin: MonitoringAdmin) {
  const [policies, checks, channels] = await Promise.all([
    admin.listAlertPolicies(),
    admin.listUptimeChecks(),
    admin.listNotificationChannels(),
  ]);
  return { policies, checks, channels };
}
