import type { LifecycleRule } from '../cloud/buckets.js';
import { findManagedRule } from './managed-rule.js';

export interface TtlEdit {
  rules: LifecycleRule[];
  /** Position of the TTL rule in `rules`. */
  index: number;
  /** The TTL before the edit, or null when there was none. */
  previousDays: number | null;
  kind: 'add' | 'change' | 'unchanged';
}

/** The rule gwctl adds when a bucket has no TTL yet. */
export const ttlRule = (days: number): LifecycleRule => ({ action: { type: 'Delete' }, condition: { age: days } });

/**
 * The rule list with the TTL set to `days`: only the managed rule's `age` changes (or the rule is
 * appended); every other rule is the very object that was read, so it is sent back byte for byte.
 * The caller must have ruled out an ambiguous lookup.
 */
export function withTtl(rules: readonly LifecycleRule[], days: number): TtlEdit {
  const lookup = findManagedRule(rules);
  if (lookup.kind === 'ambiguous') throw new Error('withTtl: ambiguous TTL rules; check findManagedRule first');
  if (lookup.kind === 'none')
    return { rules: [...rules, ttlRule(days)], index: rules.length, previousDays: null, kind: 'add' };
  if (lookup.days === days) return { rules: [...rules], index: lookup.index, previousDays: days, kind: 'unchanged' };
  const current = rules[lookup.index]!;
  const next = rules.map((r, i) =>
    i === lookup.index ? { ...current, condition: { ...current.condition, age: days } } : r,
  );
  return { rules: next, index: lookup.index, previousDays: lookup.days, kind: 'change' };
}
