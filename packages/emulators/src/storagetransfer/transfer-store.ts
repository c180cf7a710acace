import { randomInt } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { makePrivateDir, replacePrivateFile } from '../common/private-files.js';
import { invalid, notFound, TransferError, type RpcCode } from './transfer-error.js';
import {
  checkDescription,
  checkNewJob,
  checkTransferSpec,
  UPDATABLE_FIELDS,
  type Timestamp,
  type TransferJob,
  type TransferSpec,
} from './transfer-job.js';

export type OperationStatus = 'IN_PROGRESS' | 'PAUSED' | 'SUCCESS' | 'FAILED' | 'ABORTED' | 'QUEUED';

/** TransferCounters (transfer_types.proto), the ones a Cloud Storage to Cloud Storage copy moves. */
export interface TransferCounters {
  objectsFoundFromSource: number;
  bytesFoundFromSource: number;
  objectsFromSourceSkippedBySync: number;
  bytesFromSourceSkippedBySync: number;
  objectsCopiedToSink: number;
  bytesCopiedToSink: number;
  objectsDeletedFromSource: number;
  bytesDeletedFromSource: number;
  objectsFromSourceFailed: number;
  bytesFromSourceFailed: number;
}

export interface ErrorSummary {
  errorCode: RpcCode;
  errorCount: number;
  errorLogEntries: { url: string; errorDetails: string[] }[];
}

/** `google.storagetransfer.v1.TransferOperation`, what an Operation's metadata packs. */
export interface TransferOperation {
  name: string;
  projectId: string;
  transferSpec: TransferSpec;
  notificationConfig?: unknown;
  loggingConfig?: unknown;
  startTime: Timestamp;
  endTime?: Timestamp;
  status: OperationStatus;
  counters: TransferCounters;
  errorBreakdowns: ErrorSummary[];
  transferJobName: string;
}

/** An operation and what the LRO says about how it ended. */
export interface StoredOperation {
  metadata: TransferOperation;
  done: boolean;
  /** Set when the operation ended with an error status (cancelled: CANCELLED, per google.longrunning). */
  error?: { code: number; message: string };
}

/** ErrorSummary: "At most 5 error log entries are recorded for a given error code for a single transfer operation." */
const MAX_LOG_ENTRIES = 5;
const TERMINAL: OperationStatus[] = ['SUCCESS', 'FAILED', 'ABORTED'];
export const isTerminal = (s: OperationStatus) => TERMINAL.includes(s);

export const timestamp = (ms: number): Timestamp => ({
  seconds: String(Math.floor(ms / 1000)),
  nanos: (ms % 1000) * 1e6,
});

export const zeroCounters = (): TransferCounters => ({
  objectsFoundFromSource: 0,
  bytesFoundFromSource: 0,
  objectsFromSourceSkippedBySync: 0,
  bytesFromSourceSkippedBySync: 0,
  objectsCopiedToSink: 0,
  bytesCopiedToSink: 0,
  objectsDeletedFromSource: 0,
  bytesDeletedFromSource: 0,
  objectsFromSourceFailed: 0,
  bytesFromSourceFailed: 0,
});

export function addError(op: TransferOperation, code: RpcCode, url: string, detail: string): void {
  let summary = op.errorBreakdowns.find((e) => e.errorCode === code);
  if (!summary) op.errorBreakdowns.push((summary = { errorCode: code, errorCount: 0, errorLogEntries: [] }));
  summary.errorCount++;
  if (summary.errorLogEntries.length < MAX_LOG_ENTRIES) summary.errorLogEntries.push({ url, errorDetails: [detail] });
}

interface Persisted {
  jobs: TransferJob[];
  operations: StoredOperation[];
}

/**
 * Transfer jobs and their operations, persisted as one JSON file when given a directory (rewritten whole on each
 * change, as the Cloud Build emulator's triggers are). Job names are unique across projects here, as the real API's
 * `transferJobs/...` resource names are global.
 */
export class TransferStore {
  private readonly jobs = new Map<string, TransferJob>();
  private readonly operations = new Map<string, StoredOperation>();
  private readonly file?: string;
  private sequence = 0;

