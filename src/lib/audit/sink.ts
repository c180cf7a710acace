import type { AuditLine } from './lines.js';
import type { AuditEntry, AuditRecord } from './record.js';

/**
 * Where audit records are kept: a local file (file-sink.ts), or the environment's shared transparency log
 * (shared/shared-sink.ts). The write-ahead protocol (write-ahead.ts) only needs these operations.
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
  /**
   * For a sink whose append is durable before it is complete (the shared log: sequenced, then integrated in
   * the background): waits until the last append is complete, or throws why it is not.
   */
  settle?(): Promise<void>;
}

/** Appends one entry. */
export async function appendEntry(sink: AuditSink, entry: AuditEntry): Promise<AuditRecord> {
  const [record] = await sink.append(() => [entry]);
  return record!;
}
