import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/**
 * When process `pid` started, as the kernel counts it, or undefined when there is no such process. A pid is
 * reused once its process is gone; the pair (pid, start) is not, so it tells "our sandbox" from "whatever
 * runs under that number now" (the same test procps' `pkill --pidfile` and systemd make).
 */
export function processStart(pid: number): string | undefined {
  if (!Number.isSafeInteger(pid) || pid <= 0) return undefined;
  if (process.platform === 'linux') return linuxStartTicks(pid);
  try {
    const started = execFileSync('ps', ['-o', 'lstart=', '-p', String(pid)], { encoding: 'utf8', stdio: 'pipe' });
    return started.trim() || undefined;
  } catch {
    return undefined; // ps exits 1 when the process does not exist
  }
}

/** Field 22 of /proc/<pid>/stat: start time in clock ticks since boot (proc(5)). */
function linuxStartTicks(pid: number): string | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // Field 2 (the command name, in parentheses) may itself hold spaces and parentheses: count from the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // A zombie (exited, not yet reaped, e.g. under a container's init that never reaps) runs nothing any more.
  if (fields[0] === 'Z' || fields[0] === 'X') return undefined;
  return fields[19];
}
