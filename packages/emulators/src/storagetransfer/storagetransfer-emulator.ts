import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as grpc from '@grpc/grpc-js';
import { fromJSON } from '@grpc/proto-loader';
import protobuf from 'protobufjs';
import type { FaultInjector } from '../common/faults.js';
import { serveRecordedGrpc } from '../common/grpc-serve.js';
import type { RequestLog } from '../common/request-log.js';
import { GcsJson } from './gcs-json.js';
import { invalid, TransferError } from './transfer-error.js';
import type { TransferJob } from './transfer-job.js';
import { runOperation, type ObjectFault, type RunControl, type RunFault } from './transfer-run.js';
import { TransferStore, zeroCounters, type StoredOperation } from './transfer-store.js';

export interface StorageTransferEmulatorOptions {
  /** The GCS emulator jobs copy within: its base URL (`GcsEmulator.url`), or the emulator itself. */
  gcsUrl?: string;
  gcs?: { url: string };
  /** Keep jobs and operations here (one JSON file), and load them from here at start. */
  dataDir?: string;
  log?: RequestLog;
  faults?: FaultInjector;
  /** A pause before each object a run handles (default 0), so that tests see an operation IN_PROGRESS. */
  objectDelayMs?: number;
}

export interface StorageTransferEmulator {
  /** `127.0.0.1:<port>`, insecure gRPC: what `env.emulators.storagetransfer` takes. */
  host: string;
  port: number;
  log: RequestLog;
  /** Faults on the gRPC calls, keyed by method: `faults.failNext('503', 'RunTransferJob')`. */
  faults: FaultInjector;
  store: TransferStore;
  /** Makes the next run that starts end FAILED (after `afterObjects` copies, default 0), with `code` in errorBreakdowns. */
  failNextRun(fault?: RunFault): void;
  /** Makes the copy of matching source objects fail in every run from now on (cleared by `clearObjectFaults`). */
  failObjects(fault: ObjectFault): void;
  clearObjectFaults(): void;
  /** Answers every call as a project where the API is not enabled (PERMISSION_DENIED), until called with false. */
  disableApi(disabled?: boolean): void;
  /** Resolves once no run is under way. */
  idle(): Promise<void>;
  close(): Promise<void>;
}

const METADATA_TYPE = 'type.googleapis.com/google.storagetransfer.v1.TransferOperation';
const EMPTY_TYPE = 'type.googleapis.com/google.protobuf.Empty';
const MAX_PAGE_SIZE = 256;

/**
 * Storage Transfer Service (`google.storagetransfer.v1.StorageTransferService`) and its operations
 * (`google.longrunning.Operations`, names `transferOperations/...`) over insecure gRPC, with the messages of the
 * `@google-cloud/storage-transfer` client's own bundled protos, behind the gRPC recorder (every call logged as service
 * `storagetransfer`; faults injected). Jobs copy between buckets of the GCS emulator through its JSON API, in the
 * background of RunTransferJob; schedules are stored but never fire. Agent pools answer UNIMPLEMENTED.
 */
