import { describe, expect, it } from 'vitest';
import { describeFailure, missingRole, onlyVanished, refusedJob } from '../../src/lib/backup/sts-engine.js';
import type { TransferProgress, TransferSpec } from '../../src/lib/cloud/storage-transfer.js';

// Roles from https://cloud.google.com/storage-transfer/docs/sink-cloud-storage (the agent needs storage.buckets.get,
// storage.objects.create, .delete and .list on the sink: roles/storage.legacyBucketWriter) and
// https://cloud.google.com/storage-transfer/docs/source-cloud-storage (storage.buckets.get, storage.objects.get and
// .list on the source: roles/storage.objectViewer with roles/storage.legacyBucketReader).
const AGENT = 'project-123@storage-transfer-service.iam.gserviceaccount.com';
const spec: TransferSpec = {
  job: 'transferJobs/gwctl-backup-20250601T120000Z-3fa9c1',
  description: 'gwctl backup',
  source: { bucket: 'relaycorp-gateway-prod-vault', path: '' },
  sink: { bucket: 'relaycorp-gateway-prod-backups', path: 'relaycorp-gateway-prod-vault/staging/x/' },
  manifest: 'gs://relaycorp-gateway-prod-backups/relaycorp-gateway-prod-vault/staging/x.csv',
};
const failed = (code: string, url: string): TransferProgress => ({
  operation: 'transferOperations/x',
  status: 'FAILED',
  done: true,
  objectsFound: 3,
  bytesFound: 30,
  objectsCopied: 2,
  bytesCopied: 20,
  objectsFailed: 1,
  errors: [{ code, count: 1, samples: [{ url, details: ['denied'] }] }],
});

describe('what gwctl says when a Storage Transfer Service job is refused', () => {
  it('names the role the agent lacks on the source, the sink or for the transfer manifest', () => {
    expect(missingRole(AGENT, spec, 'gs://relaycorp-gateway-prod-vault/logical/a')).toBe(
      `the Storage Transfer Service agent ${AGENT} needs roles/storage.objectViewer and roles/storage.legacyBucketReader on gs://relaycorp-gateway-prod-vault`,
    );
    expect(
      missingRole(AGENT, spec, 'gs://relaycorp-gateway-prod-backups/relaycorp-gateway-prod-vault/staging/x/a'),
    ).toMatch(/needs roles\/storage\.legacyBucketWriter on gs:\/\/relaycorp-gateway-prod-backups/);
    expect(missingRole(AGENT, spec, spec.manifest)).toMatch(
      /roles\/storage\.objectViewer on gs:\/\/relaycorp-gateway-prod-backups to read the transfer manifest/,
    );
  });

  it('a FAILED operation: its error codes, counts and a sample, the role, and that nothing was committed', () => {
    const text = describeFailure(
      AGENT,
      spec,
      failed('PERMISSION_DENIED', 'gs://relaycorp-gateway-prod-vault/logical/a'),
    );
    expect(text).toMatch(
      /ended FAILED: PERMISSION_DENIED ×1 \(gs:\/\/relaycorp-gateway-prod-vault\/logical\/a: denied\)/,
    );
    expect(text).toMatch(/needs roles\/storage\.objectViewer and roles\/storage\.legacyBucketReader/);
    expect(text).toMatch(/nothing was committed/);
    expect(describeFailure(AGENT, spec, failed('INTERNAL', 'gs://x/y'))).not.toMatch(/needs roles/);
  });

  it('a job refused at creation for a bucket names the agent’s role; other errors pass through', () => {
    const err = new Error(
      '7 PERMISSION_DENIED: Failed to obtain the location of the GCS bucket relaycorp-gateway-prod-backups',
    );
    expect(String((refusedJob(AGENT, spec, err) as Error).message)).toMatch(
      /; or the Storage Transfer Service agent .* needs roles\/storage\.legacyBucketWriter on gs:\/\/relaycorp-gateway-prod-backups/,
    );
    const other = new Error('14 UNAVAILABLE: down');
    expect(refusedJob(AGENT, spec, other)).toBe(other);
  });

  // ErrorSummary (google/storagetransfer/v1/transfer_types.proto): ErrorLogEntry.url "refers to the target (a data
  // source, a data sink, or an object)"; https://cloud.google.com/storage-transfer/docs/manifest: objects that fail
  // to transfer "are listed in the transfer logs". Only objects of the source not found are deletions since the listing.
  it('only source objects NOT_FOUND count as deleted since the listing; the manifest, a bucket or other codes do not', () => {
    const vanished = (...errors: [string, string][]) =>
      onlyVanished(spec, {
        ...failed('NOT_FOUND', ''),
        errors: errors.map(([code, url]) => ({ code, count: 1, samples: [{ url, details: [] }] })),
      });
    expect(vanished(['NOT_FOUND', 'gs://relaycorp-gateway-prod-vault/logical/a'])).toBe(true);
    expect(vanished(['NOT_FOUND', 'gs://relaycorp-gateway-prod-vault/a'], ['PERMISSION_DENIED', 'gs://x/y'])).toBe(
      false,
    );
    expect(vanished(['NOT_FOUND', spec.manifest])).toBe(false);
    expect(vanished(['NOT_FOUND', 'gs://relaycorp-gateway-prod-vault'])).toBe(false);
    expect(vanished(['NOT_FOUND', 'gs://relaycorp-gateway-prod-vault-2/a'])).toBe(false);
    expect(
      vanished(['NOT_FOUND', 'gs://relaycorp-gateway-prod-backups/relaycorp-gateway-prod-vault/staging/x/a']),
    ).toBe(false);
    expect(vanished()).toBe(false);
  });
});
