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
  prev: string;
  /** SHA-256 of this record without `hash`: catches an edit of the last line, which has no successor. */
  hash: string;
}

export const GENESIS = '0'.repeat(64);

export const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** Key order is fixed so the same record always hashes the same. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
        .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

export function sealRecord(record: Omit<AuditRecord, 'hash'>): AuditRecord {
  return { ...record, hash: sha256(canonicalJson(record)) };
}

export function serialiseRecord(record: AuditRecord): string {
  return canonicalJson(record);
}
