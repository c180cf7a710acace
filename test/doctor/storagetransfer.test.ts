import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStorageTransferTarget, type StorageTransferTarget } from '@gwctl/emulators/testing';
import { openDoctorProbes } from '../../src/lib/cloud/doctor-probes.js';
import { environmentSchema, type Environment } from '../../src/lib/config/schema.js';
import { runChecks } from '../../src/lib/doctor/check.js';
import { doctorChecks } from '../../src/lib/doctor/checks.js';

// doctor's storagetransfer.agent check over the wire: the real @google-cloud/storage-transfer client → the STS
// emulator. GetGoogleServiceAccount names the project's service agent,
// `project-<number>@storage-transfer-service.iam.gserviceaccount.com` (https://cloud.google.com/storage-transfer/docs/iam-cloud).
// A project without the API answers PERMISSION_DENIED, reason SERVICE_DISABLED (google/api/error_reason.proto), "…
// API has not been used in project … before or it is disabled": enabling it is `gcloud services enable
// storagetransfer.googleapis.com` (https://cloud.google.com/storage-transfer/docs/create-transfers, "Enable the API").

let t: StorageTransferTarget;
let env: Environment;
beforeAll(async () => {
  t = await startStorageTransferTarget({ project: 'relaycorp-gateway-staging' });
  env = {
    ...environmentSchema.parse({
      project: 'relaycorp-gateway-staging',
      buckets: { vault: 'staging-vault', backups: 'staging-backups' },
      emulators: { storage: t.gcs.url, storagetransfer: t.address },
    }),
    name: 'staging',
    source: 'gwctl.yaml',
  };
});
afterAll(async () => t?.close());

async function transferCheck() {
  const probes = openDoctorProbes(env);
  try {
    const [result] = await runChecks(doctorChecks(env, probes).filter((c) => c.id === 'storagetransfer.agent'));
    return result!;
  } finally {
    await probes.close();
  }
}

describe('gwctl doctor: the Storage Transfer API for --engine sts', () => {
  it('passes naming the service agent, read with GetGoogleServiceAccount', async () => {
    t.log.clear();
    expect(await transferCheck()).toMatchObject({
      status: 'pass',
      reason: expect.stringMatching(/^service agent project-\d+@storage-transfer-service\.iam\.gserviceaccount\.com/),
    });
    const calls = t.log.list({ service: 'storagetransfer' }).map((r) => r.path);
    expect(calls).toEqual(['/google.storagetransfer.v1.StorageTransferService/GetGoogleServiceAccount']);
  });

  it('a project where the API is not enabled is skipped with the command that enables it', async () => {
    t.sts.disableApi();
    try {
      expect(await transferCheck()).toMatchObject({
        status: 'skip',
        reason: expect.stringMatching(
          /not enabled in project relaycorp-gateway-staging .*: gcloud services enable storagetransfer\.googleapis\.com --project relaycorp-gateway-staging$/,
        ),
      });
    } finally {
      t.sts.disableApi(false);
    }
  });

  it('an API that does not answer fails the check (only --engine sts is blocked)', async () => {
    // One call, no retries: doctor reports what one call gets.
    t.sts.faults.failNext('503', 'GetGoogleServiceAccount');
    const r = await transferCheck();
    expect(r).toMatchObject({ status: 'fail', reason: expect.stringMatching(/UNAVAILABLE/) });
    expect(r.neededBy).toEqual(['backup create --engine sts', 'backup restore --engine sts']);
  });
});
