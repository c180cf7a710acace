import { Flags } from '@oclif/core';

/** Flags both `bucket ttl` commands take. */
export const bucketTtlFlags = {
  bucket: Flags.string({
    char: 'b',
    description: 'bucket role from gwctl.yaml (parcels, vault, backups), a bucket name or a gs:// URL',
    default: 'parcels',
  }),
  holds: Flags.boolean({
    description: 'list the bucket to count objects under a hold (--no-holds skips it on very large buckets)',
    default: true,
    allowNo: true,
  }),
};
