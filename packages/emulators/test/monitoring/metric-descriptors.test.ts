import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMonitoringTarget, type MonitoringTarget } from '../../src/testing/index.js';

// MetricService.GetMetricDescriptor: https://cloud.google.com/monitoring/api/ref_v3/rest/v3/projects.metricDescriptors/get
// (name `projects/{project}/metricDescriptors/{metric type}`; the answer is google/api/metric.proto's MetricDescriptor).
// The kinds, value types, units and labels are Google's metric lists: https://cloud.google.com/monitoring/api/metrics_gcp
let t: MonitoringTarget;

beforeAll(async () => {
  t = await startMonitoringTarget();
});
afterAll(() => t.close());

describe('Monitoring stand-in: metric descriptors', () => {
  it('describes the load balancer metric gwctl reads, with the kind, value type and labels Google documents', async () => {
    const name = `projects/${t.project}/metricDescriptors/loadbalancing.googleapis.com/https/total_latencies`;
    const [d] = await t.metrics.getMetricDescriptor({ name });
    expect(d).toMatchObject({
      name,
      type: 'loadbalancing.googleapis.com/https/total_latencies',
      metricKind: 'DELTA',
      valueType: 'DISTRIBUTION',
      unit: 'ms',
      monitoredResourceTypes: ['https_lb_rule'],
    });
    expect(d.labels?.map((l) => l.key)).toContain('response_code_class');
  });

  it('answers NOT_FOUND (gRPC 5) for a metric type that does not exist', async () => {
    const name = `projects/${t.project}/metricDescriptors/loadbalancing.googleapis.com/https/total_latency`;
    await expect(t.metrics.getMetricDescriptor({ name })).rejects.toMatchObject({ code: 5 });
  });

  it('records the call like every other', async () => {
    const name = `projects/${t.project}/metricDescriptors/monitoring.googleapis.com/uptime_check/check_passed`;
    await t.metrics.getMetricDescriptor({ name });
    expect(t.log.list({ service: 'monitoring' }).map((r) => r.path)).toContain(
      '/google.monitoring.v3.MetricService/GetMetricDescriptor',
    );
  });
});
