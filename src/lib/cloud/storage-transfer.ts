import type { Environment } from '../config/schema.js';
import { RuntimeError } from '../errors/gwctl-error.js';
import { authOptions } from './google-auth.js';
import { grpcEmulatorOptions } from './grpc-emulator.js';
import { describeApiError } from './monitoring.js';
import { withRetry } from './retry.js';
import { refuseRealCloudForSandbox } from './sandbox-guard.js';

/** A one-off bucket-to-bucket copy of the objects a transfer manifest names. */
export interface TransferSpec {
  /** `transferJobs/<id>`: chosen by gwctl, so a retried create finds its own job (ALREADY_EXISTS) instead of a second one. */
  job: string;
  description: string;
  source: { bucket: string; path: string };
  sink: { bucket: string; path: string };
  /** `gs://bucket/object.csv`: names relative to `source.path`, one a line. */
  manifest: string;
}

/** What one error code cost a transfer operation, with the service's samples (at most 5 a code). */
export interface TransferError {
  /** google.rpc.Code name: `PERMISSION_DENIED`, `NOT_FOUND`, … */
  code: string;
  count: number;
  samples: { url: string; details: string[] }[];
}

/** A transfer operation as gwctl follows it; no SDK type leaks out. */
export interface TransferProgress {
  operation: string;
  /** IN_PROGRESS, PAUSED, QUEUED, SUSPENDING until it ends SUCCESS, FAILED or ABORTED. */
  status: string;
  done: boolean;
  objectsFound: number;
  bytesFound: number;
  objectsCopied: number;
  bytesCopied: number;
  objectsFailed: number;
  errors: TransferError[];
}

/** The Storage Transfer Service calls gwctl makes. */
export interface TransferJobs {
  /** The service agent that reads and writes the buckets for the project's jobs (GetGoogleServiceAccount). */
  serviceAccount(): Promise<string>;
  /** Creates the job (or finds it, created by an earlier try) and starts one run of it: the operation's name. */
  run(spec: TransferSpec): Promise<string>;
  progress(operation: string): Promise<TransferProgress>;
  /** Asks the service to stop the operation (google.longrunning CancelOperation): best effort, it may still copy a little. */
  cancel(operation: string): Promise<void>;
  close(): Promise<void>;
}

// gRPC codes: ALREADY_EXISTS, FAILED_PRECONDITION, and those worth another try (DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED, UNAVAILABLE).
const ALREADY_EXISTS = 6;
const FAILED_PRECONDITION = 9;
const TRANSIENT = new Set([4, 8, 14]);
/** The library retries some calls on UNAVAILABLE for minutes; gwctl's one layer of retries (withRetry) is enough. */
const CALL_OPTIONS = { timeout: 30_000, maxRetries: 0 };

/** google.rpc.Code by number (error_breakdowns carry the enum). */
const RPC_CODES = [
  'OK',
  'CANCELLED',
  'UNKNOWN',
  'INVALID_ARGUMENT',
  'DEADLINE_EXCEEDED',
  'NOT_FOUND',
  'ALREADY_EXISTS',
  'PERMISSION_DENIED',
  'RESOURCE_EXHAUSTED',
  'FAILED_PRECONDITION',
  'ABORTED',
  'OUT_OF_RANGE',
  'UNIMPLEMENTED',
  'INTERNAL',
  'UNAVAILABLE',
  'DATA_LOSS',
  'UNAUTHENTICATED',
];
const OPERATION_STATUS = [
  'STATUS_UNSPECIFIED',
  'IN_PROGRESS',
  'PAUSED',
  'SUCCESS',
  'FAILED',
  'ABORTED',
  'QUEUED',
  'SUSPENDING',
];

/** The real API's client options: Application Default Credentials, or those of --impersonate-service-account. */
export async function storageTransferOptions(env: Environment) {
  // The client (3.x) types its authClient with google-gax 4's google-auth-library; gwctl's is the newer one.
  return { projectId: env.project, ...((await authOptions(env)) as Record<string, never>) };
}

/**
 * Storage Transfer Service through `@google-cloud/storage-transfer` (gRPC), loaded on first use: Application Default
 * Credentials, or the environment's emulator (`emulators.storagetransfer`, host:port) over insecure gRPC without auth.
 * Jobs are created in the environment's project, with no schedule (google/storagetransfer/v1/transfer_types.proto,
 * TransferJob.schedule: "the job never executes a transfer, unless you invoke RunTransferJob"), and run once.
 * `attempts`: tries of a call answered with a transient error (default 6; doctor's one look: 1).
 */
