import { existsSync, readFileSync } from 'node:fs';
import { parseAuditText, recordsOf } from '../../src/lib/audit/lines.js';
import type { AuditRecord, IntentRecord, OutcomeRecord } from '../../src/lib/audit/record.js';

/** Every record of an audit log file, as stored (none when there is no file). */
export const auditRecords = (file: string): AuditRecord[] =>
  existsSync(file) ? recordsOf(parseAuditText(readFileSync(file, 'utf8'))) : [];

export const intentsIn = (file: string) => auditRecords(file).filter((r): r is IntentRecord => r.kind === 'intent');

export const outcomesIn = (file: string) => auditRecords(file).filter((r): r is OutcomeRecord => r.kind === 'outcome');
