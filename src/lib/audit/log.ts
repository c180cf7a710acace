import { closeSync, existsSync, mkdirSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { GENESIS, sealRecord, serialiseRecord, sha256, type AuditRecord } from './record.js';
import { verifyAuditLines, type AuditVerdict } from './verify.js';

export type AuditEntry = Omit<AuditRecord, 'seq' | 'time' | 'prev' | 'hash'>;

/** The append-only, hash-chained log of every applied mutation. */
export class AuditLog {
  constructor(readonly file: string) {}

  lines(): string[] {
    if (!existsSync(this.file)) return [];
    return readFileSync(this.file, 'utf8')
      .split('\n')
      .filter((l) => l.length > 0);
  }

  records(): AuditRecord[] {
    return this.lines().map((l) => JSON.parse(l) as AuditRecord);
  }

  verify(): AuditVerdict {
    return verifyAuditLines(this.lines());
  }

  /** Appends one record under a lock file, so two gwctl processes cannot fork the chain. */
  async append(entry: AuditEntry, now = new Date()): Promise<AuditRecord> {
    mkdirSync(dirname(this.file), { recursive: true });
    return withLock(`${this.file}.lock`, () => {
      const lines = this.lines();
      const last = lines.at(-1);
      const lastSeq = last ? (JSON.parse(last) as AuditRecord).seq : 0;
      const record = sealRecord({
        ...entry,
        seq: lastSeq + 1,
        time: now.toISOString(),
        prev: last ? sha256(last) : GENESIS,
      });
      const fd = openSync(this.file, 'a', 0o600);
      try {
        writeSync(fd, `${serialiseRecord(record)}\n`);
      } finally {
        closeSync(fd);
      }
      return record;
    });
  }
}

const STALE_LOCK_MS = 30_000;

async function withLock<T>(lockFile: string, fn: () => T): Promise<T> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      closeSync(openSync(lockFile, 'wx'));
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      // A crashed gwctl can leave the lock behind; an old one is safe to break.
      if (Date.now() - statSync(lockFile, { throwIfNoEntry: false })!.mtimeMs > STALE_LOCK_MS) unlinkSync(lockFile);
      else if (Date.now() > deadline)
        throw new Error(
          `audit log is locked by another gwctl (${lockFile}); retry, or remove the lock if no gwctl is running`,
        );
      else await new Promise((r) => setTimeout(r, 50));
    }
  }
  try {
    return fn();
  } finally {
    unlinkSync(lockFile);
  }
}
