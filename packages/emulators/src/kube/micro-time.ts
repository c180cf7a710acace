import { isPlainObject } from './merge-patch.js';
import type { ResourceType } from './resources.js';

/** Go's layout for `metav1.MicroTime` (RFC3339Micro): exactly six fractional digits. */
const RFC3339_MICRO = '2006-01-02T15:04:05.000000Z07:00';
const MICRO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}(Z|[+-]\d{2}:\d{2})$/;

/** The MicroTime fields of the kinds the emulator serves. */
const MICRO_TIME_FIELDS: Record<string, string[]> = { Lease: ['acquireTime', 'renewTime'] };

/**
 * Why the server could not decode the body, or undefined. The real server parses MicroTime with Go's
 * `time.Parse(RFC3339Micro, …)`, which takes exactly six fractional digits, so a JavaScript `toISOString()`
 * (three) is refused with 400, worded as kubernetes-client/javascript#828 quotes it:
 * `Lease in version "v1" cannot be handled as a Lease: parsing time "…" as "2006-01-02T15:04:05.000000Z07:00":
 * cannot parse ".278Z" as ".000000"`.
 */
export function undecodable(r: ResourceType, body: Record<string, unknown>): string | undefined {
  const fields = MICRO_TIME_FIELDS[r.kind];
  if (!fields || !isPlainObject(body.spec)) return undefined;
  for (const f of fields) {
    const v = (body.spec as Record<string, unknown>)[f];
    if (v === undefined || v === null) continue;
    if (typeof v === 'string' && MICRO_TIME.test(v)) continue;
    const text = String(v);
    const why = typeof v === 'string' ? `cannot parse "${text.slice(19)}" as ".000000"` : 'not a string';
    return `${r.kind} in version "${r.version}" cannot be handled as a ${r.kind}: parsing time "${text}" as "${RFC3339_MICRO}": ${why}`;
  }
  return undefined;
}
