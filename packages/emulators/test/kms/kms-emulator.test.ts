import { createPublicKey, verify } from 'node:crypto';
import { KeyManagementServiceClient } from '@google-cloud/kms';
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crc32c } from '../../src/kms/crc32c.js';
import { startKmsEmulator, type KmsEmulator } from '../../src/kms/index.js';

// References: google/cloud/kms/v1/service.proto and resources.proto as bundled with @google-cloud/kms (the
// AsymmetricSign and GetPublicKey field comments on data, data_crc32c, verified_data_crc32c, signature_crc32c,
// pem_crc32c), and https://cloud.google.com/kms/docs/algorithms (EC_SIGN_ED25519 signs data, not a digest).
let kms: KmsEmulator;
let client: KeyManagementServiceClient;
let version: string;

beforeAll(async () => {
  kms = await startKmsEmulator();
  client = new KeyManagementServiceClient({
    servicePath: '127.0.0.1',
    apiEndpoint: '127.0.0.1',
    port: kms.port,
    sslCreds: grpc.credentials.createInsecure(),
    projectId: 'gwctl-test',
    universeDomain: 'googleapis.com',
  });
  version = kms.createEd25519Key('projects/p/locations/europe-west1/keyRings/audit/cryptoKeys/checkpoints');
});
afterAll(async () => {
  await client.close();
  await kms.close();
});

describe('the Cloud KMS emulator, through the official client', () => {
  it('serves an Ed25519 public key as PEM with its CRC32C', async () => {
    const [key] = await client.getPublicKey({ name: version });
    expect(key.algorithm).toBe('EC_SIGN_ED25519');
    expect(Number(key.pemCrc32c?.value)).toBe(crc32c(Buffer.from(key.pem!)));
    expect(createPublicKey(key.pem!).asymmetricKeyType).toBe('ed25519');
  });

  it('signs the data itself (PureEdDSA), confirming the data CRC32C it was sent', async () => {
    const data = Buffer.from('origin\n1\nroot\n');
    const [answer] = await client.asymmetricSign({ name: version, data, dataCrc32c: { value: crc32c(data) } });
    expect(answer.verifiedDataCrc32c).toBe(true);
    const signature = Buffer.from(answer.signature as Uint8Array);
    expect(Number(answer.signatureCrc32c?.value)).toBe(crc32c(signature));
    const [key] = await client.getPublicKey({ name: version });
    expect(verify(null, data, createPublicKey(key.pem!), signature)).toBe(true);
  });

  it('refuses data whose CRC32C does not match, an unknown version and a disabled one', async () => {
    const data = Buffer.from('x');
    await expect(client.asymmetricSign({ name: version, data, dataCrc32c: { value: 1 } })).rejects.toMatchObject({
      code: grpc.status.INVALID_ARGUMENT,
    });
    await expect(client.getPublicKey({ name: `${version}0` })).rejects.toMatchObject({ code: grpc.status.NOT_FOUND });
    const other = kms.createEd25519Key('projects/p/locations/europe-west1/keyRings/audit/cryptoKeys/old');
    kms.disable(other);
    await expect(client.asymmetricSign({ name: other, data })).rejects.toMatchObject({
      code: grpc.status.FAILED_PRECONDITION,
    });
    expect(kms.log.entries.map((r) => r.method)).toContain('AsymmetricSign');
  });
});