  constructor(
    dataDir?: string,
    private readonly now: () => number = Date.now,
  ) {
    if (dataDir) {
      makePrivateDir(dataDir);
      this.file = join(dataDir, 'storagetransfer.json');
      if (existsSync(this.file)) {
        const saved = JSON.parse(readFileSync(this.file, 'utf8')) as Persisted;
        for (const j of saved.jobs) this.jobs.set(j.name!, j);
        for (const o of saved.operations) this.operations.set(o.metadata.name, o);
      }
    }
  }

  createJob(request: TransferJob | undefined): TransferJob {
    const job = structuredClone(checkNewJob(request));
    // TransferJob.name: "If this field is empty ... Storage Transfer Service assigns a unique name"; real ones are digits.
    job.name ||= this.freshJobName();
    if (this.jobs.has(job.name)) throw new TransferError('ALREADY_EXISTS', `Transfer job ${job.name} already exists.`);
    const now = timestamp(this.now());
    Object.assign(job, { creationTime: now, lastModificationTime: now });
    delete job.deletionTime;
    delete job.latestOperationName;
    this.jobs.set(job.name, job);
    this.save();
    return structuredClone(job);
  }

  /** GetTransferJob and the other job methods: the job must exist in `projectId` (required by every request). */
  getJob(name: string | undefined, projectId: string | undefined): TransferJob {
    return structuredClone(this.find(name, projectId));
  }

  /**
   * UpdateTransferJob: the mask names fields among the five updatable ones; without a mask, the fields the request's
   * transferJob sets. A new transfer_spec must be complete. Status DELETED soft-deletes (sets deletion_time).
   */
  updateJob(
    name: string | undefined,
    projectId: string | undefined,
    patch: TransferJob | undefined,
    maskPaths: string[],
  ): TransferJob {
    const job = this.find(name, projectId);
    if (!patch) throw invalid('transfer_job is required.');
    const fields = maskPaths.length
      ? maskPaths.map(camelCase)
      : Object.keys(patch).filter((k) => patch[k] !== undefined);
    if (!fields.length) throw invalid('update_transfer_job_field_mask names no field to update.');
    for (const f of fields)
      if (!UPDATABLE_FIELDS.has(f)) throw invalid(`Field "${f}" of a transfer job cannot be updated.`);
    if (job.status === 'DELETED') throw notFound(`Transfer job ${job.name}`);
    if (fields.includes('transferSpec')) checkTransferSpec(patch.transferSpec);
    if (fields.includes('description')) checkDescription(patch.description);
    if (fields.includes('status') && (!patch.status || patch.status === 'STATUS_UNSPECIFIED'))
      throw invalid('transfer_job.status must be ENABLED, DISABLED or DELETED.');
    for (const f of fields) {
      if (patch[f] === undefined) delete job[f];
      else job[f] = structuredClone(patch[f]);
    }
    job.lastModificationTime = timestamp(this.now());
    if (fields.includes('status') && patch.status === 'DELETED') job.deletionTime = job.lastModificationTime;
    this.save();
    return structuredClone(job);
  }

  /** DeleteTransferJob: "Deleting a transfer job sets its status to DELETED." */
  deleteJob(name: string | undefined, projectId: string | undefined): void {
    const job = this.find(name, projectId);
    if (job.status === 'DELETED') throw notFound(`Transfer job ${job.name}`);
    job.status = 'DELETED';
    job.deletionTime = job.lastModificationTime = timestamp(this.now());
    this.save();
  }

  /** ListTransferJobs' filter: `projectId` (required), `jobNames` and `jobStatuses` (case-insensitive). */
  listJobs(filter: { projectId?: string; jobNames?: string[]; jobStatuses?: string[] }): TransferJob[] {
    const statuses = filter.jobStatuses?.map((s) => s.toUpperCase());
    return [...this.jobs.values()]
      .filter(
        (j) =>
          j.projectId === filter.projectId &&
          (!filter.jobNames?.length || filter.jobNames.includes(j.name!)) &&
          (!statuses?.length || statuses.includes(j.status!)),
      )
      .map((j) => structuredClone(j));
  }