export async function startStorageTransferEmulator(
  opts: StorageTransferEmulatorOptions,
): Promise<StorageTransferEmulator> {
  const gcsUrl = opts.gcsUrl ?? opts.gcs?.url;
  if (!gcsUrl) throw new Error('startStorageTransferEmulator: gcsUrl (or gcs) is required');
  const gcs = new GcsJson(gcsUrl);
  const store = new TransferStore(opts.dataDir);
  const { services, operationType } = loadProtos();
  const runs = new Map<string, { control: RunControl; done: Promise<void> }>();
  let nextRunFault: RunFault | undefined;
  const objectFaults: ObjectFault[] = [];
  const start = (name: string, paused = false) => {
    const control: RunControl = { cancel: false, stop: false, paused };
    const runFault = nextRunFault;
    nextRunFault = undefined;
    const done = runOperation(name, {
      store,
      gcs,
      now: Date.now,
      objectDelayMs: opts.objectDelayMs ?? 0,
      runFault,
      objectFaults,
      control,
    }).finally(() => runs.delete(name));
    runs.set(name, { control, done });
  };
  const operation = (op: StoredOperation) => wireOperation(op, operationType);
  let apiDisabled = false;
  const unary = <Req>(handle: (req: Req) => unknown) =>
    answer<Req>((req) => {
      if (apiDisabled) throw serviceDisabled((req as { projectId?: string }).projectId);
      return handle(req);
    });

  const server = new grpc.Server();
  server.addService(services.transfer, {
    GetGoogleServiceAccount: unary((req: { projectId?: string }) => serviceAccount(req.projectId)),
    CreateTransferJob: unary((req: { transferJob?: TransferJob }) => store.createJob(req.transferJob)),
    GetTransferJob: unary((req: JobRequest) => store.getJob(req.jobName, req.projectId)),
    UpdateTransferJob: unary((req: UpdateRequest) =>
      store.updateJob(req.jobName, req.projectId, req.transferJob, req.updateTransferJobFieldMask?.paths ?? []),
    ),
    ListTransferJobs: unary((req: ListRequest) => {
      const filter = parseFilter(req.filter);
      const page = paginate(store.listJobs(filter), req.pageSize, req.pageToken);
      return { transferJobs: page.items, nextPageToken: page.next };
    }),
    DeleteTransferJob: unary((req: JobRequest) => (store.deleteJob(req.jobName, req.projectId), {})),
    RunTransferJob: unary((req: JobRequest) => {
      const op = store.startOperation(req.jobName, req.projectId);
      start(op.metadata.name);
      return operation(op);
    }),
    PauseTransferOperation: unary((req: { name?: string }) => setPaused(req.name, true)),
    ResumeTransferOperation: unary((req: { name?: string }) => setPaused(req.name, false)),
  });
  server.addService(services.operations, {
    GetOperation: unary((req: { name?: string }) => operation(store.getOperation(req.name))),
    ListOperations: unary((req: ListRequest & { name?: string }) => {
      // transfer.proto's HTTP rule: `get: "/v1/{name=transferOperations}"`, the filter JSON as ListTransferJobs'.
      if (req.name !== 'transferOperations')
        throw invalid(`name must be "transferOperations", not "${req.name ?? ''}".`);
      const page = paginate(store.listOperations(parseFilter(req.filter)), req.pageSize, req.pageToken);
      return { operations: page.items.map(operation), nextPageToken: page.next };
    }),
    CancelOperation: unary((req: { name?: string }) => {
      const op = store.getOperation(req.name);
      const run = runs.get(op.metadata.name);
      if (run) {
        run.control.cancel = true;
        run.control.wake?.();
      }
      return {};
    }),
  });

  // Paused operations wait in their run; the stored status tells GetOperation.
  function setPaused(name: string | undefined, paused: boolean): object {
    const op = store.getOperation(name);
    const run = runs.get(op.metadata.name);
    const want = paused ? 'IN_PROGRESS' : 'PAUSED';
    if (!run || op.metadata.status !== want)
      throw new TransferError('FAILED_PRECONDITION', `Operation ${op.metadata.name} is ${op.metadata.status}.`);
    run.control.paused = paused;
    store.operationRecord(op.metadata.name)!.metadata.status = paused ? 'PAUSED' : 'IN_PROGRESS';
    store.save();
    if (!paused) run.control.wake?.();
    return {};
  }

  // A run the process did not finish (stopped or killed): taken up again from the start (still paused if it was),
  // its counters anew; the copies it had made are found in the sink and skipped by sync (unless it overwrites ALWAYS).
  for (const op of store.unfinished()) {
    const record = store.operationRecord(op.metadata.name)!;
    Object.assign(record.metadata, { counters: zeroCounters(), errorBreakdowns: [] });
    start(op.metadata.name, record.metadata.status === 'PAUSED');
  }

  const recorder = await serveRecordedGrpc(server, { service: 'storagetransfer', log: opts.log, faults: opts.faults });
  const idle = async () => {
    while (runs.size) await Promise.all([...runs.values()].map((r) => r.done));
  };
  return {
    host: recorder.host,
    port: recorder.port,
    log: recorder.log,
    faults: recorder.faults,
    store,
    failNextRun: (fault = {}) => (nextRunFault = fault),
    failObjects: (fault) => objectFaults.push(fault),
    clearObjectFaults: () => (objectFaults.length = 0),
    disableApi: (disabled = true) => (apiDisabled = disabled),
    idle,
    close: async () => {
      // Runs stop where they are, still IN_PROGRESS; a restart with the same dataDir takes them up again.
      for (const r of runs.values()) {
        r.control.stop = true;
        r.control.wake?.();
      }
      await idle();
      await recorder.close();
    },
  };
}

interface JobRequest {
  jobName?: string;
  projectId?: string;
}
interface UpdateRequest extends JobRequest {
  transferJob?: TransferJob;
  updateTransferJobFieldMask?: { paths?: string[] };
}
interface ListFilter {
  projectId: string;
  jobNames?: string[];
  jobStatuses?: string[];
  operationNames?: string[];
  transferStatuses?: string[];
}
interface ListRequest {
  filter?: string;
  pageSize?: number;
  pageToken?: string;
}

