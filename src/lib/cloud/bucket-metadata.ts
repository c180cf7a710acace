import type { Environment } from '../config/schema.js';
import { gcsError, httpStatusOf } from './gcs-errors.js';
import { openStorage } from './storage.js';
import { gsUrl } from '../config/gs-url.js';

/** Read-only bucket settings, as the GCS JSON API's `storage#bucket` resource: every field kept. */
export interface BucketMetadataReader {
  /** The bucket's resource, or undefined when there is no such bucket. */
  metadata(bucket: string): Promise<Record<string, unknown> | undefined>;
}

export async function openBucketMetadataReader(env: Environment): Promise<BucketMetadataReader> {
  const storage = await openStorage(env);
  return {
    async metadata(bucket) {
      try {
        const [meta] = await storage.bucket(bucket).getMetadata();
        return JSON.parse(JSON.stringify(meta)) as Record<string, unknown>;
      } catch (err) {
        if (httpStatusOf(err) === 404) return undefined;
        throw gcsError(err, `reading bucket ${gsUrl(bucket)}`);
      }
    },
  };
}
