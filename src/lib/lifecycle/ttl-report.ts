import type { LifecycleRule } from '../cloud/buckets.js';
import type { BucketRole } from './bucket-ref.js';
import type { TtlBucketState } from './bucket-state.js';
import { scanNotes } from './bucket-state.js';
import { explainRule } from './explain.js';
import { findManagedRule } from './managed-rule.js';
import { LIFECYCLE_DELAY_NOTE, ttlWarnings } from './warnings.js';

export interface ExplainedRule {
  position: number;
  rule: LifecycleRule;
  explanation: string;
  /** Whether this is the retention TTL gwctl manages. */
  ttl: boolean;
}

export interface TtlReport {
  bucket: string;
  metageneration: string;
  rules: ExplainedRule[];
  /** The retention TTL, or null when there is none (or several candidates: see `ambiguous`). */
  ttl: { position: number; days: number; explanation: string } | null;
  /** Positions of several age-only Delete rules, when gwctl cannot tell which is the TTL. */
  ambiguous?: number[];
  held?: number;
  warnings: string[];
  notes: string[];
}

/** What `bucket ttl show` says about a bucket, decided from what was read. */
export function describeTtl(state: TtlBucketState, role?: BucketRole): TtlReport {
  const { settings } = state;
  const rules = settings.lifecycleRules;
  const lookup = findManagedRule(rules);
  const ttlIndex = lookup.kind === 'one' ? lookup.index : -1;
  const explained = rules.map((rule, i) => ({
    position: i + 1,
    rule,
    explanation: explainRule(rule),
    ttl: i === ttlIndex,
  }));
  const days = lookup.kind === 'one' ? lookup.days : lookup.kind === 'ambiguous' ? Math.min(...lookup.days) : null;
  return {
    bucket: settings.name,
    metageneration: settings.metageneration,
    rules: explained,
    ttl:
      lookup.kind === 'one'
        ? { position: ttlIndex + 1, days: lookup.days, explanation: explained[ttlIndex]!.explanation }
        : null,
    ...(lookup.kind === 'ambiguous' ? { ambiguous: lookup.indexes.map((i) => i + 1) } : {}),
    ...(state.held !== undefined ? { held: state.held } : {}),
    warnings: [
      ...(lookup.kind === 'ambiguous'
        ? [
            `${lookup.indexes.length} age-only Delete rules (${lookup.indexes.map((i) => `rule ${i + 1}`).join(', ')}): the shortest wins; \`bucket ttl set\` refuses until only one is left`,
          ]
        : []),
      ...(role === 'backups' && rules.some((r) => r.action?.type === 'Delete')
        ? [
            'this is the backups bucket: its blobs are shared between backups, so a Delete rule here deletes content recent backups still reference; remove it and expire backups with `gwctl backup prune --older-than <age>`',
          ]
        : []),
      ...ttlWarnings({ settings, days, held: state.held }),
    ],
    notes: [...scanNotes(state), LIFECYCLE_DELAY_NOTE],
  };
}
