import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMonitoringTarget, type MonitoringTarget } from '../../src/testing/index.js';

let t: MonitoringTarget;
const parent = () => `projects/${t.project}`;
const codeOf = (p: Promise<unknown>) =>
  p.then(
    () => 0,
    (e: { code?: number }) => e.code,
  );
const httpsCheck = () => ({
  displayName: 'PoWeb',
  monitoredResource: { type: 'uptime_url', labels: { project_id: 'gwctl-test', host: 'poweb.example' } },
  httpCheck: { useSsl: true },
  timeout: { seconds: 10 },
  userLabels: { managed_by: 'gwctl' },
});

beforeAll(async () => {
  t = await startMonitoringTarget({
    seed: {
      project: 'gwctl-test',
      notificationChannels: [
        { type: 'email', displayName: 'sandbox-oncall', labels: { email_address: 'oncall@example.com' } },
      ],
    },
  });
});
afterAll(() => t.close());

describe('UptimeCheckService, through the real @google-cloud/monitoring client', () => {
  it('creates a check with the documented defaults filled in', async () => {
    // uptime.proto: checker_type "converted to STATIC_IP_CHECKERS on creation"; period "defaults to 60s"; path
    // "defaults to /"; port "defaults to … 443 when use_ssl is true"; request_method unspecified means GET.
    const [c] = await t.uptimeChecks.createUptimeCheckConfig({ parent: parent(), uptimeCheckConfig: httpsCheck() });
    expect(c.name).toMatch(/^projects\/gwctl-test\/uptimeCheckConfigs\/poweb-[0-9a-f]{8}$/);
    expect(c.checkerType).toBe('STATIC_IP_CHECKERS');
    expect(c.period?.seconds).toBe('60');
    expect(c.httpCheck).toMatchObject({ path: '/', port: 443, requestMethod: 'GET' });
  });

  it('updates the fields the API lets an update change, and refuses the others (INVALID_ARGUMENT)', async () => {
    const [c] = await t.uptimeChecks.createUptimeCheckConfig({ parent: parent(), uptimeCheckConfig: httpsCheck() });
    const [u] = await t.uptimeChecks.updateUptimeCheckConfig({
      uptimeCheckConfig: { name: c.name, timeout: { seconds: 20 } },
      updateMask: { paths: ['timeout'] },
    });
    expect(u.timeout?.seconds).toBe('20');
    expect(u.displayName).toBe('PoWeb');
    // UpdateUptimeCheckConfigRequest lists the updatable fields; the monitored resource is not one of them.
    expect(
      await codeOf(
        t.uptimeChecks.updateUptimeCheckConfig({
          uptimeCheckConfig: { name: c.name, monitoredResource: { type: 'uptime_url', labels: { host: 'x' } } },
          updateMask: { paths: ['monitored_resource'] },
        }),
      ),
    ).toBe(3);
  });

  it('refuses a check without a timeout, with an unsupported period, or with both HTTP and TCP', async () => {
    const { timeout: _timeout, ...noTimeout } = httpsCheck();
    expect(
      await codeOf(t.uptimeChecks.createUptimeCheckConfig({ parent: parent(), uptimeCheckConfig: noTimeout })),
    ).toBe(3);
    expect(
      await codeOf(
        t.uptimeChecks.createUptimeCheckConfig({
          parent: parent(),
          uptimeCheckConfig: { ...httpsCheck(), period: { seconds: 120 } },
        }),
      ),
    ).toBe(3);
    expect(
      await codeOf(
        t.uptimeChecks.createUptimeCheckConfig({
          parent: parent(),
          uptimeCheckConfig: { ...httpsCheck(), tcpCheck: { port: 443 } },
        }),
      ),
    ).toBe(3);
  });

  it('deletes, then answers NOT_FOUND', async () => {
    const [c] = await t.uptimeChecks.createUptimeCheckConfig({ parent: parent(), uptimeCheckConfig: httpsCheck() });
    await t.uptimeChecks.deleteUptimeCheckConfig({ name: c.name! });
    expect(await codeOf(t.uptimeChecks.getUptimeCheckConfig({ name: c.name! }))).toBe(5);
  });

  it('lists the checker IPs', async () => {
    const [ips] = await t.uptimeChecks.listUptimeCheckIps({});
    expect(ips.length).toBeGreaterThanOrEqual(3);
  });

  it('runs only loopback checks and writes check_passed as a GAUGE BOOL on uptime_url', async () => {
    const [c] = await t.uptimeChecks.createUptimeCheckConfig({
      parent: parent(),
      uptimeCheckConfig: {
        displayName: 'nothing listens here',
        monitoredResource: { type: 'uptime_url', labels: { project_id: 'gwctl-test', host: '127.0.0.1' } },
        tcpCheck: { port: 1 },
        timeout: { seconds: 2 },
      },
    });
    await t.standIn.runUptimeChecks();
    const now = Math.floor(Date.now() / 1000);
    const [series] = await t.metrics.listTimeSeries({
      name: parent(),
      filter: 'metric.type = "monitoring.googleapis.com/uptime_check/check_passed" AND resource.type = "uptime_url"',
      interval: { startTime: { seconds: now - 600 }, endTime: { seconds: now + 1 } },
    });
    const id = c.name!.split('/').pop();
    const mine = series.filter((s) => s.metric?.labels?.check_id === id);
    expect(mine.map((s) => s.metric?.labels?.checker_location).sort()).toEqual([
      'apac-singapore',
      'eur-belgium',
      'usa-iowa',
    ]);
    expect(mine[0]).toMatchObject({ metricKind: 'GAUGE', valueType: 'BOOL', resource: { type: 'uptime_url' } });
    expect(mine.every((s) => s.points?.[0]?.value?.boolValue === false)).toBe(true);
    // poweb.example is not on this machine: never probed.
    expect(series.every((s) => s.resource?.labels?.host === '127.0.0.1')).toBe(true);
  });
});