  /**
   * RunTransferJob: a new operation, IN_PROGRESS. "A TransferJob has a maximum of one active TransferOperation. If this
   * method is called while a TransferOperation is active, an error is returned."
   */
  startOperation(name: string | undefined, projectId: string | undefined): StoredOperation {
    const job = this.find(name, projectId);
    if (job.status === 'DELETED') throw notFound(`Transfer job ${job.name}`);
    if (job.status !== 'ENABLED')
      throw new TransferError('FAILED_PRECONDITION', `Transfer job ${job.name} is ${job.status}.`);
    const active = [...this.operations.values()].find(
      (o) => o.metadata.transferJobName === job.name && !isTerminal(o.metadata.status),
    );
    if (active)
      throw new TransferError(
        'FAILED_PRECONDITION',
        `Transfer job ${job.name} already has an active operation: ${active.metadata.name}.`,
      );
    // Real operation names read `transferOperations/transferJobs-<job id>-<number>`.
    const opName = `transferOperations/transferJobs-${job.name!.slice('transferJobs/'.length)}-${this.now()}${++this.sequence}`;
    const op: StoredOperation = {
      done: false,
      metadata: {
        name: opName,
        projectId: job.projectId!,
        transferSpec: structuredClone(job.transferSpec!),
        ...(job.notificationConfig ? { notificationConfig: structuredClone(job.notificationConfig) } : {}),
        ...(job.loggingConfig ? { loggingConfig: structuredClone(job.loggingConfig) } : {}),
        startTime: timestamp(this.now()),
        status: 'IN_PROGRESS',
        counters: zeroCounters(),
        errorBreakdowns: [],
        transferJobName: job.name!,
      },
    };
    this.operations.set(opName, op);
    job.latestOperationName = opName;
    this.save();
    return structuredClone(op);
  }

  getOperation(name: string | undefined): StoredOperation {
    const op = name ? this.operations.get(name) : undefined;
    if (!op) throw notFound(`Transfer operation ${name ?? ''}`);
    return structuredClone(op);
  }

  /** The live record, for the run that moves its counters; call `save()` after changing it. */
  operationRecord(name: string): StoredOperation | undefined {
    return this.operations.get(name);
  }

  /** Operations not yet ended: runs a restart has to take up again. */
  unfinished(): StoredOperation[] {
    return [...this.operations.values()].filter((o) => !o.done).map((o) => structuredClone(o));
  }

  /** ListOperations' filter: `projectId` (required), `jobNames`, `operationNames`, `transferStatuses`. Newest first. */
  listOperations(filter: {
    projectId?: string;
    jobNames?: string[];
    operationNames?: string[];
    transferStatuses?: string[];
  }): StoredOperation[] {
    const statuses = filter.transferStatuses?.map((s) => s.toUpperCase());
    return [...this.operations.values()]
      .filter(
        (o) =>
          o.metadata.projectId === filter.projectId &&
          (!filter.jobNames?.length || filter.jobNames.includes(o.metadata.transferJobName)) &&
          (!filter.operationNames?.length || filter.operationNames.includes(o.metadata.name)) &&
          (!statuses?.length || statuses.includes(o.metadata.status)),
      )
      .reverse()
      .map((o) => structuredClone(o));
  }

  save(): void {
    if (!this.file) return;
    const state: Persisted = { jobs: [...this.jobs.values()], operations: [...this.operations.values()] };
    replacePrivateFile(this.file, `${JSON.stringify(state, null, 2)}\n`);
  }

  private find(name: string | undefined, projectId: string | undefined): TransferJob {
    if (!name) throw invalid('job_name is required.');
    if (!projectId) throw invalid('project_id is required.');
    if (!name.startsWith('transferJobs/')) throw invalid(`Invalid job name "${name}".`);
    const job = this.jobs.get(name);
    if (!job || job.projectId !== projectId) throw notFound(`Transfer job ${name}`);
    return job;
  }

  private freshJobName(): string {
    let name: string;
    do name = `transferJobs/${randomInt(1e9, 1e10 - 1)}${randomInt(1e9, 1e10 - 1)}`;
    while (this.jobs.has(name));
    return name;
  }
}

/** FieldMask paths are proto field names (`transfer_spec`); the stored job uses JSON names. */
const camelCase = (path: string) => path.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
