import type { Environment } from '../config/schema.js';
import { openMonitoring, type MonitoringReader } from './monitoring.js';

/**
 * What Cloud Monitoring last measured of a bucket: `storage.googleapis.com/storage/object_count` and `total_bytes`
 * (noncurrent versions included, soft-deleted objects not), summed over storage classes. Google measures them once
 * a day, so they can be a day old; a bucket with no objects has no series at all.
 */
export interface MeasuredUsage {
  objects: number;
  bytes: number;
}

export interface StorageUsageReader {
  /** The buckets Cloud Monitoring has a measurement for; the others are absent. */
  usage(buckets: string[]): Promise<Record<string, MeasuredUsage>>;
  close(): Promise<void>;
}

const OBJECT_COUNT = 'storage.googleapis.com/storage/object_count';
const TOTAL_BYTES = 'storage.googleapis.com/storage/total_bytes';
/** The daily value is repeated every 300 s and visible some minutes after: two hours always hold a point. */
const WINDOW_MS = 2 * 3_600_000;

/** Two ListTimeSeries calls for every bucket at once; Cloud Monitoring is opened on first use. */
export function openStorageUsage(env: Environment): StorageUsageReader {
  let reader: Promise<MonitoringReader> | undefined;
  return {
    async usage(buckets) {
      if (buckets.length === 0) return {};
      const monitoring = await (reader ??= openMonitoring(env));
      const until = new Date();
      const q = {
        filter: `resource.type = "gcs_bucket" AND resource.labels.bucket_name = one_of(${buckets.map((b) => JSON.stringify(b)).join(', ')})`,
        since: new Date(until.getTime() - WINDOW_MS),
        until,
        label: 'bucket_name',
      };
      const [objects, bytes] = await Promise.all([
        monitoring.latestByResourceLabel({ ...q, metricType: OBJECT_COUNT }),
        monitoring.latestByResourceLabel({ ...q, metricType: TOTAL_BYTES }),
      ]);
      return Object.fromEntries(Object.keys(objects).map((b) => [b, { objects: objects[b]!, bytes: bytes[b] ?? 0 }]));
    },
    close: async () => {
      // A reader that failed to open (no credentials) has nothing to close; its error was reported by `usage`.
      if (reader) await (await reader.catch(() => undefined))?.close();
    },
  };
}