describe('NotificationChannelService, through the real @google-cloud/monitoring client', () => {
  it('lists the seeded channel and finds it by display name with a filter', async () => {
    const [found] = await t.channels.listNotificationChannels({
      name: parent(),
      filter: 'display_name = "sandbox-oncall"',
    });
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({
      type: 'email',
      labels: { email_address: 'oncall@example.com' },
      enabled: { value: true },
    });
    expect(found[0]!.name).toMatch(/^projects\/gwctl-test\/notificationChannels\/\d+$/);
  });

  it('describes the channel types and the labels each needs', async () => {
    const [descriptors] = await t.channels.listNotificationChannelDescriptors({ name: parent() });
    expect(descriptors.find((d) => d.type === 'email')?.labels?.map((l) => l.key)).toEqual(['email_address']);
  });

  it('creates, updates with a mask, and will not delete a channel a policy uses unless forced', async () => {
    const [c] = await t.channels.createNotificationChannel({
      name: parent(),
      notificationChannel: { type: 'slack', displayName: 'alerts', labels: { channel_name: '#alerts' } },
    });
    const [u] = await t.channels.updateNotificationChannel({
      notificationChannel: { name: c.name, displayName: 'gateway alerts' },
      updateMask: { paths: ['display_name'] },
    });
    expect(u).toMatchObject({ displayName: 'gateway alerts', labels: { channel_name: '#alerts' } });
    const [policy] = await t.alertPolicies.createAlertPolicy({
      name: parent(),
      alertPolicy: {
        displayName: 'uses the channel',
        notificationChannels: [c.name!],
        combiner: 'OR',
        conditions: [
          {
            displayName: 'c',
            conditionAbsent: {
              filter: 'metric.type = "kubernetes.io/container/uptime" AND resource.type = "k8s_container"',
              duration: { seconds: 300 },
            },
          },
        ],
      },
    });
    // DeleteNotificationChannelRequest.force: "If false, this operation will fail if the notification channel is
    // referenced by existing alerting policies"; if true "the policies will be updated to remove the channel".
    expect(await codeOf(t.channels.deleteNotificationChannel({ name: c.name! }))).toBe(9);
    await t.channels.deleteNotificationChannel({ name: c.name!, force: true });
    expect(await codeOf(t.channels.getNotificationChannel({ name: c.name! }))).toBe(5);
    expect((await t.alertPolicies.getAlertPolicy({ name: policy.name! }))[0].notificationChannels).toEqual([]);
  });

  it('refuses a channel type that does not exist or lacks its label', async () => {
    expect(
      await codeOf(
        t.channels.createNotificationChannel({
          name: parent(),
          notificationChannel: { type: 'carrier_pigeon', displayName: 'x' },
        }),
      ),
    ).toBe(3);
    expect(
      await codeOf(
        t.channels.createNotificationChannel({
          name: parent(),
          notificationChannel: { type: 'email', displayName: 'x' },
        }),
      ),
    ).toBe(3);
  });
});

describe('recording and faults, like every emulator', () => {
  it('records each call with its gRPC method and status; List and Get do not count as mutating', async () => {
    t.log.clear();
    await t.alertPolicies.listAlertPolicies({ name: parent() });
    await codeOf(t.alertPolicies.getAlertPolicy({ name: `${parent()}/alertPolicies/1` }));
    await codeOf(t.alertPolicies.deleteAlertPolicy({ name: `${parent()}/alertPolicies/1` }));
    expect(t.log.list().map((r) => [r.path, r.status])).toEqual([
      ['/google.monitoring.v3.AlertPolicyService/ListAlertPolicies', 0],
      ['/google.monitoring.v3.AlertPolicyService/GetAlertPolicy', 5],
      ['/google.monitoring.v3.AlertPolicyService/DeleteAlertPolicy', 5],
    ]);
    expect(t.log.mutating().map((r) => r.path)).toEqual(['/google.monitoring.v3.AlertPolicyService/DeleteAlertPolicy']);
  });

  it('answers RESOURCE_EXHAUSTED or UNAVAILABLE when a fault is injected, and changes nothing', async () => {
    t.standIn.faults.set({ p429: 1 });
    const before = await codeOf(
      t.channels.createNotificationChannel(
        {
          name: parent(),
          notificationChannel: { type: 'email', displayName: 'x', labels: { email_address: 'x@example.com' } },
        },
        // Create is not retried by the library (not idempotent), so the fault surfaces at once.
      ),
    );
    t.standIn.faults.set({});
    expect(before).toBe(8);
    const [all] = await t.channels.listNotificationChannels({ name: parent(), filter: 'display_name = "x"' });
    expect(all).toEqual([]);
  });
});
