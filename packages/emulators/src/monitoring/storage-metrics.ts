import type { StoredSeries } from './lb-metrics.js';

/**
 * Cloud Storage's usage metrics, GAUGEs on the `gcs_bucket` resource (labels project_id, bucket_name, location), each
 * with a `storage_class` label (https://cloud.google.com/monitoring/api/metrics_gcp#gcp-storage). Google measures
 * them once a day and repeats that value at every 300 s sample until the next measurement; buckets with no objects
 * are not tracked. Soft-deleted objects are not counted; noncurrent versions, being stored and billed, are.
 */
export const STORAGE_METRICS = {
  objectCount: 'storage.googleapis.com/storage/object_count',
  totalBytes: 'storage.googleapis.com/storage/total_bytes',
} as const;

export const GCS_BUCKET_RESOURCE = 'gcs_bucket';

/** How often a sample repeats the day's measurement. */
export const STORAGE_SAMPLE_MS = 300_000;

/** What one measurement found in one bucket, per storage class. */
export interface BucketUsage {
  bucket: string;
  /** Lower case, as the resource label has it (`europe-west1`). */
  location: string;
  storageClass: string;
  objects: number;
  bytes: number;
}

export interface StorageMeasurement {
  atMs: number;
  usage: BucketUsage[];
}

/** The two metrics' series for a measurement: one point every 300 s from the measurement up to `nowMs`. */
export function storageSeries(m: StorageMeasurement | undefined, project: string, nowMs: number): StoredSeries[] {
  if (!m) return [];
  const times: number[] = [];
  for (let t = m.atMs; t <= nowMs; t += STORAGE_SAMPLE_MS) times.push(t);
  return m.usage
    .filter((u) => u.objects > 0)
    .flatMap((u) => {
      const resource = {
        type: GCS_BUCKET_RESOURCE,
        labels: { project_id: project, bucket_name: u.bucket, location: u.location },
      };
      const metric = (type: string) => ({ type, labels: { storage_class: u.storageClass } });
      const points = (value: number) => times.map((t) => ({ startMs: t, endMs: t, value }));
      return [
        {
          metric: metric(STORAGE_METRICS.objectCount),
          resource,
          metricKind: 'GAUGE' as const,
          valueType: 'INT64' as const,
          unit: '1',
          points: points(u.objects),
        },
        {
          metric: metric(STORAGE_METRICS.totalBytes),
          resource,
          metricKind: 'GAUGE' as const,
          valueType: 'DOUBLE' as const,
          unit: 'By',
          points: points(u.bytes),
        },
      ];
    });
}
