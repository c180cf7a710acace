import type { BucketSettings, LifecycleRule } from '../cloud/buckets.js';
import { findManagedRule } from './managed-rule.js';
import { SPEC_MAX_DAYS } from './ttl-days.js';

const DAY_SECONDS = 86_400;

/** "90 days", "1.5 days" or "36 hours" for a duration in seconds. */
export function formatDuration(seconds: number): string {
  const d = seconds / DAY_SECONDS;
  if (d >= 1) return `${Number.isInteger(d) ? d : d.toFixed(1)} day${d === 1 ? '' : 's'}`;
  const h = seconds / 3600;
  return `${Number.isInteger(h) ? h : h.toFixed(1)} hour${h === 1 ? '' : 's'}`;
}

export interface TtlFacts {
  settings: Pick<BucketSettings, 'retentionPolicy' | 'softDeletePolicy' | 'versioning' | 'defaultEventBasedHold'>;
  /** The TTL in days in effect (show) or about to be (set); null when there is none. */
  days: number | null;
  /** Live objects under a hold, when the bucket was listed. */
  held?: number;
}

export const LIFECYCLE_DELAY_NOTE =
  'GCS can take up to 24 hours to apply a lifecycle change; until then the previous rules may still act';

/** What will stop, delay or change how the TTL deletes objects on this bucket. */
export function ttlWarnings(f: TtlFacts): string[] {
  const out: string[] = [];
  const { retentionPolicy: rp, softDeletePolicy: sd } = f.settings;
  if (rp && rp.retentionPeriod > 0) {
    const longer = f.days !== null && rp.retentionPeriod > f.days * DAY_SECONDS;
    out.push(
      `a ${rp.isLocked ? 'locked' : 'unlocked'} retention policy keeps every object for ${formatDuration(rp.retentionPeriod)}: lifecycle cannot delete an object before then` +
        (longer ? `, so objects live ${formatDuration(rp.retentionPeriod)}, not ${f.days} days` : '') +
        (rp.isLocked ? ' (a locked policy can never be shortened or removed)' : ''),
    );
  }
  if (f.settings.defaultEventBasedHold)
    out.push(
      'new objects get an event-based hold by default: lifecycle deletes none of them until its hold is released',
    );
  if (f.held)
    out.push(
      `${f.held} object${f.held === 1 ? ' is' : 's are'} under a temporary or event-based hold: lifecycle will not delete ${f.held === 1 ? 'it' : 'them'} until the hold is released`,
    );
  if (sd && sd.retentionDurationSeconds > 0)
    out.push(
      `soft delete keeps deleted objects for ${formatDuration(sd.retentionDurationSeconds)} after lifecycle deletes them, and they are billed as storage until then` +
        (f.days !== null
          ? ` (objects are gone for good ${f.days} days + ${formatDuration(sd.retentionDurationSeconds)} after creation)`
          : ''),
    );
  if (f.settings.versioning)
    out.push(
      'versioning is on: Delete makes a live object a noncurrent version instead of removing it' +
        (f.days !== null
          ? '; the age rule removes that version on a later lifecycle run, so space is freed about a day later'
          : ''),
    );
  return out;
}

/** Warnings only a change has: going over the spec, or deleting objects that exist today. */
export function changeWarnings(previousDays: number | null, days: number): string[] {
  const out: string[] = [];
  if (days > SPEC_MAX_DAYS)
    out.push(`${days} days is over the Relaynet spec's ${SPEC_MAX_DAYS}-day (6-month) maximum (--allow-over-spec)`);
  if (previousDays === null)
    out.push(`objects already older than ${days} days will be deleted once GCS applies the rule`);
  else if (days < previousDays)
    out.push(
      `shortening from ${previousDays} to ${days} days: objects older than ${days} days will be deleted once GCS applies the change`,
    );
  return out;
}

/** A TTL on a bucket that does not hold parcels deletes what it holds: say what that is. */
export function roleWarnings(role: string | undefined): string[] {
  if (role === 'vault')
    return [
      "this is the Vault bucket: a TTL deletes Vault's own storage (the gateway's keys) once objects reach that age",
    ];
  return [];
}

/** The TTL currently on the bucket, when there is exactly one. */
export function currentTtlDays(rules: readonly LifecycleRule[]): number | null {
  const lookup = findManagedRule(rules);
  return lookup.kind === 'one' ? lookup.days : null;
}
