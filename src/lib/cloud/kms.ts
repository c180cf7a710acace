import { createPublicKey } from 'node:crypto';
import type { RemoteEd25519 } from '../audit/shared/signers.js';
import { crc32c } from '../checksums/gcs-hashes.js';
import type { Environment } from '../config/schema.js';
import { RuntimeError, UsageError } from '../errors/gwctl-error.js';
import { authOptions } from './google-auth.js';
import { refuseRealCloudForSandbox } from './sandbox-guard.js';

type KmsClient = InstanceType<(typeof import('@google-cloud/kms'))['KeyManagementServiceClient']>;

/**
 * A Cloud KMS Ed25519 key version (EC_SIGN_ED25519) as a remote signer: `getPublicKey` once, then
 * `asymmetricSign` with the raw message in `data` (Ed25519 signs the message itself, not a digest), its CRC32C
 * sent along and the answer's checked, as google/cloud/kms/v1/service.proto asks of clients. The official
 * client is loaded here, on first use; `emulators.kms` (host:port) points it at a local emulator over insecure gRPC.
 */
export async function openKmsEd25519(env: Environment, keyVersion: string): Promise<RemoteEd25519> {
  const client = await kmsClient(env);
  const what = `Cloud KMS key ${keyVersion}`;
  let publicKey: Uint8Array;
  try {
    const [key] = await client.getPublicKey({ name: keyVersion });
    if (key.algorithm !== 'EC_SIGN_ED25519')
      throw new UsageError(
        `${what} is ${String(key.algorithm)}, not EC_SIGN_ED25519: checkpoints are signed with Ed25519`,
      );
    if (key.pemCrc32c && Number(key.pemCrc32c.value) !== crc32c.calculate(Buffer.from(key.pem ?? '')))
      throw new RuntimeError(`${what}: the public key was corrupted in transit (CRC32C mismatch)`);
    publicKey = createPublicKey(key.pem ?? '')
      .export({ format: 'der', type: 'spki' })
      .subarray(-32);
  } catch (err) {
    throw kmsError(err, `reading the public key of ${what}`);
  }
  return {
    publicKey,
    describe: `Cloud KMS ${keyVersion}`,
    sign: async (message) => {
      const data = Buffer.from(message);
      try {
        const [answer] = await client.asymmetricSign({
          name: keyVersion,
          data,
          dataCrc32c: { value: String(crc32c.calculate(data)) },
        });
        const signature = Buffer.from(answer.signature ?? []);
        if (!answer.verifiedDataCrc32c) throw new RuntimeError(`${what}: KMS did not confirm the data's CRC32C`);
        if (answer.signatureCrc32c && Number(answer.signatureCrc32c.value) !== crc32c.calculate(signature))
          throw new RuntimeError(`${what}: the signature was corrupted in transit (CRC32C mismatch)`);
        return signature;
      } catch (err) {
        throw kmsError(err, `signing with ${what}`);
      }
    },
  };
}

/** The real API's client options: Application Default Credentials, or those of --impersonate-service-account. */
export async function kmsOptions(env: Environment) {
  return { projectId: env.project, ...(await authOptions(env)) };
}

/** A KMS client for the environment: its emulator (`emulators.kms`), or the real API. */
export async function kmsClient(env: Environment): Promise<KmsClient> {
  const emulator = env.emulators?.kms;
  if (!emulator) refuseRealCloudForSandbox(env, 'Cloud KMS');
  const { KeyManagementServiceClient } = await import('@google-cloud/kms');
  if (!emulator) return new KeyManagementServiceClient(await kmsOptions(env));
  const grpc = await import('@grpc/grpc-js');
  const at = emulator.lastIndexOf(':');
  const host = emulator.slice(0, at);
  // universeDomain given up front: otherwise the auth library probes for credentials it does not need here.
  return new KeyManagementServiceClient({
    servicePath: host,
    apiEndpoint: host,
    port: Number(emulator.slice(at + 1)),
    sslCreds: grpc.credentials.createInsecure(),
    projectId: env.project,
    universeDomain: 'googleapis.com',
  });
}

function kmsError(err: unknown, what: string): Error {
  if (err instanceof UsageError || err instanceof RuntimeError) return err;
  const e = err as { code?: number; details?: string; message?: string };
  // gRPC status codes: 5 NOT_FOUND, 7 PERMISSION_DENIED, 9 FAILED_PRECONDITION (a disabled or destroyed version).
  const hint =
    e.code === 7
      ? ' (the caller needs roles/cloudkms.signerVerifier on the key)'
      : e.code === 5
        ? ' (no such key version)'
        : e.code === 9
          ? ' (is the key version enabled?)'
          : '';
  return new RuntimeError(`${what}: ${e.details ?? e.message ?? String(err)}${hint}`, { cause: err });
}
