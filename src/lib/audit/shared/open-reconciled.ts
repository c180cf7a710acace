import { hostname } from 'node:os';
import type { OpenedLog } from '../open-log.js';
import type { RunProgress } from '../run-progress.js';
import { reconcileShared } from './reconcile-shared.js';
import type { SharedAuditSink } from './shared-sink.js';

/**
 * How `audit show` and `audit verify` open a shared log: the runs that died (here, or elsewhere with a stale
 * heartbeat) are recorded first, best effort; a log this machine cannot write to is still read.
 */
export async function reconcileSharedLog(
  sink: SharedAuditSink,
  who: string,
  progress: RunProgress | undefined,
  warn: (message: string) => void,
): Promise<OpenedLog> {
  const by = `gwctl ${who} (pid ${process.pid} on ${hostname()})`;
  try {
    const { lines, recorded, open } = await reconcileShared(sink, by, progress);
    for (const r of recorded)
      warn(
        `${r.command} on ${r.env} (run ${r.run}) died without recording its outcome: recorded now as ${r.result} (entry ${r.seq})`,
      );
    return { lines, open };
  } catch (err) {
    warn(`runs that died could not be reconciled: ${(err as Error).message}`);
    const { openRuns } = await import('../reconcile.js');
    const lines = await sink.read();
    return { lines, open: openRuns(lines) };
  }
}
