import { setTimeout as sleep } from 'node:timers/promises';
import { lstatSync, rmSync } from 'node:fs';
import { RuntimeError } from '../errors/gwctl-error.js';

/** A lock nobody refreshed for this long belongs to a gwctl that died: it is broken. */
const STALE_MS = 10_000;

/**
 * Runs `fn` holding `<file>.lock`, across processes and hosts sharing the directory. proper-lockfile
 * takes it with mkdir (atomic on local and network file systems), refreshes its mtime while held,
 * breaks it once stale and copes with it vanishing between a failed mkdir and the stat that follows
 * (the race that used to lose appends). Waits up to `waitMs` for another holder.
 */
export async function withFileLock<T>(file: string, fn: () => T | Promise<T>, waitMs = 10_000): Promise<T> {
  const { lock } = (await import('proper-lockfile')).default;
  const lockfilePath = `${file}.lock`;
  let compromised: Error | undefined;
  const deadline = Date.now() + waitMs;
  let release: () => Promise<void>;
  for (;;) {
    removeStaleLockFile(lockfilePath);
    try {
      release = await lock(file, {
        lockfilePath,
        realpath: false,
        stale: STALE_MS,
        onCompromised: (err) => (compromised = err),
      });
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ELOCKED') throw err;
      if (Date.now() > deadline)
        throw new RuntimeError(
          `audit log ${file} is locked by another gwctl (${lockfilePath}) and stayed locked for ${Math.round(waitMs / 1000)} s; retry (a lock left by a gwctl that died goes stale by itself after ${STALE_MS / 1000} s)`,
        );
      await sleep(5 + Math.random() * 45);
    }
  }
  try {
    const result = await fn();
    if (compromised)
      throw new RuntimeError(
        `the lock on audit log ${file} was taken over while gwctl held it (${compromised.message}); run gwctl audit verify`,
      );
    return result;
  } finally {
    await release().catch(() => undefined);
  }
}

/**
 * Earlier gwctl versions locked with a plain file, not a directory; one left by a crash would block
 * proper-lockfile for good (it only removes directories). An old one is removed, as that gwctl did.
 */
function removeStaleLockFile(lockfilePath: string): void {
  const stat = lstatSync(lockfilePath, { throwIfNoEntry: false });
  if (stat?.isFile() && Date.now() - stat.mtimeMs > STALE_MS) rmSync(lockfilePath, { force: true });
}
