import { MetricServiceClient } from '@google-cloud/monitoring';
import type { Storage } from '@google-cloud/storage';
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGcsEmulator, type GcsEmulator } from '../../src/gcs/index.js';
import { startMonitoringStandIn, STORAGE_METRICS, type MonitoringStandIn } from '../../src/monitoring/index.js';
import { gcsClient } from '../../src/testing/index.js';

const project = 'relaycorp-gateway-test';
let gcs: GcsEmulator;
let storage: Storage;
let standIn: MonitoringStandIn;
let client: MetricServiceClient;

beforeAll(async () => {
  gcs = await startGcsEmulator();
  storage = gcsClient(gcs.url);
  await storage.createBucket('parcels', { location: 'EUROPE-WEST1' });
  await storage.createBucket('vault', { location: 'EUROPE-WEST1', versioning: { enabled: true } });
  await storage.createBucket('empty', { location: 'EUROPE-WEST1' });
  for (let i = 0; i < 5; i++) await storage.bucket('parcels').file(`p${i}`).save('x'.repeat(100), { resumable: false });
  await storage.bucket('vault').file('core/_keyring').save('v1', { resumable: false });
  await storage.bucket('vault').file('core/_keyring').save('v2-', { resumable: false });
  standIn = await startMonitoringStandIn({ storage: { project, measure: () => gcs.usage() } });
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
  await gcs.close();
});

async function latest(metricType: string, extra = '') {
  const now = Date.now();
  const [series] = await client.listTimeSeries(
    {
      name: `projects/${project}`,
      filter: `metric.type = "${metricType}" AND resource.type = "gcs_bucket"${extra}`,
      interval: { startTime: { seconds: Math.floor(now / 1000) - 3600 }, endTime: { seconds: Math.ceil(now / 1000) } },
      view: 'FULL',
    },
    { maxRetries: 0 },
  );
  return Object.fromEntries(
    series.map((s) => {
      const v = s.points![0]!.value!;
      return [s.resource!.labels!.bucket_name!, Number(v.int64Value ?? v.doubleValue)];
    }),
  );
}

// https://cloud.google.com/monitoring/api/metrics_gcp#gcp-storage: object_count (INT64) and total_bytes (DOUBLE) are
// GAUGEs on gcs_bucket, by storage_class, measured once a day; buckets without objects are not tracked.
describe('Cloud Storage usage metrics, through the real @google-cloud/monitoring client', () => {
  it('reports object_count and total_bytes per bucket, noncurrent versions included, empty buckets absent', async () => {
    expect(await latest(STORAGE_METRICS.objectCount)).toEqual({ parcels: 5, vault: 2 });
    expect(await latest(STORAGE_METRICS.totalBytes)).toEqual({ parcels: 500, vault: 5 });
  });

  it('labels series as the gcs_bucket resource and the storage_class metric label, as GAUGEs', async () => {
    const now = Date.now();
    const [series] = await client.listTimeSeries({
      name: `projects/${project}`,
      filter: `metric.type = "${STORAGE_METRICS.totalBytes}" AND resource.labels.bucket_name = one_of("parcels")`,
      interval: { startTime: { seconds: Math.floor(now / 1000) - 3600 }, endTime: { seconds: Math.ceil(now / 1000) } },
    });
    expect(series).toHaveLength(1);
    expect(series[0]).toMatchObject({
      metricKind: 'GAUGE',
      valueType: 'DOUBLE',
      resource: {
        type: 'gcs_bucket',
        labels: { project_id: project, bucket_name: 'parcels', location: 'europe-west1' },
      },
      metric: { labels: { storage_class: 'STANDARD' } },
    });
  });

  it('keeps reporting the day’s measurement until the next one, as the real metrics do', async () => {
    await storage.bucket('parcels').file('p0').delete();
    expect((await latest(STORAGE_METRICS.objectCount)).parcels).toBe(5);
    standIn.measureStorage();
    expect((await latest(STORAGE_METRICS.objectCount)).parcels).toBe(4);
    // A seeded measurement, as of yesterday: still the latest value today.
    standIn.measureStorage(
      [{ bucket: 'parcels', location: 'europe-west1', storageClass: 'STANDARD', objects: 20_000, bytes: 8e9 }],
      new Date(Date.now() - 86_000_000),
    );
    expect(await latest(STORAGE_METRICS.objectCount)).toEqual({ parcels: 20_000 });
  });

  it('refuses a filter on a label gcs_bucket does not have', async () => {
    await expect(latest(STORAGE_METRICS.objectCount, ' AND resource.labels.bucket = "parcels"')).rejects.toMatchObject({
      code: grpc.status.INVALID_ARGUMENT,
    });
  });
});
