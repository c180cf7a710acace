import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import type { RunProcess } from './record.js';

/** This process, as an intent records it. */
export function thisProcess(): RunProcess {
  return { pid: process.pid, host: hostname(), started: new Date(performance.timeOrigin).toISOString() };
}

/** `elsewhere`: written on another host, whose processes this one cannot see. */
export type Liveness = 'alive' | 'gone' | 'elsewhere';

/** How far apart two readings of one process's start time may be (clock tick and rounding, not reuse). */
const SAME_START_MS = 5_000;

/**
 * Whether the process that wrote an intent still runs: its pid exists and, where the system says when
 * a pid started (Linux's /proc), it started when the intent says, so a reused pid is not taken for it.
 * Where the start time cannot be read, a live pid counts as alive: never call a running change dead.
 */
export function liveness(p: RunProcess, host = hostname()): Liveness {
  if (p.host !== host) return 'elsewhere';
  try {
    process.kill(p.pid, 0);
  } catch (err) {
    // EPERM: the pid exists, owned by someone else.
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return 'gone';
  }
  const started = linuxStartTime(p.pid);
  if (started === undefined) return 'alive';
  return Math.abs(started - Date.parse(p.started)) <= SAME_START_MS ? 'alive' : 'gone';
}

/** Start time of a pid from /proc (boot time + field 22 of /proc/<pid>/stat, in clock ticks of 1/100 s). */
function linuxStartTime(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count fields after its closing one.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[19]);
    const boot = Number(/^btime (\d+)$/m.exec(readFileSync('/proc/stat', 'utf8'))?.[1]);
    if (!Number.isFinite(ticks) || !Number.isFinite(boot)) return undefined;
    return boot * 1000 + ticks * 10;
  } catch {
    return undefined;
  }
}
