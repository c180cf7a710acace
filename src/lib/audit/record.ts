import { createHash } from 'node:crypto';

/** One applied mutation. `prev` chains each line to the one before it (SHA-256 of its exact text). */
export interface AuditRecord {
  seq: number;
  time: string;
  operator: string;
  command: string;
  env: string;
  planDigest: string;
  summary: string;
  result: 'applied' | 'failed';
  error?: string;
  /** What was done, for the record (counts, ids); never secrets. */
  details?: unknown;
  /** What the plan's steps acted on (`gs://bucket`, `deployment/default/poweb`): how `verify infra` attributes drift. */
  targets?: string[];
  prev: string;
  /** SHA-256 of this record without `hash`: catches an edit of the last line, which has no successor. */
  hash: string;
}

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
  return { ...record, hash: sha256(canonicalJson(record)) };
}

export function serialiseRecord(record: AuditRecord): string {
  return canonicalJson(record);
}
