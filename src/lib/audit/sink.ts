import type { AuditLine } from './lines.js';
import type { AuditEntry, AuditRecord } from './record.js';

/**
 * Where audit records are kept: a local file today (file-sink.ts), a transparency log later. The
 * write-ahead protocol (write-ahead.ts) only needs these two operations.
 */
export interface AuditSink {
  /** Where the records are, for messages: a path or a URL. */
  readonly location: string;
  /** Every stored line in order, parsed where possible. */
  read(): Promise<AuditLine[]>;
  /**
   * Appends, durably and atomically with respect to every other writer, the entries `next` chooses
   * from the log as it is at that moment (none: nothing is written). Throws when they cannot be
   * recorded; then nothing was.
   */
  append(next: (log: readonly AuditLine[]) => AuditEntry[]): Promise<AuditRecord[]>;
}

/** Appends one entry. */
export async function appendEntry(sink: AuditSink, entry: AuditEntry): Promise<AuditRecord> {
  const [record] = await sink.append(() => [entry]);
  return record!;
}
