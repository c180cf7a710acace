import { createHash } from 'node:crypto';

/** What every record says: who did what, where, under which approved plan. */
interface RecordBase {
  seq: number;
  time: string;
  operator: string;
  command: string;
  env: string;
  planDigest: string;
  summary: string;
  /** What the plan's steps acted on (`gs://bucket`, `deployment/default/poweb`): how `verify infra` attributes drift. */
  targets?: string[];
  /** Targets left out of `targets` (at most MAX_TARGETS are listed), and the digest of the full list: targets.ts. */
  targetsOmitted?: number;
  targetsDigest?: string;
  /** SHA-256 of the previous line's exact text (GENESIS for the first): the chain. */
  prev: string;
  /** SHA-256 of this record without `hash`: catches an edit of the last line, which has no successor. */
  hash: string;
}

/** The process that wrote an intent: how a later run tells a run in progress from one that died. */
export interface RunProcess {
  pid: number;
  host: string;
  /** When the process started (ISO): a live pid with another start time is a different process. */
  started: string;
}

/** Written, durably, before the first mutating call. */
export interface IntentRecord extends RecordBase {
  kind: 'intent';
  /** Links the intent to its outcome. */
  run: string;
  process: RunProcess;
  /** How many steps the plan has. */
  steps: number;
}

export type OutcomeResult = 'applied' | 'failed' | 'interrupted' | 'abandoned';

/** Which of the plan's steps were done; ids only when not all were (a finished plan is its digest). */
export interface StepsDone {
  planned: number;
  /** Undefined when the run did not report its steps and did not finish (or nobody knows, for an abandoned run). */
  done?: number;
  ids?: string[];
  /** Ids left out of `ids` to keep the line short. */
  more?: number;
}

/** Written after the apply: what came of the intent with the same `run`. */
export interface OutcomeRecord extends RecordBase {
  kind: 'outcome';
  run: string;
  result: OutcomeResult;
  steps: StepsDone;
  error?: string;
  /** SIGINT, SIGTERM or SIGHUP, for an interrupted run. */
  signal?: string;
  /** For an abandoned run: the run that found it dead and recorded this. */
  reconciledBy?: string;
  /** What was done, for the record (counts, ids); never secrets. */
  details?: unknown;
}

/** One record per change, written after the apply, as gwctl did before write-ahead records: still verified and shown. */
export interface LegacyRecord extends RecordBase {
  kind?: undefined;
  result: 'applied' | 'failed';
  error?: string;
  details?: unknown;
}

/** A local hash-chained log appended to the shared log (`audit import`): where from, and the head it ended at. */
export interface ImportRecord extends RecordBase {
  kind: 'import';
  from: string;
  /** SHA-256 of the imported file's last line: its head, as `audit verify` printed it. */
  head: string;
  records: number;
  firstIndex: number;
  lastIndex: number;
}

export type AuditRecord = IntentRecord | OutcomeRecord | LegacyRecord | ImportRecord;

type Unsealed<T> = T extends unknown ? Omit<T, 'seq' | 'time' | 'prev' | 'hash'> : never;
/** What a writer hands to the log; the log adds seq, time, prev and hash. */
export type AuditEntry = Unsealed<AuditRecord>;

export const GENESIS = '0'.repeat(64);

export const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * Key order is fixed so the same record always hashes the same: `JSON.stringify` of the value with
 * every object's keys sorted and undefined members dropped. Written out directly rather than by
 * rebuilding sorted copies first: a backup manifest of 10,000 objects is sealed with it, and the
 * copies cost more than the serialising. The output is byte for byte what the rebuilt copies gave
 * (sealed audit logs and manifests depend on it), integer-like keys first included, as JS orders them.
 */
export function canonicalJson(value: unknown): string {
  return serialise(value) as string;
}

function serialise(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object' || value instanceof Date) return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map((v) => serialise(v) ?? 'null').join(',')}]`;
  const record = value as Record<string, unknown>;
  const parts: string[] = [];
  for (const key of objectKeyOrder(Object.keys(record).sort())) {
    const v = record[key];
    if (v === undefined || typeof v === 'function' || typeof v === 'symbol') continue;
    parts.push(`${JSON.stringify(key)}:${serialise(v)}`);
  }
  return `{${parts.join(',')}}`;
}

const INDEX_KEY = /^(?:0|[1-9]\d*)$/;

/** The order JS gives an object built from `sorted` keys: array-index keys first, ascending, then the rest as given. */
function objectKeyOrder(sorted: string[]): string[] {
  const indices = sorted.filter((k) => INDEX_KEY.test(k) && Number(k) < 2 ** 32 - 1);
  if (indices.length === 0) return sorted;
  const index = new Set(indices);
  return [...indices.sort((a, b) => Number(a) - Number(b)), ...sorted.filter((k) => !index.has(k))];
}

export function sealRecord(record: Omit<AuditRecord, 'hash'>): AuditRecord {
  return { ...record, hash: sha256(canonicalJson(record)) } as AuditRecord;
}

export function serialiseRecord(record: AuditRecord): string {
  return canonicalJson(record);
}
