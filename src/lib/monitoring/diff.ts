import { createHash } from 'node:crypto';
import type { ConfigKind, MonitoringJson } from '../cloud/monitoring-admin.js';
import { DIGEST_LABEL } from './ownership.js';

/** Fields the server sets or owns: never compared, never sent back. */
const SERVER_FIELDS: Record<ConfigKind, string[]> = {
  AlertPolicy: ['name', 'creationRecord', 'mutationRecord', 'validity'],
  UptimeCheckConfig: ['name'],
};

/** Sorts object keys so equal values print (and hash) the same. */
export function stable(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stable);
  if (value && typeof value === 'object')
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, stable((value as Record<string, unknown>)[k])]),
    );
  return value;
}

/** What gwctl compares of a resource: no server-set fields, no condition names, no digest label. */
export function comparable(kind: ConfigKind, r: MonitoringJson): MonitoringJson {
  const out: MonitoringJson = {};
  for (const [k, v] of Object.entries(r)) if (!SERVER_FIELDS[kind].includes(k)) out[k] = v;
  if (Array.isArray(out.conditions))
    out.conditions = (out.conditions as MonitoringJson[]).map(({ name: _name, ...c }) => c);
  if (out.userLabels) {
    const { [DIGEST_LABEL]: _digest, ...labels } = out.userLabels as Record<string, string>;
    out.userLabels = labels;
  }
  return stable(out) as MonitoringJson;
}

const snake = (s: string) => s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** Top-level fields (snake_case, as update masks name them) whose values differ. */
export function changedFields(kind: ConfigKind, desired: MonitoringJson, live: MonitoringJson): string[] {
  const a = comparable(kind, desired);
  const b = comparable(kind, live);
  return [...new Set([...Object.keys(a), ...Object.keys(b)])]
    .filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k]))
    .map(snake)
    .sort();
}

/** The digest gwctl stores on a policy: 16 hex digits of SHA-256 over its comparable form. */
export const contentDigest = (kind: ConfigKind, r: MonitoringJson) =>
  createHash('sha256')
    .update(JSON.stringify(comparable(kind, r)))
    .digest('hex')
    .slice(0, 16);
