import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMonitoringTarget, type MonitoringTarget } from '../../src/testing/index.js';

let t: MonitoringTarget;
const parent = () => `projects/${t.project}`;
const codeOf = (p: Promise<unknown>) =>
  p.then(
    () => 0,
    (e: { code?: number }) => e.code,
  );

/** A latency policy as Google's samples write them (alert.proto MetricThreshold; LB metrics page). */
const latencyPolicy = () => ({
  displayName: 'PoWeb delivery latency',
  userLabels: { managed_by: 'gwctl' },
  combiner: 'OR' as const,
  conditions: [
    {
      displayName: 'p99 over 1 s',
      conditionThreshold: {
        filter:
          'metric.type = "loadbalancing.googleapis.com/https/total_latencies" AND resource.type = "https_lb_rule" AND resource.labels.backend_target_name = has_substring("poweb")',
        aggregations: [
          {
            alignmentPeriod: { seconds: 60 },
            perSeriesAligner: 'ALIGN_DELTA' as const,
            crossSeriesReducer: 'REDUCE_PERCENTILE_99' as const,
            groupByFields: ['resource.label.backend_target_name'],
          },
        ],
        comparison: 'COMPARISON_GT' as const,
        thresholdValue: 1000,
        duration: { seconds: 300 },
      },
    },
  ],
});

beforeAll(async () => {
  t = await startMonitoringTarget({
    seed: {
      project: 'gwctl-test',
      notificationChannels: [{ type: 'email', displayName: 'oncall', labels: { email_address: 'oncall@example.com' } }],
    },
  });
});
afterAll(() => t.close());

