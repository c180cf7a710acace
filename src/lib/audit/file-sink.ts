import { closeSync, fstatSync, fsyncSync, ftruncateSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { RuntimeError } from '../errors/gwctl-error.js';
import { extendChain } from './chain.js';
import { withFileLock } from './file-lock.js';
import { parseAuditText, type AuditLine } from './lines.js';
import type { AuditEntry, AuditRecord } from './record.js';
import type { AuditSink } from './sink.js';

/**
 * The audit log as a local JSON-lines file. An append holds the file's lock, reads the log, writes
 * its lines with one write, and fsyncs the file (and its directory when the file is new) before
 * returning: a record gwctl reported as written survives a crash or a power cut. A write that fails
 * half-way is cut back off, so the file never ends in a partial line of ours.
 */
export class FileAuditSink implements AuditSink {
  constructor(readonly file: string) {}

  get location(): string {
    return this.file;
  }

  async read(): Promise<AuditLine[]> {
    const text = this.readText();
    return text === undefined ? [] : parseAuditText(text);
  }

  async append(next: (log: readonly AuditLine[]) => AuditEntry[]): Promise<AuditRecord[]> {
    try {
      const createdDir = mkdirSync(dirname(this.file), { recursive: true });
      if (createdDir) syncNewDirectories(createdDir, dirname(this.file));
      return await withFileLock(this.file, () => {
        const text = this.readText();
        const log = text === undefined ? [] : parseAuditText(text);
        const entries = next(log);
        if (entries.length === 0) return [];
        const chained = extendChain(this.file, log, entries);
        // A last line without its newline (an editor dropped it) must not run into ours.
        const lead = text && !text.endsWith('\n') ? '\n' : '';
        appendDurably(this.file, lead + chained.map((c) => `${c.text}\n`).join(''));
        if (text === undefined) syncDirectory(dirname(this.file));
        return chained.map((c) => c.record);
      });
    } catch (err) {
      if (err instanceof RuntimeError) throw err;
      throw new RuntimeError(`audit log ${this.file} cannot be written: ${(err as Error).message}`, { cause: err });
    }
  }

  private readText(): string | undefined {
    try {
      return readFileSync(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new RuntimeError(`audit log ${this.file} cannot be read: ${(err as Error).message}`, { cause: err });
    }
  }
}

function appendDurably(file: string, text: string): void {
  const fd = openSync(file, 'a', 0o600);
  try {
    const size = fstatSync(fd).size;
    try {
      const bytes = Buffer.from(text);
      for (let off = 0; off < bytes.length;) off += writeSync(fd, bytes, off);
      fsyncSync(fd);
    } catch (err) {
      try {
        ftruncateSync(fd, size);
      } catch {
        // The original error says more than this one.
      }
      throw err;
    }
  } finally {
    closeSync(fd);
  }
}

/** mkdir -p made `first` down to `last`: each new directory's entry in its parent must reach the disk too. */
function syncNewDirectories(first: string, last: string): void {
  for (let dir = last; ; dir = dirname(dir)) {
    syncDirectory(dirname(dir));
    if (dir === first || dirname(dir) === dir) break;
  }
}

function syncDirectory(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch (err) {
    // Some platforms cannot open or fsync a directory; there the file's own fsync is all there is.
    if (!['EISDIR', 'EPERM', 'EINVAL', 'EACCES'].includes((err as NodeJS.ErrnoException).code ?? '')) throw err;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
