import { RuntimeError } from '../errors/gwctl-error.js';
import type { AuditLine } from './lines.js';
import { GENESIS, sealRecord, serialiseRecord, sha256, type AuditEntry, type AuditRecord } from './record.js';

export interface ChainedRecord {
  record: AuditRecord;
  text: string;
}

/**
 * Seals `entries` as the next records after `log`: each gets the next seq and the hash of the line
 * before it. A log whose last line is not a record cannot be extended (its seq is unknown, and
 * chaining onto it would bless whatever it is): that is an error, never a guess.
 */
export function extendChain(
  location: string,
  log: readonly AuditLine[],
  entries: AuditEntry[],
  now = new Date(),
): ChainedRecord[] {
  const last = log.at(-1);
  if (last && !last.record)
    throw new RuntimeError(
      `audit log ${location}: ${last.problem!.message}, so no record can follow it; run gwctl audit verify, keep a copy of the file as evidence, then repair or move it aside`,
    );
  let seq = last?.record?.seq ?? 0;
  let prev = last ? sha256(last.text) : GENESIS;
  return entries.map((entry) => {
    const record = sealRecord({ ...entry, seq: ++seq, time: now.toISOString(), prev } as Omit<AuditRecord, 'hash'>);
    const text = serialiseRecord(record);
    prev = sha256(text);
    return { record, text };
  });
}