describe('AlertPolicyService, through the real @google-cloud/monitoring client', () => {
  it('creates a policy with a server-assigned name and condition names, enabled by default', async () => {
    // alert.proto: name is "projects/[PROJECT_ID_OR_NUMBER]/alertPolicies/[ALERT_POLICY_ID]", assigned on create;
    // conditions get "…/conditions/[CONDITION_ID]"; enabled defaults to true on write.
    const [created] = await t.alertPolicies.createAlertPolicy({ name: parent(), alertPolicy: latencyPolicy() });
    expect(created.name).toMatch(/^projects\/gwctl-test\/alertPolicies\/\d+$/);
    expect(created.conditions?.[0]?.name).toMatch(new RegExp(`^${created.name}/conditions/\\d+$`));
    expect(created.enabled?.value).toBe(true);
    expect(created.creationRecord?.mutateTime).toBeTruthy();
    const [got] = await t.alertPolicies.getAlertPolicy({ name: created.name! });
    expect(got.displayName).toBe('PoWeb delivery latency');
    expect(got.conditions?.[0]?.conditionThreshold?.duration?.seconds).toBe('300');
  });

  it('lists with a filter on user labels, pages, and orders by display name', async () => {
    // sorting-and-filtering: `user_label.KEY = "value"`, order_by `display_name`, page_size/page_token.
    await t.alertPolicies.createAlertPolicy({
      name: parent(),
      alertPolicy: { ...latencyPolicy(), displayName: 'A foreign policy', userLabels: { team: 'other' } },
    });
    const [mine] = await t.alertPolicies.listAlertPolicies({
      name: parent(),
      filter: 'user_labels.managed_by = "gwctl"',
    });
    expect(mine.map((p) => p.displayName)).toEqual(['PoWeb delivery latency']);
    const [ordered] = await t.alertPolicies.listAlertPolicies({ name: parent(), orderBy: 'display_name' });
    expect(ordered[0]?.displayName).toBe('A foreign policy');
    const [firstPage, next] = await t.alertPolicies.listAlertPolicies(
      { name: parent(), pageSize: 1 },
      { autoPaginate: false },
    );
    expect(firstPage).toHaveLength(1);
    expect(next?.pageToken).toBeTruthy();
  });

  it('updates only the fields of the update mask, and replaces the policy without one', async () => {
    const [created] = await t.alertPolicies.createAlertPolicy({ name: parent(), alertPolicy: latencyPolicy() });
    // UpdateAlertPolicyRequest: "each listed field … is set to the value of the corresponding field in the supplied
    // policy … Fields not listed retain their previous value".
    const [renamed] = await t.alertPolicies.updateAlertPolicy({
      alertPolicy: { name: created.name, displayName: 'renamed', combiner: 'AND' },
      updateMask: { paths: ['display_name'] },
    });
    expect(renamed.displayName).toBe('renamed');
    expect(renamed.combiner).toBe('OR');
    expect(renamed.conditions?.[0]?.name).toBe(created.conditions?.[0]?.name);
    // A condition sent back with its name keeps it; without a mask the policy is replaced.
    const [replaced] = await t.alertPolicies.updateAlertPolicy({
      alertPolicy: {
        ...latencyPolicy(),
        name: created.name,
        conditions: [{ ...latencyPolicy().conditions[0], name: created.conditions![0]!.name }],
      },
    });
    expect(replaced.displayName).toBe('PoWeb delivery latency');
    expect(replaced.conditions?.[0]?.name).toBe(created.conditions?.[0]?.name);
    expect(replaced.mutationRecord?.mutateTime).toBeTruthy();
    expect(
      await codeOf(
        t.alertPolicies.updateAlertPolicy({
          alertPolicy: { name: created.name, displayName: 'x' },
          updateMask: { paths: ['no_such_field'] },
        }),
      ),
    ).toBe(3); // INVALID_ARGUMENT
  });

  it('answers NOT_FOUND for a policy that does not exist, and INVALID_ARGUMENT for a malformed name', async () => {
    expect(await codeOf(t.alertPolicies.getAlertPolicy({ name: `${parent()}/alertPolicies/123` }))).toBe(5);
    expect(await codeOf(t.alertPolicies.deleteAlertPolicy({ name: `${parent()}/alertPolicies/123` }))).toBe(5);
    expect(await codeOf(t.alertPolicies.getAlertPolicy({ name: 'alertPolicies/123' }))).toBe(3);
  });

  it('deletes a policy', async () => {
    const [created] = await t.alertPolicies.createAlertPolicy({ name: parent(), alertPolicy: latencyPolicy() });
    await t.alertPolicies.deleteAlertPolicy({ name: created.name! });
    expect(await codeOf(t.alertPolicies.getAlertPolicy({ name: created.name! }))).toBe(5);
  });

  describe('refuses what the API refuses (INVALID_ARGUMENT)', () => {
    const withCondition = (conditionThreshold: object) => ({
      ...latencyPolicy(),
      conditions: [
        {
          displayName: 'c',
          conditionThreshold: { ...latencyPolicy().conditions[0]!.conditionThreshold, ...conditionThreshold },
        },
      ],
    });
    const refused = async (alertPolicy: object) => {
      const err = await t.alertPolicies.createAlertPolicy({ name: parent(), alertPolicy }).then(
        () => undefined,
        (e: { code: number; details: string }) => e,
      );
      expect(err?.code).toBe(3);
      return err!.details;
    };

    it('a filter that does not parse', async () => {
      expect(
        await refused(
          withCondition({ filter: 'metric.type = "loadbalancing.googleapis.com/https/total_latencies" AND' }),
        ),
      ).toMatch(/condition_threshold\.filter/);
    });
    it('a metric type that does not exist', async () => {
      expect(
        await refused(
          withCondition({
            filter:
              'metric.type = "loadbalancing.googleapis.com/https/total_latency" AND resource.type = "https_lb_rule"',
          }),
        ),
      ).toMatch(/does not exist/);
    });
    it('a filter without resource.type ("must specify the metric type and the resource type", alert.proto)', async () => {
      expect(
        await refused(withCondition({ filter: 'metric.type = "loadbalancing.googleapis.com/https/total_latencies"' })),
      ).toMatch(/resource type/);
    });
    it('a label the monitored resource does not have', async () => {
      expect(
        await refused(
          withCondition({
            filter:
              'metric.type = "loadbalancing.googleapis.com/https/total_latencies" AND resource.type = "https_lb_rule" AND resource.labels.backend_service = "x"',
          }),
        ),
      ).toMatch(/no resource label "backend_service"/);
    });
    it('a percentile aligner on a count (common.proto: ALIGN_PERCENTILE_99 is for distributions)', async () => {
      expect(
        await refused(
          withCondition({
            filter:
              'metric.type = "loadbalancing.googleapis.com/https/request_count" AND resource.type = "https_lb_rule"',
            aggregations: [{ alignmentPeriod: { seconds: 60 }, perSeriesAligner: 'ALIGN_PERCENTILE_99' }],
          }),
        ),
      ).toMatch(/not valid for a DELTA INT64/);
    });
    it('a duration that is not whole minutes, and COMPARISON_GE (only GT and LT are supported)', async () => {
      expect(await refused(withCondition({ duration: { seconds: 90 } }))).toMatch(/multiple of 60/);
      expect(await refused(withCondition({ comparison: 'COMPARISON_GE' }))).toMatch(/COMPARISON_GT/);
    });
    it('a notification channel the project does not have', async () => {
      expect(
        await refused({ ...latencyPolicy(), notificationChannels: [`${parent()}/notificationChannels/42`] }),
      ).toMatch(/notification_channels/);
    });
    it('user labels with capitals', async () => {
      expect(await refused({ ...latencyPolicy(), userLabels: { Team: 'x' } })).toMatch(/user_labels/);
    });
  });
});
