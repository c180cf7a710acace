import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openMonitoringAdmin, type MonitoringAdmin } from '../../src/lib/cloud/monitoring-admin.js';
import { UsageError } from '../../src/lib/errors/gwctl-error.js';
import { applyMonitoringPlan, readLiveMonitoring } from '../../src/lib/monitoring/apply.js';
import { planMonitoring } from '../../src/lib/monitoring/plan.js';
import type { Environment } from '../../src/lib/config/schema.js';
import type { MonitoringTarget } from '@gwctl/emulators/testing';
import { environment, FOREIGN_POLICY, PROJECT, startProject } from './harness.js';

let t: MonitoringTarget;
let admin: MonitoringAdmin;
let env: Environment;

beforeEach(async () => {
  t = await startProject();
  env = environment(t);
  admin = await openMonitoringAdmin(env);
});
afterEach(async () => {
  await admin.close();
  await t.close();
});

const plan = async (e = env) => planMonitoring(e, await readLiveMonitoring(admin), admin.canonical);
const apply = async (e = env) => applyMonitoringPlan(admin, (await plan(e)).plan);
const ownedPolicies = async () =>
  (
    await t.alertPolicies.listAlertPolicies({ name: `projects/${PROJECT}`, filter: 'user_labels.managed_by = "gwctl"' })
  )[0];
const mutating = () => t.log.mutating().map((r) => r.path.split('/').pop());

