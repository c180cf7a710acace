import type { AuditRecord } from './record.js';

export interface RecordFilter {
  env?: string;
  since?: Date;
  /** Part of the operator field: `alice@`, `gcp:ci-deployer`, `ksa:default/backup`. */
  actor?: string;
  /** A command or its topic: `backup` matches `backup create` and `backup prune`. */
  command?: string;
  limit?: number;
}

/** The records `audit show` lists, oldest first, the last `limit` of those that match. */
export function filterRecords(records: readonly AuditRecord[], f: RecordFilter): AuditRecord[] {
  const actor = f.actor?.toLowerCase();
  const out = records.filter(
    (r) =>
      (!f.env || r.env === f.env) &&
      (!f.since || Date.parse(r.time) >= f.since.getTime()) &&
      (!actor ||
        String(r.operator ?? '')
          .toLowerCase()
          .includes(actor)) &&
      (!f.command || r.command === f.command || String(r.command ?? '').startsWith(`${f.command} `)),
  );
  return f.limit ? out.slice(-f.limit) : out;
}
