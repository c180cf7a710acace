import { UsageError } from '../errors/gwctl-error.js';
import { parseDuration } from '../ui/duration.js';
import type { HttpProbeResult, HttpTarget } from './http-probe.js';
import { percentile } from './percentiles.js';
import type { ProbeOutcome } from './probe-outcome.js';

export type SloStat = 'p50' | 'p90' | 'p99' | 'max';

export interface SloObjective {
  stat: SloStat;
  limitMs: number;
  /** As given, e.g. `p99=1s`. */
  text: string;
}

export interface SloCheck {
  objective: string;
  stat: SloStat;
  limitMs: number;
  /** null when the request at that rank got no response (timeout or error), or nothing was measured. */
  measuredMs: number | null;
  met: boolean;
}

export interface SloVerdict {
  /** Objectives apply to parcel delivery's total time, the operation the SLO is about. */
  target: HttpTarget;
  breached: boolean;
  checks: SloCheck[];
  /** Why nothing could be measured, when so. */
  note?: string;
}

export const SLO_TARGET: HttpTarget = 'POST /v1/parcels';

const STATS: readonly SloStat[] = ['p50', 'p90', 'p99', 'max'];

/** `--slo p99=1s --slo max=5s` → objectives; a unit is required (`1s`, `250ms`) so nothing is guessed. */
export function parseSlo(texts: readonly string[]): SloObjective[] {
  const byStat = new Map<SloStat, SloObjective>();
  for (const text of texts) {
    const m = /^\s*(p50|p90|p99|max)\s*=\s*(\S+)\s*$/i.exec(text);
    if (!m) throw new UsageError(`--slo ${text}: expected <${STATS.join('|')}>=<duration>, e.g. p99=1s`);
    const stat = m[1]!.toLowerCase() as SloStat;
    const limitMs = parseDuration(m[2]!);
    if (limitMs === undefined || limitMs <= 0)
      throw new UsageError(`--slo ${text}: "${m[2]}" is not a duration; give a unit, e.g. 1s or 250ms`);
    if (byStat.has(stat)) throw new UsageError(`--slo ${text}: ${stat} is already set to ${byStat.get(stat)!.text}`);
    byStat.set(stat, { stat, limitMs, text: text.trim() });
  }
  return [...byStat.values()];
}

/**
 * Checks parcel delivery against the objectives. A request that got no response counts as infinitely slow,
 * so timeouts breach any objective they reach, and a probe that could not measure at all is a breach.
 */
export function evaluateSlo(
  objectives: readonly SloObjective[],
  http: ProbeOutcome<HttpProbeResult> | undefined,
): SloVerdict | undefined {
  if (objectives.length === 0) return undefined;
  const samples = http?.status === 'ok' ? http.result.samples.filter((s) => s.target === SLO_TARGET) : [];
  const durations = samples.map((s) => (s.status === undefined ? Number.POSITIVE_INFINITY : s.timings.totalMs));
  const checks = objectives.map((o): SloCheck => {
    const measured =
      durations.length === 0
        ? undefined
        : o.stat === 'max'
          ? Math.max(...durations)
          : percentile(durations, Number(o.stat.slice(1)));
    return {
      objective: o.text,
      stat: o.stat,
      limitMs: o.limitMs,
      measuredMs: measured === undefined || !Number.isFinite(measured) ? null : measured,
      met: measured !== undefined && measured <= o.limitMs,
    };
  });
  const note =
    http?.status === 'failed'
      ? http.error
      : http?.status === 'skipped'
        ? http.reason
        : durations.length === 0
          ? 'no parcel delivery was measured'
          : undefined;
  return { target: SLO_TARGET, breached: checks.some((c) => !c.met), checks, ...(note ? { note } : {}) };
}
