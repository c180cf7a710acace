import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openMonitoringAdmin, type MonitoringAdmin } from '../../src/lib/cloud/monitoring-admin.js';
import type { Environment } from '../../src/lib/config/schema.js';
import { applyMonitoringPlan, readLiveMonitoring } from '../../src/lib/monitoring/apply.js';
import { planMonitoring } from '../../src/lib/monitoring/plan.js';
import { monitoringStatus } from '../../src/lib/monitoring/status.js';
import { createLocalCa } from '@gwctl/emulators/ca';
import type { MonitoringTarget } from '@gwctl/emulators/testing';
import { environment, startProject } from './harness.js';

let t: MonitoringTarget;
let admin: MonitoringAdmin;
let env: Environment;
let poweb: Server;

beforeAll(async () => {
  // PoWeb answers GET / with 200 (as the real one does); nothing listens where CogRPC should be.
  const ca = await createLocalCa();
  poweb = createServer({ key: ca.keyPem, cert: ca.certPem }, (_req, res) => res.end('Success! It works.'));
  await new Promise<void>((r) => poweb.listen(0, '127.0.0.1', r));
  t = await startProject({ uptimeCa: ca.caPem });
  env = environment(t, {
    endpoints: { poweb: `https://localhost:${(poweb.address() as AddressInfo).port}`, cogrpc: '127.0.0.1:1' },
  });
  admin = await openMonitoringAdmin(env);
  await applyMonitoringPlan(admin, planMonitoring(env, await readLiveMonitoring(admin), admin.canonical).plan);
});
afterAll(async () => {
  await admin.close();
  await t.close();
  poweb.close();
});

const status = async () =>
  monitoringStatus(
    env.name,
    env.project,
    planMonitoring(env, await readLiveMonitoring(admin), admin.canonical, { readOnly: true }),
    await admin.uptimeResults(new Date(Date.now() - 1_200_000)),
  );

describe('monitoring status: which alerts fire, from the uptime results Cloud Monitoring wrote', () => {
  it('has no uptime results before the first checks ran', async () => {
    const s = await status();
    expect(s.rows.find((r) => r.id === 'poweb')).toMatchObject({ firing: 'unknown', results: [] });
    expect(s.drift).toBe(false);
  });

  it('shows PoWeb up and CogRPC down (firing) once the checks ran, read back through MetricService', async () => {
    await t.standIn.runUptimeChecks();
    const s = await status();
    const row = (id: string) => s.rows.find((r) => r.id === id)!;
    expect(row('poweb').results?.map((r) => r.passed)).toEqual([true, true, true]);
    expect(row('poweb-down').firing).toBe('no');
    expect(row('cogrpc').results?.every((r) => !r.passed)).toBe(true);
    expect(row('cogrpc-down').firing).toBe('yes');
    // Metric-based policies: the API has no open-incident method.
    expect(row('poweb-delivery-latency').firing).toBe('unknown');
    expect(s.firing).toBe(true);
  });

  it('still reports when the notification channel was deleted in the console, with a warning and drift', async () => {
    const [[channel]] = await t.channels.listNotificationChannels({ name: `projects/${env.project}` });
    await t.channels.deleteNotificationChannel({ name: channel!.name!, force: true });
    const s = await status();
    expect(s.warnings.join('\n')).toMatch(/"oncall" does not exist/);
    expect(s.drift).toBe(true);
  });
});