describe('monitoring apply: the runbook steps, through the real client against the emulator', () => {
  it('creates the whole set: three uptime checks, then the policies that name them, each notifying the channel', async () => {
    const first = await plan();
    expect(first.items.every((i) => i.state === 'missing')).toBe(true);
    const result = await apply();
    const policies = await ownedPolicies();
    const [checks] = await t.uptimeChecks.listUptimeCheckConfigs({ parent: `projects/${PROJECT}` });
    expect(checks.map((c) => c.userLabels?.gwctl_id).sort()).toEqual(['cogrpc', 'pohttp', 'poweb']);
    expect(policies.map((p) => p.userLabels?.gwctl_id).sort()).toEqual([
      'backend-5xx-ratio',
      'backup-missing',
      'cogrpc-cold-starts',
      'cogrpc-down',
      'pohttp-delivery-latency',
      'pohttp-down',
      'poweb-collections-cut',
      'poweb-delivery-latency',
      'poweb-down',
    ]);
    expect(result.created).toHaveLength(12);
    const [channel] = (await t.channels.listNotificationChannels({ name: `projects/${PROJECT}` }))[0];
    for (const p of policies) expect(p.notificationChannels).toEqual([channel!.name]);
    // The uptime policies name the ids the checks got when created (no placeholder left).
    const poweb = checks.find((c) => c.userLabels?.gwctl_id === 'poweb')!;
    const down = policies.find((p) => p.userLabels?.gwctl_id === 'poweb-down')!;
    expect(down.conditions?.[0]?.conditionThreshold?.filter).toContain(`"${poweb.name!.split('/').pop()}"`);
    expect(JSON.stringify(policies)).not.toContain('{{');
  });

  it('is a no-op the second time: nothing to plan and no mutating call', async () => {
    await apply();
    t.log.clear();
    const second = await plan();
    expect(second.items.every((i) => i.state === 'in-sync')).toBe(true);
    expect(second.plan.steps).toEqual([]);
    await applyMonitoringPlan(admin, second.plan);
    expect(mutating()).toEqual([]);
  });

  it('shows a console edit as drift, and apply puts the policy back, keeping its condition ids', async () => {
    await apply();
    const latency = (await ownedPolicies()).find((p) => p.userLabels?.gwctl_id === 'poweb-delivery-latency')!;
    const conditionName = latency.conditions![0]!.name;
    // What the console does: UpdateAlertPolicy with the whole edited policy.
    await t.alertPolicies.updateAlertPolicy(
      {
        alertPolicy: {
          ...latency,
          conditions: [
            {
              ...latency.conditions![0],
              conditionThreshold: { ...latency.conditions![0]!.conditionThreshold, thresholdValue: 30_000 },
            },
          ],
        },
      },
      { otherArgs: { headers: { 'x-goog-user': 'someone@example.com' } } },
    );
    const drifted = await plan();
    const item = drifted.items.find((i) => i.id === 'poweb-delivery-latency')!;
    expect(item).toMatchObject({ state: 'drifted', fields: ['conditions'] });
    expect(drifted.plan.steps.map((s) => s.action)).toEqual(['update-policy']);
    expect(drifted.plan.warnings.join('\n')).toMatch(/edited outside gwctl/);
    await applyMonitoringPlan(admin, drifted.plan);
    const [restored] = await t.alertPolicies.getAlertPolicy({ name: latency.name! });
    expect(restored.conditions?.[0]?.conditionThreshold?.thresholdValue).toBe(1000);
    expect(restored.conditions?.[0]?.name).toBe(conditionName);
    expect((await plan()).plan.steps).toEqual([]);
  });

  it('tells a gwctl.yaml change from drift, and updates only the fields that changed', async () => {
    await apply();
    const stricter = environment(t, {
      monitoring: {
        urlMaps: ['gateway-test-lb'],
        alerting: { notificationChannels: ['oncall'], thresholds: { deliveryP99Ms: 800 } },
      },
    });
    const p = await plan(stricter);
    expect(p.items.filter((i) => i.state !== 'in-sync').map((i) => [i.id, i.state])).toEqual([
      ['poweb-delivery-latency', 'outdated'],
      ['pohttp-delivery-latency', 'outdated'],
    ]);
    t.log.clear();
    await applyMonitoringPlan(admin, p.plan);
    expect(mutating()).toEqual(['UpdateAlertPolicy', 'UpdateAlertPolicy']);
    expect((await plan(stricter)).plan.steps).toEqual([]);
  });

  it('never changes or deletes a foreign policy, even one labelled by gwctl for another environment', async () => {
    const [otherEnv] = await t.alertPolicies.createAlertPolicy({
      name: `projects/${PROJECT}`,
      alertPolicy: {
        ...FOREIGN_POLICY,
        displayName: 'staging latency',
        userLabels: { managed_by: 'gwctl', gwctl_env: 'staging', gwctl_id: 'poweb-down' },
      },
    });
    const before = (await t.alertPolicies.listAlertPolicies({ name: `projects/${PROJECT}` }))[0].filter(
      (p) => p.userLabels?.gwctl_env !== 'test',
    );
    const p = await plan();
    expect(p.foreign).toEqual({ policies: 2, checks: 0 });
    await applyMonitoringPlan(admin, p.plan);
    // Disabling everything gwctl owns deletes gwctl's policies only.
    const none = environment(t, {
      endpoints: {},
      buckets: {},
      monitoring: {
        alerting: {
          notificationChannels: ['oncall'],
          disable: [
            'poweb-delivery-latency',
            'pohttp-delivery-latency',
            'backend-5xx-ratio',
            'poweb-collections-cut',
            'cogrpc-cold-starts',
          ],
        },
      },
    });
    await applyMonitoringPlan(admin, (await plan(none)).plan);
    const after = (await t.alertPolicies.listAlertPolicies({ name: `projects/${PROJECT}` }))[0];
    expect(after).toEqual(before);
    expect(after.map((p) => p.name)).toContain(otherEnv.name);
    expect((await t.uptimeChecks.listUptimeCheckConfigs({ parent: `projects/${PROJECT}` }))[0]).toEqual([]);
  });

  it('stops before creating anything when a notification channel is missing from the project', async () => {
    const wrong = environment(t, { monitoring: { alerting: { notificationChannels: ['oncall', 'pager'] } } });
    await expect(plan(wrong)).rejects.toThrow(UsageError);
    await expect(plan(wrong)).rejects.toThrow(
      /"pager" does not exist in project gwctl-test.*gwctl does not create channels/,
    );
    expect(mutating()).toEqual([]);
  });

  it('accepts a channel by id as well as by display name', async () => {
    const [[channel]] = await t.channels.listNotificationChannels({ name: `projects/${PROJECT}` });
    const byId = environment(t, {
      monitoring: { alerting: { notificationChannels: [channel!.name!.split('/').pop()!] } },
    });
    await apply(byId);
    expect((await ownedPolicies()).every((p) => p.notificationChannels?.[0] === channel!.name)).toBe(true);
  });

  it('replaces an uptime check whose host changed (the API cannot update it) and points its policy at the new one', async () => {
    await apply();
    const moved = environment(t, {
      endpoints: { poweb: 'https://127.0.0.2:8443', pohttp: 'https://127.0.0.1:9443', cogrpc: '127.0.0.1:7443' },
    });
    const p = await plan(moved);
    expect(p.plan.steps.map((s) => s.action)).toEqual(['create-check', 'update-policy', 'delete-check']);
    await applyMonitoringPlan(admin, p.plan);
    const [checks] = await t.uptimeChecks.listUptimeCheckConfigs({ parent: `projects/${PROJECT}` });
    const poweb = checks.find((c) => c.userLabels?.gwctl_id === 'poweb')!;
    expect(poweb.monitoredResource?.labels?.host).toBe('127.0.0.2');
    const down = (await ownedPolicies()).find((x) => x.userLabels?.gwctl_id === 'poweb-down')!;
    expect(down.conditions?.[0]?.conditionThreshold?.filter).toContain(poweb.name!.split('/').pop());
    expect((await plan(moved)).plan.steps).toEqual([]);
  });

  it('fails with the API status when Cloud Monitoring is unavailable, and a re-run finishes the job', async () => {
    const p = await plan();
    t.standIn.faults.set({ p503: 1 });
    await expect(applyMonitoringPlan(admin, p.plan)).rejects.toThrow(/UNAVAILABLE/);
    t.standIn.faults.set({});
    await apply();
    expect((await plan()).plan.steps).toEqual([]);
  });
});

describe('monitoring apply cut off half way', () => {
  it('leaves no duplicate, and the next apply creates only what is missing', async () => {
    const p = await plan();
    // Calls 1–5 of the apply succeed, the 6th is refused (UNAVAILABLE) and creates are not retried.
    let call = 0;
    t.standIn.faults.decide = function () {
      return ++call === 6 ? '503' : undefined;
    };
    await expect(applyMonitoringPlan(admin, p.plan)).rejects.toThrow(/UNAVAILABLE/);
    t.standIn.faults.decide = () => undefined;
    const resumed = await plan();
    expect(resumed.plan.steps.every((s) => s.action.startsWith('create'))).toBe(true);
    expect(resumed.plan.steps).toHaveLength(12 - 5);
    await applyMonitoringPlan(admin, resumed.plan);
    const ids = (await ownedPolicies()).map((x) => x.userLabels?.gwctl_id);
    expect(new Set(ids).size).toBe(ids.length);
    expect((await plan()).plan.steps).toEqual([]);
  });
});
