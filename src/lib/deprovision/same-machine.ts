import { readFileSync, readlinkSync } from 'node:fs';

/**
 * What, besides host name and pid, says two processes share one kernel and one pid space: containers share host names
 * and reuse pids, so a pid is only comparable under the same boot id and the same pid namespace (Linux's /proc).
 */
export interface MachineMarks {
  boot?: string;
  pidNamespace?: string;
}

export function thisMachine(): MachineMarks {
  const boot = readOr(() => readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim());
  const pidNamespace = readOr(() => readlinkSync('/proc/self/ns/pid'));
  return { ...(boot ? { boot } : {}), ...(pidNamespace ? { pidNamespace } : {}) };
}

/** True only when both marks were recorded and read here, and match: anything unknown is another machine. */
export function sameMachine(recorded: MachineMarks, here = thisMachine()): boolean {
  return (
    !!recorded.boot &&
    !!recorded.pidNamespace &&
    recorded.boot === here.boot &&
    recorded.pidNamespace === here.pidNamespace
  );
}

function readOr(read: () => string): string | undefined {
  try {
    return read() || undefined;
  } catch {
    return undefined;
  }
}