/** ListTransferJobsRequest.filter: JSON text; "projectId is required"; jobNames and jobStatuses in array notation. */
function parseFilter(text: string | undefined): ListFilter {
  if (!text) throw invalid('filter is required.');
  let filter: unknown;
  try {
    filter = JSON.parse(text);
  } catch {
    throw invalid(`filter is not valid JSON: ${text}`);
  }
  if (!filter || typeof filter !== 'object' || Array.isArray(filter)) throw invalid('filter must be a JSON object.');
  const f = filter as Record<string, unknown>;
  if (typeof f.projectId !== 'string' || !f.projectId) throw invalid('filter.projectId is required.');
  for (const key of ['jobNames', 'jobStatuses', 'operationNames', 'transferStatuses'])
    if (f[key] !== undefined && (!Array.isArray(f[key]) || (f[key] as unknown[]).some((v) => typeof v !== 'string')))
      throw invalid(`filter.${key} must be an array of strings.`);
  return f as unknown as ListFilter;
}

function paginate<T>(all: T[], pageSize = 0, pageToken = ''): { items: T[]; next: string } {
  if (pageSize < 0) throw invalid('page_size must not be negative.');
  if (pageToken && !/^\d+$/.test(pageToken)) throw invalid('Invalid page_token.');
  const offset = Number(pageToken || 0);
  const size = Math.min(pageSize || MAX_PAGE_SIZE, MAX_PAGE_SIZE);
  return { items: all.slice(offset, offset + size), next: offset + size < all.length ? String(offset + size) : '' };
}

/**
 * GetGoogleServiceAccount: STS's per-project service agent, `project-<number>@storage-transfer-service.iam.gserviceaccount.com`
 * (https://cloud.google.com/storage-transfer/docs/iam-cloud); the number here is derived from the project id.
 */
function serviceAccount(projectId: string | undefined) {
  if (!projectId) throw invalid('project_id is required.');
  const digits = projectNumber(projectId);
  return {
    accountEmail: `project-${digits}@storage-transfer-service.iam.gserviceaccount.com`,
    subjectId: `1${digits.padStart(20, '0')}`,
  };
}

/** The emulated project number, derived from the project id. */
const projectNumber = (projectId: string) =>
  BigInt(`0x${createHash('sha256').update(projectId).digest('hex').slice(0, 12)}`).toString();

/** A google.longrunning.Operation: metadata packs a TransferOperation; done ones answer Empty, or the error they ended with. */
function wireOperation(op: StoredOperation, type: protobuf.Type) {
  const metadata = { typeUrl: METADATA_TYPE, value: Buffer.from(type.encode(type.fromObject(op.metadata)).finish()) };
  const result = !op.done
    ? {}
    : op.error
      ? { error: op.error }
      : { response: { typeUrl: EMPTY_TYPE, value: Buffer.alloc(0) } };
  return { name: op.metadata.name, metadata, done: op.done, ...result };
}

/**
 * What Google's APIs answer a project where the API is not enabled: PERMISSION_DENIED, ErrorInfo reason
 * SERVICE_DISABLED (google/api/error_reason.proto: "The request is calling a disabled service for a consumer",
 * metadata `service` and `consumer`), and this message, which clients show (the ErrorInfo detail is not sent here).
 */
function serviceDisabled(projectId: string | undefined) {
  const project = projectId ? projectNumber(projectId) : 'unknown';
  return new TransferError(
    'PERMISSION_DENIED',
    `Storage Transfer API has not been used in project ${project} before or it is disabled. Enable it by visiting https://console.developers.google.com/apis/api/storagetransfer.googleapis.com/overview?project=${project} then retry. If you enabled this API recently, wait a few minutes for the action to propagate to our systems and retry.`,
  );
}

function answer<Req>(handle: (req: Req) => unknown): grpc.handleUnaryCall<Req, unknown> {
  return (call, callback) => {
    try {
      callback(null, handle(call.request));
    } catch (err) {
      if (err instanceof TransferError) return callback({ code: grpc.status[err.code], details: err.message });
      callback({ code: grpc.status.INTERNAL, details: (err as Error).message });
    }
  };
}

/**
 * The client library's bundled protobuf definitions (data only; its code is not loaded here), which hold both the
 * transfer service and google.longrunning.Operations. Loaded sparse: a field the client did not send stays absent.
 */
function loadProtos() {
  const require = createRequire(import.meta.url);
  const json = JSON.parse(
    readFileSync(require.resolve('@google-cloud/storage-transfer/build/protos/protos.json'), 'utf8'),
  ) as protobuf.INamespace;
  const pkg = grpc.loadPackageDefinition(
    fromJSON(json, { keepCase: false, longs: String, enums: String, defaults: false, oneofs: false }),
  ) as unknown as {
    google: {
      storagetransfer: { v1: { StorageTransferService: { service: grpc.ServiceDefinition } } };
      longrunning: { Operations: { service: grpc.ServiceDefinition } };
    };
  };
  return {
    services: {
      transfer: pkg.google.storagetransfer.v1.StorageTransferService.service,
      operations: pkg.google.longrunning.Operations.service,
    },
    operationType: protobuf.Root.fromJSON(json).lookupType('google.storagetransfer.v1.TransferOperation'),
  };
}
