import type { UptimeResult } from '../cloud/monitoring-admin.js';
import type { ItemState, MonitoringPlan } from './plan.js';

export type Firing = 'yes' | 'no' | 'unknown';

export interface StatusRow {
  kind: 'uptime check' | 'alert policy';
  id: string;
  displayName: string;
  state: ItemState;
  fields: string[];
  /** Uptime-check policies: whether the check fails from more than one location now. */
  firing: Firing;
  /** Uptime checks: newest result per location. */
  results?: { location: string; passed: boolean; at: string }[];
}

export interface MonitoringStatus {
  env: string;
  project: string;
  rows: StatusRow[];
  foreign: MonitoringPlan['foreign'];
  skipped: MonitoringPlan['skipped'];
  warnings: string[];
  drift: boolean;
  firing: boolean;
}

/**
 * Each built-in policy and check with its state (in sync, drifted, …) and, for uptime checks and their policies,
 * the last results. The Monitoring API v3 has no method for open incidents, so other policies show `unknown`.
 */
export function monitoringStatus(
  env: string,
  project: string,
  mp: MonitoringPlan,
  results: UptimeResult[],
): MonitoringStatus {
  const checkIdOf = new Map(
    mp.items.filter((i) => i.kind === 'uptime check' && i.name).map((i) => [i.id, i.name!.split('/').pop()!]),
  );
  const resultsOf = (id: string) => {
    const checkId = checkIdOf.get(id);
    return results
      .filter((r) => r.checkId === checkId)
      .map((r) => ({ location: r.location, passed: r.passed, at: r.at.toISOString() }))
      .sort((a, b) => a.location.localeCompare(b.location));
  };
  const rows = mp.items.map((i): StatusRow => {
    if (i.kind === 'uptime check') {
      const r = resultsOf(i.id);
      return {
        ...i,
        firing: r.length === 0 ? 'unknown' : r.filter((x) => !x.passed).length > 1 ? 'yes' : 'no',
        results: r,
      };
    }
    const check = /^(.*)-down$/.exec(i.id)?.[1];
    let firing: Firing = 'unknown';
    if (check && i.state !== 'missing') {
      const r = resultsOf(check);
      // The policy's condition: the check failed from more than one location (policy-set.ts).
      if (r.length) firing = r.filter((x) => !x.passed).length > 1 ? 'yes' : 'no';
    }
    return { ...i, firing };
  });
  return {
    env,
    project,
    rows,
    foreign: mp.foreign,
    skipped: mp.skipped,
    warnings: mp.plan.warnings,
    // A channel gone from the project is drift too: the alerts would notify no one.
    drift: rows.some((r) => r.state !== 'in-sync') || mp.unresolvedChannels.length > 0,
    firing: rows.some((r) => r.firing === 'yes'),
  };
}