export async function openTransferJobs(env: Environment, opts: { attempts?: number } = {}): Promise<TransferJobs> {
  const emulator = env.emulators?.storagetransfer;
  if (!emulator) refuseRealCloudForSandbox(env, 'Storage Transfer Service');
  type Client = InstanceType<(typeof import('@google-cloud/storage-transfer'))['StorageTransferServiceClient']>;
  let client: Promise<Client> | undefined;
  const open = () =>
    (client ??= (async () => {
      const { StorageTransferServiceClient } = await import('@google-cloud/storage-transfer');
      // Initialised here, awaited: left to the first call, a credentials failure escapes as an unhandled rejection.
      if (!emulator) return initialised(new StorageTransferServiceClient(await storageTransferOptions(env)));
      return initialised(
        new StorageTransferServiceClient(await grpcEmulatorOptions(emulator, 'storagetransfer', env.project)),
      );
    })());
  const project = env.project;
  const retried = <T>(fn: () => Promise<T>) =>
    withRetry(fn, { attempts: opts.attempts ?? 6, isRetryable: isTransientGrpc });
  const fail = (what: string) => (err: unknown) => {
    throw new RuntimeError(`${what}: ${describeApiError(err, NEEDS)}`, { cause: err });
  };
  return {
    async serviceAccount() {
      const c = await open().catch(fail('opening the Storage Transfer Service client'));
      const [sa] = await retried(() => c.getGoogleServiceAccount({ projectId: project }, CALL_OPTIONS)).catch(
        fail(`reading the Storage Transfer Service agent of project ${project}`),
      );
      return sa.accountEmail ?? '';
    },
    async run(spec) {
      const what = `running Storage Transfer Service job ${spec.job}`;
      const c = await open().catch(fail(what));
      const transferJob = {
        name: spec.job,
        description: spec.description,
        projectId: project,
        status: 'ENABLED' as const,
        transferSpec: {
          gcsDataSource: { bucketName: spec.source.bucket, path: spec.source.path },
          gcsDataSink: { bucketName: spec.sink.bucket, path: spec.sink.path },
          transferManifest: { location: spec.manifest },
          // What is staged already (a retried run) is not copied again; what differs is.
          transferOptions: { overwriteWhen: 'DIFFERENT' as const },
        },
      };
      await retried(async () => {
        try {
          await c.createTransferJob({ transferJob }, CALL_OPTIONS);
        } catch (err) {
          // Our own earlier try created it (its answer was lost): the name is this run's alone.
          if (codeOf(err) !== ALREADY_EXISTS) throw err;
        }
      }).catch(fail(what));
      return retried(async () => {
        try {
          const [operation] = await c.runTransferJob({ jobName: spec.job, projectId: project }, CALL_OPTIONS);
          return operation.name ?? '';
        } catch (err) {
          // "A TransferJob has a maximum of one active TransferOperation": an earlier try started it.
          if (codeOf(err) !== FAILED_PRECONDITION) throw err;
          const [job] = await c.getTransferJob({ jobName: spec.job, projectId: project }, CALL_OPTIONS);
          if (!job.latestOperationName) throw err;
          return job.latestOperationName;
        }
      }).catch(fail(what));
    },
    async progress(operation) {
      const what = `reading Storage Transfer Service operation ${operation}`;
      const c = await open().catch(fail(what));
      const op = await retried(() => c.checkRunTransferJobProgress(operation)).catch(fail(what));
      return toProgress(operation, Boolean(op.done), op.metadata as SdkOperation | null, op.error);
    },
    async cancel(operation) {
      const what = `cancelling Storage Transfer Service operation ${operation}`;
      const c = await open().catch(fail(what));
      await retried(() =>
        c.cancelOperation({ name: operation } as Parameters<Client['cancelOperation']>[0], CALL_OPTIONS),
      ).catch(fail(what));
    },
    close: async () => {
      if (client) await (await client.catch(() => undefined))?.close();
    },
  };
}

const NEEDS = 'roles/storagetransfer.user on the project';

async function initialised<C extends { initialize(): Promise<unknown> }>(client: C): Promise<C> {
  await client.initialize();
  return client;
}

type Int64 = number | string | { toString(): string } | null | undefined;
interface SdkOperation {
  status?: number | string | null;
  counters?: {
    objectsFoundFromSource?: Int64;
    bytesFoundFromSource?: Int64;
    objectsCopiedToSink?: Int64;
    bytesCopiedToSink?: Int64;
    objectsFromSourceFailed?: Int64;
  } | null;
  errorBreakdowns?:
    | {
        errorCode?: number | string | null;
        errorCount?: Int64;
        errorLogEntries?: { url?: string | null; errorDetails?: string[] | null }[] | null;
      }[]
    | null;
}

const count = (n: Int64) => (n === null || n === undefined ? 0 : Number(String(n)));
const enumName = (names: string[], v: number | string | null | undefined) =>
  typeof v === 'number' ? (names[v] ?? String(v)) : (v ?? names[0]!);

function toProgress(
  operation: string,
  done: boolean,
  m: SdkOperation | null,
  error: { message?: string | null } | null | undefined,
): TransferProgress {
  const c = m?.counters ?? {};
  const errors: TransferError[] = (m?.errorBreakdowns ?? []).map((e) => ({
    code: enumName(RPC_CODES, e.errorCode),
    count: count(e.errorCount),
    samples: (e.errorLogEntries ?? []).map((s) => ({ url: s.url ?? '', details: [...(s.errorDetails ?? [])] })),
  }));
  // A finished operation with an error and no breakdown still failed: say why.
  if (done && error?.message && errors.length === 0)
    errors.push({ code: 'UNKNOWN', count: 1, samples: [{ url: '', details: [error.message] }] });
  return {
    operation,
    status: enumName(OPERATION_STATUS, m?.status),
    done,
    objectsFound: count(c.objectsFoundFromSource),
    bytesFound: count(c.bytesFoundFromSource),
    objectsCopied: count(c.objectsCopiedToSink),
    bytesCopied: count(c.bytesCopiedToSink),
    objectsFailed: count(c.objectsFromSourceFailed),
    errors,
  };
}

const codeOf = (err: unknown) => (err as { code?: unknown })?.code;
const isTransientGrpc = (err: unknown) => TRANSIENT.has(codeOf(err) as number);
