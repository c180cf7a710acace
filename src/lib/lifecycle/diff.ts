import type { LifecycleRule } from '../cloud/buckets.js';

export interface RuleDiffEntry {
  /** 1-based position, as the operator reads it. */
  position: number;
  status: 'kept' | 'changed' | 'added' | 'removed';
  before?: LifecycleRule;
  after?: LifecycleRule;
}

/** Position by position: gwctl never reorders rules, so a positional diff is exact. */
export function diffRules(before: readonly LifecycleRule[], after: readonly LifecycleRule[]): RuleDiffEntry[] {
  const n = Math.max(before.length, after.length);
  return Array.from({ length: n }, (_, i) => {
    const b = before[i];
    const a = after[i];
    const status =
      b === undefined
        ? 'added'
        : a === undefined
          ? 'removed'
          : JSON.stringify(a) === JSON.stringify(b)
            ? 'kept'
            : 'changed';
    return { position: i + 1, status, ...(b ? { before: b } : {}), ...(a ? { after: a } : {}) };
  });
}
