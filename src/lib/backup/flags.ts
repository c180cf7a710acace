import { Flags } from '@oclif/core';

/** Flags every `backup` command takes. */
export const backupFlags = {
  bucket: Flags.string({
    char: 'b',
    description:
      'the bucket whose backups these are: a role from gwctl.yaml (vault, parcels), a bucket name or a gs:// URL',
    default: 'vault',
  }),
};

export const concurrencyFlag = {
  concurrency: Flags.integer({ char: 'c', description: 'requests in flight at once', default: 32, min: 1, max: 256 }),
};

export const batchSizeFlag = {
  'batch-size': Flags.integer({
    description: 'copies per request, in JSON API batches (1: one request per copy)',
    default: 100,
    min: 1,
    max: 100,
  }),
};
