import type { Storage } from '@google-cloud/storage';
import { protos, StorageTransferServiceClient } from '@google-cloud/storage-transfer';
import * as grpc from '@grpc/grpc-js';
import { RequestLog } from '../common/request-log.js';
import { startGcsEmulator, type GcsEmulator, type GcsEmulatorOptions } from '../gcs/index.js';
import {
  startStorageTransferEmulator,
  type StorageTransferEmulator,
  type StorageTransferEmulatorOptions,
} from '../storagetransfer/index.js';
import { gcsClient } from './gcs.js';

export interface StorageTransferTarget {
  gcs: GcsEmulator;
  sts: StorageTransferEmulator;
  /** `127.0.0.1:<port>` of the transfer emulator, for `env.emulators.storagetransfer`. */
  address: string;
  project: string;
  /** One log for both emulators: GCS calls a job makes appear among the transfer calls that caused them. */
  log: RequestLog;
  /** The real `@google-cloud/storage-transfer` client on the transfer emulator (insecure gRPC, no auth). */
  client: StorageTransferServiceClient;
  /** A real `@google-cloud/storage` client on the GCS emulator, for seeding buckets and checking copies. */
  storage: Storage;
  close(): Promise<void>;
}

/** The options gwctl's own client wiring passes for an emulator at host:port (as for Cloud Build). */
export function storageTransferClientOptions(host: string, port: number, projectId: string) {
  return {
    servicePath: host,
    apiEndpoint: host,
    port,
    sslCreds: grpc.credentials.createInsecure(),
    projectId,
    // Given up front: otherwise the auth library probes for credentials it does not need here.
    universeDomain: 'googleapis.com',
  };
}

/**
 * A GCS emulator, a Storage Transfer Service emulator copying within it, and the real clients of both: what a test of
 * the `sts` backup engine drives.
 */
export async function startStorageTransferTarget(
  opts: {
    project?: string;
    gcs?: GcsEmulatorOptions;
    sts?: Omit<StorageTransferEmulatorOptions, 'gcs' | 'gcsUrl' | 'log'>;
  } = {},
): Promise<StorageTransferTarget> {
  const project = opts.project ?? 'gwctl-test';
  const log = new RequestLog();
  const gcs = await startGcsEmulator({ log, ...opts.gcs });
  const sts = await startStorageTransferEmulator({ gcsUrl: gcs.url, log, ...opts.sts }).catch(async (err: unknown) => {
    await gcs.close();
    throw err;
  });
  const client = new StorageTransferServiceClient(storageTransferClientOptions('127.0.0.1', sts.port, project));
  return {
    gcs,
    sts,
    address: sts.host,
    project,
    log,
    client,
    storage: gcsClient(gcs.url, { projectId: project }),
    async close() {
      await client.close();
      await sts.close();
      await gcs.close();
    },
  };
}

type TransferOperationMessage = protos.google.storagetransfer.v1.TransferOperation;

/**
 * An Operation's metadata as the client decodes it (a protobufjs message: int64 counters as Long, enums as numbers),
 * or a raw Operation's `metadata` (the packed Any), made plain: counters as numbers, `status` and error codes as names (`'SUCCESS'`, `'NOT_FOUND'`), absent counters 0.
 */
export function plainTransferOperation(metadata: unknown) {
  const type = protos.google.storagetransfer.v1.TransferOperation;
  // A raw Operation's packed Any (what getOperation gives; the client leaves an errored operation's metadata undecoded).
  const packed = (metadata as { value?: unknown } | null)?.value;
  const message = packed instanceof Uint8Array ? type.decode(packed) : (metadata as TransferOperationMessage);
  return type.toObject(message, { longs: Number, enums: String, defaults: true }) as {
    name: string;
    projectId: string;
    transferJobName: string;
    status: string;
    counters: Record<string, number>;
    errorBreakdowns: {
      errorCode: string;
      errorCount: number;
      errorLogEntries: { url: string; errorDetails: string[] }[];
    }[];
    startTime?: { seconds: number };
    endTime?: { seconds: number };
  };
}

/** A google.longrunning.Operation as the client hands it over at run time. */
export interface PlainOperation {
  name?: string | null;
  done?: boolean | null;
  metadata?: { value?: Uint8Array | null } | null;
  error?: { code?: number | null; message?: string | null } | null;
}

// The client's TypeScript types for its google.longrunning methods are off (a request must be a message instance;
// listOperationsAsync is typed as yielding list responses); at run time they take and yield plain Operations.

/** GetOperation (`transferOperations/...`) through the client. */
export async function getTransferOperation(
  client: StorageTransferServiceClient,
  name: string,
): Promise<PlainOperation> {
  const [op] = (await client.getOperation({ name } as never)) as unknown as [PlainOperation];
  return op;
}

/** ListOperations: name `transferOperations`, the filter JSON `{"projectId": ..., "jobNames": [...], ...}`. */
export async function listTransferOperations(
  client: StorageTransferServiceClient,
  filter: { projectId: string; jobNames?: string[]; operationNames?: string[]; transferStatuses?: string[] },
): Promise<PlainOperation[]> {
  const out: PlainOperation[] = [];
  for await (const op of client.listOperationsAsync({
    name: 'transferOperations',
    filter: JSON.stringify(filter),
  } as never))
    out.push(op as unknown as PlainOperation);
  return out;
}
