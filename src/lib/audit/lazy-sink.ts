import type { AuditLine } from './lines.js';
import type { AuditEntry, AuditRecord } from './record.js';
import type { AuditSink } from './sink.js';

/**
 * A sink opened on first use: a dry run, a refused plan or a "no" at the prompt never touches the audit log
 * (nor creates a shared log's key), and a log that cannot be opened fails the append, so nothing is changed.
 */
export class LazyAuditSink implements AuditSink {
  private sink: AuditSink | undefined;
  private opening: Promise<AuditSink> | undefined;

  constructor(private readonly open: () => Promise<AuditSink>) {}

  get location(): string {
    return this.sink?.location ?? '(the audit log, not opened yet)';
  }

  async read(): Promise<AuditLine[]> {
    return (await this.opened()).read();
  }

  async append(next: (log: readonly AuditLine[]) => AuditEntry[]): Promise<AuditRecord[]> {
    return (await this.opened()).append(next);
  }

  async settle(): Promise<void> {
    await this.sink?.settle?.();
  }

  private opened(): Promise<AuditSink> {
    this.opening ??= this.open().then((sink) => (this.sink = sink));
    this.opening.catch(() => (this.opening = undefined));
    return this.opening;
  }
}
