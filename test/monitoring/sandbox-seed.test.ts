import { afterAll, beforeAll, expect, it } from 'vitest';
import { openMonitoringAdmin, type MonitoringAdmin } from '../../src/lib/cloud/monitoring-admin.js';
import { readLiveMonitoring } from '../../src/lib/monitoring/apply.js';
import { planMonitoring } from '../../src/lib/monitoring/plan.js';
import { sandboxEnvironmentAt } from '../../src/lib/sandbox/environment.js';
import { SANDBOX_MONITORING } from '../../src/lib/sandbox/seed-monitoring.js';
import { startMonitoringTarget, type MonitoringTarget } from '@gwctl/emulators/testing';
import { tempDir } from '../helpers/cli.js';

let t: MonitoringTarget;
let admin: MonitoringAdmin;
/** The sandbox environment as a running sandbox gives it, its Cloud Monitoring being this stand-in. */
const sandboxEnv = () =>
  sandboxEnvironmentAt(tempDir(), {
    gcs: 'http://127.0.0.1:1',
    kube: 'http://127.0.0.1:1',
    mongodb: 'mongodb://127.0.0.1:1',
    firestore: '127.0.0.1:1',
    monitoring: t.address,
    cloudbuild: '127.0.0.1:1',
  });

beforeAll(async () => {
  // The seed goes through the emulator's own validation: a seed the API would refuse fails here.
  t = await startMonitoringTarget({ project: 'gwctl-sandbox', seed: SANDBOX_MONITORING });
  admin = await openMonitoringAdmin(sandboxEnv());
});
afterAll(async () => {
  await admin.close();
  await t.close();
});

it('the sandbox project has the channel the sandbox environment names, and one policy that is not gwctl’s', async () => {
  const env = sandboxEnv();
  const mp = planMonitoring(env, await readLiveMonitoring(admin), admin.canonical);
  expect(mp.foreign).toEqual({ policies: 1, checks: 0 });
  expect(mp.plan.warnings).toEqual([]);
  const [channel] = (await t.channels.listNotificationChannels({ name: 'projects/gwctl-sandbox' }))[0];
  const create = mp.plan.steps.find((s) => s.action === 'create-policy')!;
  expect((create.detail as { body: { notificationChannels: string[] } }).body.notificationChannels).toEqual([
    channel!.name,
  ]);
});
