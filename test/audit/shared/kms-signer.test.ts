import { startKmsEmulator, type KmsEmulator } from '@gwctl/emulators/kms';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { openSharedLog } from '../../../src/lib/audit/shared/open-shared-log.js';
import type { SharedLogConfig } from '../../../src/lib/audit/shared/log-config.js';
import { verifySharedLog } from '../../../src/lib/audit/shared/verify-log.js';
import { sharedLogDeps } from '../../../src/lib/cloud/shared-log-deps.js';
import type { Environment } from '../../../src/lib/config/schema.js';
import { noteVerifierFromKey } from '../../../src/lib/tlog/index.js';
import { tempDir } from '../../helpers/cli.js';
import { ORIGIN, startAuditBucket } from './helpers.js';

describe('checkpoints signed by a Cloud KMS Ed25519 key (production: no operator holds the key)', () => {
  let kms: KmsEmulator;
  let bucket: Awaited<ReturnType<typeof startAuditBucket>>;
  beforeAll(async () => {
    [kms, bucket] = await Promise.all([startKmsEmulator(), startAuditBucket()]);
    vi.stubEnv('GWCTL_HOME', tempDir('gwctl-kms-home-'));
  });
  afterAll(async () => {
    vi.unstubAllEnvs(); // workers run file after file (isolate: false)
    await kms.close();
    await bucket.close();
  });

  it('signs through the official client and the log verifies with the verifier key derived from KMS', async () => {
    const keyVersion = kms.createEd25519Key('projects/p/locations/europe-west1/keyRings/audit/cryptoKeys/prod');
    const env = { ...bucket.env, emulators: { ...bucket.env.emulators, kms: kms.address } } as Environment;
    const config: SharedLogConfig = {
      env: 'race',
      url: `gs://${bucket.bucket}/log/`,
      bucket: bucket.bucket,
      prefix: 'log/',
      origin: ORIGIN,
      signer: { kind: 'kms', keyVersion },
      witnesses: [],
    };
    const opened = await openSharedLog(config, sharedLogDeps(env, config));
    expect(opened.key.describe).toBe(`Cloud KMS ${keyVersion}`);
    await opened.sink.append(() => [
      {
        operator: 'gcp:ci@p.iam',
        command: 'backup create',
        env: 'prod',
        planDigest: 'sha256:x',
        summary: 's',
        result: 'applied',
      },
    ]);
    await opened.sink.settle();
    const verdict = await verifySharedLog({
      store: bucket.store,
      origin: ORIGIN,
      verifier: noteVerifierFromKey(opened.key.verifierKey),
    });
    expect(verdict).toMatchObject({ ok: true, size: 1 });
    expect(kms.log.entries.map((r) => r.method)).toEqual(['GetPublicKey', 'AsymmetricSign']);
    // A disabled key version signs nothing more: the change that cannot be recorded is not made.
    kms.disable(keyVersion);
    const again = await openSharedLog(config, sharedLogDeps(env, config));
    await again.sink.append(() => [
      {
        operator: 'gcp:ci@p.iam',
        command: 'backup create',
        env: 'prod',
        planDigest: 'sha256:y',
        summary: 's',
        result: 'applied',
      },
    ]);
    await expect(again.sink.settle()).rejects.toThrow(/is the key version enabled/);
  });
});
