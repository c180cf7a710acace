import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openMonitoring, type MonitoringReader } from '../../src/lib/cloud/monitoring.js';
import { distributionPercentile } from '../../src/lib/stats/distribution.js';
import { lbFilter, LB_METRIC_TYPES, probeMonitoring } from '../../src/lib/diagnose/monitoring-probe.js';
import { type MonitoringStandIn, scenarioRequests, startMonitoringStandIn } from '@gwctl/emulators/monitoring';
import { environmentFor } from './fixtures.js';

let standIn: MonitoringStandIn;
let reader: MonitoringReader;
const lastHour = () => ({ since: new Date(Date.now() - 3_600_000), until: new Date() });
const incident = {
  requests: 2000,
  backendMs: { p50: 40, p99: 200 },
  totalMs: { p50: 60, p99: 31_000 },
  responseCodes: { 401: 0.97, 502: 0.03 },
};

beforeAll(async () => {
  standIn = await startMonitoringStandIn({ lb: { projectId: 'gwctl-test' }, scenario: incident });
  reader = await openMonitoring(
    environmentFor({ poweb: '', cogrpc: '', monitoring: standIn.address, lb: standIn.lb }, ''),
  );
});
afterAll(async () => {
  await reader.close();
  await standIn.close();
});

/** The bucket of the LB's ×1.4 layout that holds `ms`: what a percentile read from buckets can promise. */
const sameBucket = (ms: number) => {
  const i = Math.floor(Math.log(ms) / Math.log(1.4));
  return [1.4 ** i, 1.4 ** (i + 1)] as const;
};

describe('the Cloud Monitoring stand-in, through the real @google-cloud/monitoring client', () => {
  it('returns the scenario’s latency percentiles, each within the bucket that holds the true value', async () => {
    const result = await probeMonitoring(
      reader,
      { urlMaps: [standIn.lb.urlMap], forwardingRules: [], backendServices: [] },
      lastHour(),
    );
    expect(result.total?.requests).toBe(2000);
    for (const [measured, truth] of [
      [result.backend?.p50?.valueMs, 40],
      [result.backend?.p99?.valueMs, 200],
      [result.total?.p50?.valueMs, 60],
      [result.total?.p99?.valueMs, 31_000],
    ] as const) {
      const [low, high] = sameBucket(truth);
      expect(measured).toBeGreaterThanOrEqual(low * 0.999);
      expect(measured).toBeLessThanOrEqual(high * 1.001);
    }
    expect(result.requestsByClass).toEqual({ 400: 1940, 500: 60 });
  });

  it('answers only for the load balancer the filter names', async () => {
    const other = await probeMonitoring(
      reader,
      { urlMaps: ['some-other-lb'], forwardingRules: [], backendServices: [] },
      lastHour(),
    );
    expect(other.total).toBeUndefined();
    expect(other.requestsByClass).toEqual({});
  });

  it('selects the load balancer by its backend service, the https_lb_rule label backend_target_name', async () => {
    // https://cloud.google.com/monitoring/api/resources#tag_https_lb_rule has no backend_service_name label.
    const lb = { urlMaps: [], forwardingRules: [], backendServices: [standIn.lb.backendService] };
    expect(lbFilter(lb)).toContain(`resource.labels.backend_target_name = one_of("${standIn.lb.backendService}")`);
    const result = await probeMonitoring(reader, lb, lastHour());
    expect(result.total?.requests).toBe(2000);
  });

  it('records what the PoWeb stand-in serves next to the scenario', async () => {
    standIn.setScenario(undefined);
    for (const totalMs of [10, 20, 5000])
      standIn.record({ time: new Date(), totalMs, backendMs: 8, responseCode: 401 });
    const d = await reader.sumDistribution({
      metricType: LB_METRIC_TYPES.total,
      filter: lbFilter({ urlMaps: [standIn.lb.urlMap], forwardingRules: [], backendServices: [] }),
      ...lastHour(),
    });
    expect(d?.count).toBe(3);
    expect(distributionPercentile(d!, 99)!.lowMs).toBeGreaterThan(3000);
    standIn.setScenario(incident);
  });

  it('refuses a malformed filter as the API does, with INVALID_ARGUMENT', async () => {
    await expect(
      reader.sumDistribution({
        metricType: LB_METRIC_TYPES.total,
        filter: 'resource.labels.url_map_name = starts_with(',
        ...lastHour(),
      }),
    ).rejects.toThrow(/^INVALID_ARGUMENT: Field filter had an invalid value/);
  });

  it('synthesises traffic with exactly the percentiles asked for', () => {
    const requests = scenarioRequests(
      { requests: 1000, backendMs: { p50: 40, p99: 200 }, totalMs: { p50: 60, p99: 31_000 } },
      Date.UTC(2026, 0, 1),
    );
    const sorted = requests.map((r) => r.totalMs).sort((a, b) => a - b);
    expect(sorted[499]).toBeCloseTo(60, 0);
    expect(sorted[989]).toBeGreaterThan(30_000);
    expect(requests.every((r) => r.totalMs >= (r.backendMs ?? 0))).toBe(true);
  });
});
