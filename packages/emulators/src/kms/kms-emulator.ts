import { createPublicKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as grpc from '@grpc/grpc-js';
import { fromJSON } from '@grpc/proto-loader';
import { RequestLog, startRecording } from '../common/request-log.js';
import { crc32c } from './crc32c.js';
import { listenOnLoopback } from '../common/grpc-listen.js';

export interface KmsEmulatorOptions {
  log?: RequestLog;
}

export interface KmsEmulator {
  /** host:port of an insecure gRPC endpoint, as `env.emulators.kms`. */
  address: string;
  port: number;
  log: RequestLog;
  /**
   * Creates an ENABLED EC_SIGN_ED25519 key version under `cryptoKey` (projects/…/cryptoKeys/<k>) and returns its
   * name (…/cryptoKeyVersions/<n>). What `gcloud kms keys create --purpose asymmetric-signing
   * --default-algorithm ec-sign-ed25519` leaves behind.
   */
  createEd25519Key(cryptoKey: string): string;
  /** Disables a key version: its signing calls then fail FAILED_PRECONDITION, as KMS answers for a disabled version. */
  disable(version: string): void;
  close(): Promise<void>;
}

const SERVICE = 'kms';

interface KeyVersion {
  privateKey: KeyObject;
  pem: string;
  enabled: boolean;
}

/**
 * Cloud KMS's KeyManagementService, the two calls a checkpoint signer makes (GetPublicKey, AsymmetricSign) for
 * Ed25519 keys, over insecure gRPC so the official `@google-cloud/kms` client runs unchanged against it. Messages
 * come from the client library's own bundled protos (google/cloud/kms/v1/service.proto, resources.proto), so the
 * wire format is the real one; behaviour follows the field comments there: `data` is signed as is for
 * EC_SIGN_ED25519 (PureEdDSA, RFC 8032), `data_crc32c` is checked and answered with `verified_data_crc32c`,
 * `signature_crc32c` and `pem_crc32c` are set, an unknown version is NOT_FOUND.
 */
export async function startKmsEmulator(opts: KmsEmulatorOptions = {}): Promise<KmsEmulator> {
  const log = opts.log ?? new RequestLog();
  const keys = new Map<string, KeyVersion>();
  const versions = new Map<string, number>();
  const server = new grpc.Server();
  const fail = (code: grpc.status, details: string) => ({ code, details });
  server.addService(kmsService(), {
    GetPublicKey: (call: grpc.ServerUnaryCall<{ name: string }, unknown>, callback: grpc.sendUnaryData<unknown>) => {
      const done = startRecording(log, { service: SERVICE, method: 'GetPublicKey', path: call.request.name });
      const key = keys.get(call.request.name);
      if (!key) {
        done(grpc.status.NOT_FOUND);
        return callback(fail(grpc.status.NOT_FOUND, `CryptoKeyVersion ${call.request.name} not found.`));
      }
      done(grpc.status.OK);
      callback(null, {
        pem: key.pem,
        algorithm: 'EC_SIGN_ED25519',
        pemCrc32c: { value: String(crc32c(Buffer.from(key.pem))) },
        name: call.request.name,
        protectionLevel: 'SOFTWARE',
        publicKeyFormat: 'PEM',
      });
    },
    AsymmetricSign: (
      call: grpc.ServerUnaryCall<
        { name: string; data: Buffer; digest?: unknown; dataCrc32c?: { value: string } },
        unknown
      >,
      callback: grpc.sendUnaryData<unknown>,
    ) => {
      const req = call.request;
      const done = startRecording(log, { service: SERVICE, method: 'AsymmetricSign', path: req.name });
      const answer = (code: grpc.status, details: string) => (done(code), callback(fail(code, details)));
      const key = keys.get(req.name);
      if (!key) return answer(grpc.status.NOT_FOUND, `CryptoKeyVersion ${req.name} not found.`);
      if (!key.enabled)
        return answer(
          grpc.status.FAILED_PRECONDITION,
          `CryptoKeyVersion ${req.name} is not enabled, current state is: DISABLED.`,
        );
      if (req.digest)
        return answer(grpc.status.INVALID_ARGUMENT, 'Digest is not supported for EC_SIGN_ED25519; use data.');
      const data = Buffer.from(req.data ?? []);
      // service.proto: a data_crc32c that does not match the data received is INVALID_ARGUMENT.
      if (req.dataCrc32c && Number(req.dataCrc32c.value) !== crc32c(data))
        return answer(
          grpc.status.INVALID_ARGUMENT,
          'The checksum in field data_crc32c did not match the data in field data.',
        );
      const signature = sign(null, data, key.privateKey);
      done(grpc.status.OK);
      callback(null, {
        signature,
        signatureCrc32c: { value: String(crc32c(signature)) },
        verifiedDataCrc32c: Boolean(req.dataCrc32c),
        verifiedDigestCrc32c: false,
        name: req.name,
        protectionLevel: 'SOFTWARE',
      });
    },
  });
  const port = await listenOnLoopback(server);
  return {
    address: `127.0.0.1:${port}`,
    port,
    log,
    createEd25519Key(cryptoKey) {
      const n = (versions.get(cryptoKey) ?? 0) + 1;
      versions.set(cryptoKey, n);
      const { privateKey } = generateKeyPairSync('ed25519');
      const pem = createPublicKey(privateKey).export({ format: 'pem', type: 'spki' }).toString();
      const name = `${cryptoKey}/cryptoKeyVersions/${n}`;
      keys.set(name, { privateKey, pem, enabled: true });
      return name;
    },
    disable(version) {
      const key = keys.get(version);
      if (key) key.enabled = false;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.tryShutdown(() => resolve());
        setTimeout(() => server.forceShutdown(), 200).unref();
      }),
  };
}

/** The client library's bundled protobuf definitions (data only; its code is not loaded here). */
function kmsService(): grpc.ServiceDefinition {
  const require = createRequire(import.meta.url);
  const json = JSON.parse(readFileSync(require.resolve('@google-cloud/kms/build/protos/protos.json'), 'utf8'));
  const pkg = grpc.loadPackageDefinition(
    fromJSON(json, { keepCase: false, longs: String, enums: String, defaults: true, oneofs: true }),
  ) as unknown as {
    google: { cloud: { kms: { v1: { KeyManagementService: { service: grpc.ServiceDefinition } } } } };
  };
  return pkg.google.cloud.kms.v1.KeyManagementService.service;
}
