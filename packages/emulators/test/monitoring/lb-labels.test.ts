import { MetricServiceClient } from '@google-cloud/monitoring';
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMonitoringStandIn, type MonitoringStandIn } from '../../src/monitoring/index.js';

let standIn: MonitoringStandIn;
let client: MetricServiceClient;
const project = 'gwctl-test';
const TOTAL = 'loadbalancing.googleapis.com/https/total_latencies';

beforeAll(async () => {
  standIn = await startMonitoringStandIn({
    lb: { projectId: project, backendService: 'k8s1-abcd-default-public-gateway-poweb-80-efgh' },
    scenario: { requests: 100, backendMs: { p50: 40, p99: 200 }, totalMs: { p50: 60, p99: 300 } },
  });
  client = new MetricServiceClient({
    servicePath: '127.0.0.1',
    apiEndpoint: '127.0.0.1',
    port: standIn.port,
    sslCreds: grpc.credentials.createInsecure(),
    projectId: project,
    universeDomain: 'googleapis.com',
  });
});
afterAll(async () => {
  await client.close();
  await standIn.close();
});

const list = (filter: string) =>
  client.listTimeSeries(
    {
      name: `projects/${project}`,
      filter: `metric.type = "${TOTAL}" AND ${filter}`,
      interval: {
        startTime: { seconds: Math.floor(Date.now() / 1000) - 3600 },
        endTime: { seconds: Date.now() / 1000 },
      },
      view: 'HEADERS',
    },
    { maxRetries: 0 },
  );

describe('the https_lb_rule labels, through the real @google-cloud/monitoring client', () => {
  it('labels each series with the resource’s documented labels, and no invented ones', async () => {
    // https://cloud.google.com/monitoring/api/resources#tag_https_lb_rule: the backend service is `backend_target_name`;
    // there is no `backend_service_name`.
    const [series] = await list('resource.type = "https_lb_rule"');
    const labels = series[0]!.resource!.labels!;
    expect(Object.keys(labels).sort()).toEqual(
      [
        'backend_name',
        'backend_scope',
        'backend_scope_type',
        'backend_target_name',
        'backend_target_type',
        'backend_type',
        'forwarding_rule_name',
        'matched_url_path_rule',
        'project_id',
        'region',
        'target_proxy_name',
        'url_map_name',
      ].sort(),
    );
    expect(labels).toMatchObject({
      backend_target_name: 'k8s1-abcd-default-public-gateway-poweb-80-efgh',
      backend_target_type: 'BACKEND_SERVICE',
    });
    // https://cloud.google.com/monitoring/api/metrics_gcp#gcp-loadbalancing: the https/* metric labels.
    expect(Object.keys(series[0]!.metric!.labels!)).toEqual(
      expect.arrayContaining(['response_code', 'response_code_class', 'proxy_continent', 'cache_result']),
    );
  });

  it('selects the backend service by backend_target_name', async () => {
    const [series] = await list(
      'resource.labels.backend_target_name = "k8s1-abcd-default-public-gateway-poweb-80-efgh"',
    );
    expect(series.length).toBeGreaterThan(0);
    const [none] = await list('resource.labels.backend_target_name = "another-backend"');
    expect(none).toEqual([]);
  });

  it('refuses a filter on a label the resource does not have, as the API refuses a filter no series can match', async () => {
    // Undocumented for an unknown label; the documented-closest answer is the API's 400 INVALID_ARGUMENT for a filter
    // whose metric and resource descriptors cannot match (prometheus-community/stackdriver_exporter#104), rather than
    // an empty list that would let a misspelt label pass as "no traffic".
    for (const filter of [
      'resource.labels.backend_service_name = "gateway-sandbox-poweb"',
      'metric.labels.backend_service_name = "gateway-sandbox-poweb"',
      'resource.type = "gce_instance"',
    ])
      await expect(list(filter)).rejects.toMatchObject({
        code: grpc.status.INVALID_ARGUMENT,
        details:
          'The supplied filter does not specify a valid combination of metric and monitored resource descriptors. The query will not return any time series.',
      });
  });

  it('words a filter it cannot parse as the API does: Field filter had an invalid value of "…"', async () => {
    // https://cloud.google.com/monitoring/api/troubleshooting ("Field filter had an invalid value"); the full shape
    // `… of "<filter>": <reason>` as prometheus-community/stackdriver_exporter#52 quotes it.
    await expect(list('resource.labels.url_map_name = starts_with(')).rejects.toMatchObject({
      code: grpc.status.INVALID_ARGUMENT,
      details: expect.stringMatching(/^Field filter had an invalid value of "metric\.type = .*": /),
    });
  });
});
