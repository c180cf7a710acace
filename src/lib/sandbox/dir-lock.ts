import { linkSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { RuntimeError } from '../errors/gwctl-error.js';
import { sandboxFiles } from './paths.js';
import { processStart } from './process-identity.js';
import { ownIdentity } from './state.js';

/**
 * Makes this process the only sandbox of `dir` from its first step (before any data is touched) until
 * `release()`: a second `sandbox start` must not wipe or seed data a first one is seeding. A lock whose
 * holder is gone (kill -9) is taken over. Returns the release function.
 */
export function lockSandboxDir(dir: string): () => void {
  const file = sandboxFiles(dir).lock;
  const me = ownIdentity();
  // Written aside then hard-linked into place: link() fails if the lock exists, and a lock is never seen half-written.
  const mine = `${file}.${process.pid}`;
  writeFileSync(mine, JSON.stringify(me), { mode: 0o600 });
  try {
    // Hard-linked into place: link() fails if a lock exists, and a lock is never seen half-written.
    for (let attempt = 0; ; attempt++) {
      try {
        linkSync(mine, file);
        break;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        const holder = lockHolder(dir);
        if (holder || attempt > 0)
          throw new RuntimeError(
            `another sandbox process${holder ? ` (pid ${holder.pid})` : ''} is starting or running in ${dir}; wait for it, or \`gwctl sandbox stop\``,
          );
        rmSync(file, { force: true }); // its holder is gone (killed): take over
      }
    }
  } finally {
    rmSync(mine, { force: true });
  }
  return () => {
    const holder = readHolder(file);
    if (holder?.pid === me.pid && holder.processStart === me.processStart) rmSync(file, { force: true });
  };
}

/** The live process holding the sandbox directory (starting or running), if any. */
export function lockHolder(dir: string): { pid: number; processStart: string } | undefined {
  const holder = readHolder(sandboxFiles(dir).lock);
  return holder && processStart(holder.pid) === holder.processStart ? holder : undefined;
}

function readHolder(file: string): { pid: number; processStart: string } | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as { pid: number; processStart: string };
  } catch {
    return undefined;
  }
}
