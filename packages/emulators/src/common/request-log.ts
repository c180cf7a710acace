import { appendFileSync, closeSync } from 'node:fs';
import { isoTime } from './iso-time.js';
import { openPrivateFile } from './private-files.js';

/** One request as an emulator saw it; what `gwctl sandbox requests` prints. */
export interface RecordedRequest {
  service: string;
  method: string;
  path: string;
  status: number;
  time: string;
  durationMs: number;
  /** Set when the fault injector answered instead of the emulator. */
  fault?: InjectedFault;
  /** Set on a call that arrived inside a batch request (which is recorded too, without it). */
  batch?: boolean;
}

export type InjectedFault = '429' | '503' | 'reset';

export interface RequestFilter {
  service?: string;
  since?: Date;
  method?: string;
}

/** The MongoDB emulator's read-only commands (its request "method"): they never change state. */
export const MONGO_READ_COMMANDS = new Set([
  'hello',
  'ismaster',
  'isMaster',
  'ping',
  'buildInfo',
  'buildinfo',
  'getParameter',
  'connectionStatus',
  'whatsmyuri',
  'endSessions',
  'listDatabases',
  'listCollections',
  'listIndexes',
  'find',
  'getMore',
  'killCursors',
  'count',
  'aggregate',
]);

/**
 * Methods that never change state: tests assert "no mutating request" by filtering these out.
 * HTTP verbs, and the MongoDB emulator's read-only command names.
 */
export const READ_ONLY_METHODS = new Set([
  'GET',
  'HEAD',
  'OPTIONS',
  'WATCH',
  ...[...MONGO_READ_COMMANDS].map((m) => m.toUpperCase()),
]);

/** gRPC calls are all POSTs: the read-only ones are Google's standard Get and List methods (AIP-131, AIP-132). */
const GRPC_READ = /^\/[\w.]+\/(Get|List|BatchGet)[A-Z]/;

export const isMutating = (r: RecordedRequest) =>
  !READ_ONLY_METHODS.has(r.method.toUpperCase()) && !GRPC_READ.test(r.path) && !r.fault;

/**
 * Every request an emulator answers, in order. Optionally mirrored to a JSONL file so
 * another process (the `sandbox requests` command) can read what a detached sandbox saw.
 */
export class RequestLog {
  readonly entries: RecordedRequest[] = [];

  constructor(private readonly file?: string) {
    // Paths name buckets, objects and Secrets: the owner's only, like the data they describe.
    if (file) closeSync(openPrivateFile(file, 'a'));
  }

  record(entry: RecordedRequest): void {
    this.entries.push(entry);
    if (this.file) appendFileSync(this.file, `${JSON.stringify(entry)}\n`);
  }

  list(filter: RequestFilter = {}): RecordedRequest[] {
    return filterRequests(this.entries, filter);
  }

  /** Requests that could have changed state (anything but GET/HEAD/OPTIONS), faults excluded. */
  mutating(filter: RequestFilter = {}): RecordedRequest[] {
    return this.list(filter).filter(isMutating);
  }

  clear(): void {
    this.entries.length = 0;
  }
}

export interface RequestSeen {
  service: string;
  method: string;
  path: string;
  fault?: InjectedFault;
  batch?: boolean;
}

/** Records one request that started at `started` and has just ended with `status`. */
export function recordRequest(log: RequestLog, request: RequestSeen, started: number, status: number): void {
  const entry: RecordedRequest = {
    service: request.service,
    method: request.method,
    path: request.path,
    status,
    time: isoTime(started),
    durationMs: Date.now() - started,
  };
  if (request.fault) entry.fault = request.fault;
  if (request.batch) entry.batch = request.batch;
  log.record(entry);
}

/**
 * Starts recording one request (its time is `started`); call the result once the outcome is known.
 * Every emulator records through this (or `recordRequest`), so entries have one shape whatever the protocol.
 */
export function startRecording(log: RequestLog, request: RequestSeen, started = Date.now()): (status: number) => void {
  return (status) => recordRequest(log, request, started, status);
}

export function filterRequests(entries: RecordedRequest[], filter: RequestFilter): RecordedRequest[] {
  return entries.filter(
    (r) =>
      (!filter.service || r.service === filter.service) &&
      (!filter.method || r.method.toUpperCase() === filter.method.toUpperCase()) &&
      (!filter.since || new Date(r.time) >= filter.since),
  );
}
