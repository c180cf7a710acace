import type { LifecycleRule } from '../cloud/buckets.js';

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
const days = (n: unknown) => plural(Number(n), 'day');
const quoted = (v: unknown) => (Array.isArray(v) ? v : [v]).map((s) => `"${String(s)}"`).join(' or ');
const listed = (v: unknown) => (Array.isArray(v) ? v : [v]).map(String).join(' or ');

/**
 * A lifecycle rule in plain words, e.g. "objects are deleted 90 days after creation".
 * Conditions GCS adds later are still shown (as `when <field> is <value>`), never dropped.
 */
export function explainRule(rule: LifecycleRule): string {
  const condition = (rule.condition ?? {}) as Record<string, unknown>;
  const action = rule.action ?? { type: '?' };
  const subject = subjectOf(action.type, condition);
  const verb = verbOf(action);
  const whens = Object.entries(condition).flatMap(([key, value]) => timing(key, value));
  const when = whens.length
    ? ` ${whens.join(' and ')}`
    : Object.keys(condition).length
      ? ''
      : ' (no condition: every object)';
  return `${subject} ${verb}${when}`;
}

function subjectOf(type: string, c: Record<string, unknown>): string {
  let subject =
    type === 'AbortIncompleteMultipartUpload'
      ? 'incomplete multipart uploads'
      : c.isLive === false
        ? 'noncurrent versions'
        : c.isLive === true
          ? 'live objects'
          : 'objects';
  if (c.matchesStorageClass !== undefined) subject += ` in ${listed(c.matchesStorageClass)} storage`;
  const names: string[] = [];
  if (c.matchesPrefix !== undefined) names.push(`start with ${quoted(c.matchesPrefix)}`);
  if (c.matchesSuffix !== undefined) names.push(`end with ${quoted(c.matchesSuffix)}`);
  if (names.length) subject += ` whose names ${names.join(' and ')}`;
  return subject;
}

function verbOf(action: LifecycleRule['action']): string {
  switch (action.type) {
    case 'Delete':
      return 'are deleted';
    case 'SetStorageClass':
      return `move to ${action.storageClass ?? '?'} storage`;
    case 'AbortIncompleteMultipartUpload':
      return 'are aborted';
    default:
      return `get the "${action.type}" action`;
  }
}

/** The parts of a condition that say when; the ones that say which objects are in `subjectOf`. */
function timing(key: string, value: unknown): string[] {
  switch (key) {
    case 'age':
      return [Number(value) === 0 ? 'as soon as lifecycle runs (age 0)' : `${days(value)} after creation`];
    case 'createdBefore':
      return [`if created before ${String(value)}`];
    case 'daysSinceCustomTime':
      return [`${days(value)} after their custom time`];
    case 'customTimeBefore':
      return [`if their custom time is before ${String(value)}`];
    case 'daysSinceNoncurrentTime':
      return [`${days(value)} after becoming noncurrent`];
    case 'noncurrentTimeBefore':
      return [`if they became noncurrent before ${String(value)}`];
    case 'numNewerVersions':
      return [`once ${plural(Number(value), 'newer version')} exist${Number(value) === 1 ? 's' : ''}`];
    case 'isLive':
    case 'matchesPrefix':
    case 'matchesSuffix':
    case 'matchesStorageClass':
      return [];
    default:
      return [`when ${key} is ${JSON.stringify(value)}`];
  }
}

/** `Delete {"age":90}`: the rule compactly, for tables and diffs. */
export const ruleLabel = (rule: LifecycleRule) =>
  `${rule.action?.type ?? '?'}${rule.action?.storageClass ? `→${rule.action.storageClass}` : ''} ${JSON.stringify(rule.condition ?? {})}`;
