import type { AuditLine } from '../lines.js';
import { openRuns, outcomeOfDeadRun, type OpenRun } from '../reconcile.js';
import type { AuditEntry, OutcomeRecord } from '../record.js';
import type { RunProgress } from '../run-progress.js';
import type { SharedAuditSink } from './shared-sink.js';

/** A run on another host whose heartbeat is older than this is dead: a live gwctl rewrites it every minute. */
export const HEARTBEAT_STALE_MS = 10 * 60_000;

export interface SharedReconciliation {
  lines: AuditLine[];
  recorded: OutcomeRecord[];
  /** Runs still open: alive here, or on another host with a fresh heartbeat. */
  open: OpenRun[];
}

/**
 * Closes the intents of runs that died, on any machine: on this host, a pid that is gone (or reused); on
 * another, a heartbeat (`runs/<run>`) older than HEARTBEAT_STALE_MS, or none and an intent that old. Their
 * outcome `abandoned` says which machine found them dead and why. Two machines reconciling at once may both
 * record one; the second record says the same thing.
 */
export async function reconcileShared(
  sink: SharedAuditSink,
  by: string,
  progress?: RunProgress,
  now = Date.now(),
): Promise<SharedReconciliation> {
  const lines = await sink.read();
  const open = openRuns(lines);
  if (open.length === 0) return { lines, recorded: [], open };
  const beats = open.some((r) => r.state === 'elsewhere') ? await sink.heartbeats() : new Map<string, string>();
  const dead: AuditEntry[] = [];
  const still: OpenRun[] = [];
  for (const r of open) {
    if (r.state === 'gone') {
      dead.push(outcomeOfDeadRun(r.intent, by, progress));
      continue;
    }
    if (r.state === 'elsewhere') {
      const beat = beats.get(r.intent.run);
      const last = Date.parse(beat ?? r.intent.time);
      if (now - last > HEARTBEAT_STALE_MS) {
        const outcome = outcomeOfDeadRun(r.intent, by);
        dead.push({
          ...outcome,
          error: `no sign of life from pid ${r.intent.process.pid} on ${r.intent.process.host} since ${new Date(last).toISOString()} (${beat ? 'its last heartbeat' : 'its intent; it left no heartbeat'})`,
        } as AuditEntry);
        continue;
      }
    }
    still.push(r);
  }
  if (dead.length === 0) return { lines, recorded: [], open: still };
  const recorded = (await sink.append(() => dead)) as OutcomeRecord[];
  await sink.settle();
  for (const r of recorded) progress?.remove(r.run);
  return { lines: await sink.read(), recorded, open: still };
}
