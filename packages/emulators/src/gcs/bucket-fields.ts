import { forbidden, invalid } from './errors.js';
import type { BucketFields, RetentionPolicy, SoftDeletePolicy } from './records.js';

/** Output-only bucket fields: ignored when a client sends them back (as `update` after `get` does). */
const OUTPUT_ONLY = new Set([
  'kind',
  'id',
  'selfLink',
  'name',
  'projectNumber',
  'metageneration',
  'etag',
  'timeCreated',
  'updated',
  'generation',
  'softDeleteTime',
  'hardDeleteTime',
]);

/** The longest retention period GCS accepts: 100 years. */
const MAX_RETENTION_SECONDS = 3_155_760_000;
const SOFT_DELETE_MIN_SECONDS = 7 * 86_400;
const SOFT_DELETE_MAX_SECONDS = 90 * 86_400;
/**
 * New buckets get soft delete for 7 days unless the request says otherwise
 * (https://cloud.google.com/storage/docs/soft-delete: "enabled by default on all buckets … seven days").
 */
export const DEFAULT_SOFT_DELETE_SECONDS = 7 * 86_400;

export type BucketWrite = 'insert' | 'patch' | 'update';

type Body = Record<string, unknown>;

const isObject = (v: unknown): v is Body => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The bucket's fields after an insert, patch or update. Patch changes only what the body names
 * (`null` clears a field, labels merge key by key); update replaces everything but the location.
 * Retention and soft-delete policies are normalised and a locked retention policy is enforced;
 * an insert that names no soft delete policy gets GCS's default one.
 */
export function applyBucketWrite(current: BucketFields, body: Body, mode: BucketWrite, now: number): BucketFields {
  const next: BucketFields =
    mode === 'patch'
      ? { ...current }
      : mode === 'update'
        ? current.location
          ? { location: current.location }
          : {}
        : {};
  for (const [key, value] of Object.entries(body)) {
    if (OUTPUT_ONLY.has(key) || (key === 'location' && mode !== 'insert')) continue;
    if (value === null) delete next[key];
    else if (key === 'labels' && mode === 'patch') next.labels = mergeLabels(current.labels ?? {}, value);
    else next[key] = key === 'labels' ? mergeLabels({}, value) : value;
  }
  if (mode === 'insert' && next.softDeletePolicy === undefined)
    next.softDeletePolicy = softDeletePolicy({ retentionDurationSeconds: DEFAULT_SOFT_DELETE_SECONDS }, undefined, now);
  normalise(next, current, now);
  return next;
}

function mergeLabels(current: Record<string, string>, patch: unknown): Record<string, string> {
  if (!isObject(patch)) throw invalid('Invalid value for labels');
  const merged = { ...current };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete merged[key];
    else if (typeof value !== 'string') throw invalid(`Invalid value for label ${key}`);
    else merged[key] = value;
  }
  return merged;
}

function normalise(next: BucketFields, previous: BucketFields, now: number): void {
  const lockedBefore = previous.retentionPolicy?.isLocked === true;
  if (next.retentionPolicy !== undefined)
    next.retentionPolicy = retentionPolicy(next.retentionPolicy, previous.retentionPolicy, now);
  else if (lockedBefore) throw forbidden('Cannot remove a locked retention policy.');
  if (next.softDeletePolicy !== undefined)
    next.softDeletePolicy = softDeletePolicy(next.softDeletePolicy, previous.softDeletePolicy, now);
  if (
    next.versioning !== undefined &&
    (!isObject(next.versioning) ||
      (next.versioning.enabled !== undefined && typeof next.versioning.enabled !== 'boolean'))
  )
    throw invalid('Invalid value for versioning');
  if (next.versioning?.enabled && next.retentionPolicy)
    throw invalid('Object versioning and a retention policy cannot be enabled on the same bucket.');
  if (next.lifecycle !== undefined) validateLifecycle(next.lifecycle);
  if (next.defaultEventBasedHold !== undefined && typeof next.defaultEventBasedHold !== 'boolean')
    throw invalid('Invalid value for defaultEventBasedHold');
}

function retentionPolicy(input: unknown, previous: RetentionPolicy | undefined, now: number): RetentionPolicy {
  const raw = isObject(input) ? input.retentionPeriod : undefined;
  const seconds = Number(raw);
  if (raw === undefined || raw === '' || !Number.isInteger(seconds) || seconds <= 0 || seconds > MAX_RETENTION_SECONDS)
    throw invalid(`Invalid value for retentionPolicy.retentionPeriod: ${JSON.stringify(raw)}`);
  const retentionPeriod = String(seconds);
  if (previous?.isLocked && seconds < Number(previous.retentionPeriod))
    throw forbidden('Cannot reduce the retention period of a locked retention policy.');
  if (previous && previous.retentionPeriod === retentionPeriod) return previous;
  return { retentionPeriod, effectiveTime: new Date(now).toISOString(), isLocked: previous?.isLocked ?? false };
}

function softDeletePolicy(input: unknown, previous: SoftDeletePolicy | undefined, now: number): SoftDeletePolicy {
  const raw = isObject(input) ? input.retentionDurationSeconds : undefined;
  const seconds = Number(raw ?? 0);
  if (
    !Number.isInteger(seconds) ||
    (seconds !== 0 && (seconds < SOFT_DELETE_MIN_SECONDS || seconds > SOFT_DELETE_MAX_SECONDS))
  )
    throw invalid(
      `Invalid value for softDeletePolicy.retentionDurationSeconds: ${JSON.stringify(raw)} (0, or 7 to 90 days)`,
    );
  const retentionDurationSeconds = String(seconds);
  if (previous && previous.retentionDurationSeconds === retentionDurationSeconds) return previous;
  return { retentionDurationSeconds, effectiveTime: new Date(now).toISOString() };
}

/** Only the shape is checked: rules are stored and returned exactly as given. */
function validateLifecycle(lifecycle: unknown): void {
  if (!isObject(lifecycle)) throw invalid('Invalid value for lifecycle');
  const rules = lifecycle.rule;
  if (rules === undefined) return;
  if (!Array.isArray(rules)) throw invalid('Invalid value for lifecycle.rule');
  for (const rule of rules) {
    if (!isObject(rule) || !isObject(rule.action) || typeof rule.action.type !== 'string' || !isObject(rule.condition))
      throw invalid('A lifecycle rule needs an action with a type and a condition.');
  }
}

/** Bucket naming rules (the common case: 3–63 lowercase letters, digits, `-`, `_`, `.`). */
export function validateBucketName(name: unknown): asserts name is string {
  if (typeof name !== 'string' || !/^[a-z0-9][a-z0-9._-]{1,61}[a-z0-9]$/.test(name) || name.includes('..'))
    throw invalid(`Invalid bucket name: '${String(name ?? '')}'`);
}
