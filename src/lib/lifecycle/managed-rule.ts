import type { LifecycleRule } from '../cloud/buckets.js';
import { GwctlError, ExitCode } from '../errors/gwctl-error.js';
import { gsUrl } from '../config/gs-url.js';

/**
 * The retention TTL gwctl manages is the one lifecycle rule that is exactly
 * `{ action: { type: 'Delete' }, condition: { age: N } }`: a Delete with no other condition and no
 * other action field. Anything narrower (a prefix, isLive, numNewerVersions, …) was written by
 * someone for another purpose, so it is a foreign rule and is never edited.
 */
export function isManagedTtlRule(rule: LifecycleRule): boolean {
  const { action, condition, ...rest } = rule;
  return (
    Object.keys(rest).length === 0 &&
    isPlainObject(action) &&
    action.type === 'Delete' &&
    Object.keys(action).length === 1 &&
    isPlainObject(condition) &&
    Object.keys(condition).length === 1 &&
    Number.isInteger(condition.age) &&
    (condition.age as number) >= 0
  );
}

export type ManagedRuleLookup =
  | { kind: 'none' }
  | { kind: 'one'; index: number; days: number }
  /** Several rules qualify: gwctl will not guess which one is the TTL. */
  | { kind: 'ambiguous'; indexes: number[]; days: number[] };

export function findManagedRule(rules: readonly LifecycleRule[]): ManagedRuleLookup {
  const indexes = rules.flatMap((r, i) => (isManagedTtlRule(r) ? [i] : []));
  if (indexes.length === 0) return { kind: 'none' };
  const days = indexes.map((i) => rules[i]!.condition.age as number);
  if (indexes.length === 1) return { kind: 'one', index: indexes[0]!, days: days[0]! };
  return { kind: 'ambiguous', indexes, days };
}

/** Several age-only Delete rules: the bucket needs a human to say which one is meant. Exit 1. */
export class AmbiguousTtlError extends GwctlError {
  constructor(bucket: string, lookup: Extract<ManagedRuleLookup, { kind: 'ambiguous' }>) {
    const listed = lookup.indexes.map((i, k) => `rule ${i + 1}: ${lookup.days[k]} days`).join(', ');
    super(
      `${gsUrl(bucket)} has ${lookup.indexes.length} age-only Delete rules (${listed}) and gwctl will not guess which is the retention TTL; ` +
        'remove all but one (the shortest is the one in effect), then re-run',
      ExitCode.runtime,
    );
    this.name = 'AmbiguousTtlError';
  }
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
