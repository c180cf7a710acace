import type { AuditRecord, LegacyRecord, OutcomeRecord } from '../audit/record.js';
import type { LifecycleRule } from '../cloud/buckets.js';
import { withTtl } from '../lifecycle/edit-rules.js';
import { PROTECTED_LABEL, VAULT_SOFT_DELETE_SECONDS } from '../protection/buckets.js';
import { sameRules, type LifecycleRuleView } from './bucket-view.js';
import type { Drift, Explanation } from './drift.js';
import { gsUrl } from '../config/gs-url.js';

/** An applied gwctl change, as attribution needs it. */
export interface AuditTouch extends Explanation {
  targets: string[];
  details?: unknown;
}

/**
 * The applied gwctl changes that acted on `target` (`gs://bucket`, `deployment/default/poweb`), newest
 * first. The one place that knows how audit records are stored: re-point it when the log moves.
 * Records name their plan's targets; older ones are read from what their command put in `details`.
 */
export function auditEntriesFor(target: string, records: readonly AuditRecord[]): AuditTouch[] {
  const out: AuditTouch[] = [];
  for (const r of records) {
    // Intents say what was about to happen; outcomes (and one-record entries) what did.
    if (r.kind === 'intent' || r.kind === 'import' || r.result !== 'applied') continue;
    const targets = r.targets ?? legacyTargets(r);
    if (!targets.includes(target)) continue;
    out.push({
      seq: r.seq,
      time: r.time,
      operator: r.operator,
      command: r.command,
      summary: r.summary,
      targets,
      ...(r.details !== undefined ? { details: r.details } : {}),
    });
  }
  return out.sort((a, b) => b.seq - a.seq);
}

function legacyTargets(r: OutcomeRecord | LegacyRecord): string[] {
  const details = (r.details ?? {}) as { bucket?: unknown };
  if (r.command === 'bucket ttl set' && typeof details.bucket === 'string') return [gsUrl(details.bucket)];
  return [];
}

/**
 * What a command sets, where gwctl knows: which fields it touches (other fields' drift is not its
 * doing), and whether the live value is still the one it left (`false`: someone changed it since).
 * A command not listed here, or a field it is not specific about, counts as having set what is live.
 */
interface Effect {
  touches: (drift: Drift) => boolean;
  stillItsValue?: (drift: Drift, entry: AuditTouch) => boolean | undefined;
}

/** Protection labels buckets and hardens the Vault bucket; on Kubernetes it owns its policy objects whole. */
const PROTECTION_FIELDS = (d: Drift) =>
  !d.object.startsWith('gs://') ||
  d.field === `labels[${PROTECTED_LABEL}]` ||
  d.field === 'versioning.enabled' ||
  d.field.startsWith('softDeletePolicy');

const EFFECTS: Record<string, Effect> = {
  'bucket ttl set': { touches: (d) => d.field === 'lifecycle.rule', stillItsValue: ttlStillSet },
  'env protect': {
    touches: PROTECTION_FIELDS,
    stillItsValue: (d) => {
      if (d.field === `labels[${PROTECTED_LABEL}]`) return d.live === 'true';
      if (d.field === 'versioning.enabled') return d.live === true;
      if (d.field === 'softDeletePolicy.retentionDurationSeconds') return Number(d.live) >= VAULT_SOFT_DELETE_SECONDS;
      return undefined;
    },
  },
  'env unprotect': {
    touches: PROTECTION_FIELDS,
    stillItsValue: (d) => (d.field === `labels[${PROTECTED_LABEL}]` ? d.live === undefined : undefined),
  },
};

/**
 * The gwctl change that explains a drift: the newest applied entry that touched the object (and, for
 * commands gwctl knows, that field), provided the live value is still what it set. A drift that no
 * entry explains is unexplained: what issue #8 fears.
 */
export function explainDrift(drift: Drift, records: readonly AuditRecord[]): Explanation | undefined {
  for (const entry of auditEntriesFor(drift.object, records)) {
    const effect = EFFECTS[entry.command];
    if (effect && !effect.touches(drift)) continue;
    if (effect?.stillItsValue?.(drift, entry) === false) return undefined;
    const { seq, time, operator, command, summary } = entry;
    return { seq, time, operator, command, summary };
  }
  return undefined;
}

/** After `bucket ttl set --days N`, live is the code's rules with the TTL rule's age at N (or that rule added). */
function ttlStillSet(drift: Drift, entry: AuditTouch): boolean {
  const days = (entry.details as { days?: unknown } | undefined)?.days;
  if (typeof days !== 'number' || !Array.isArray(drift.code) || !Array.isArray(drift.live)) return false;
  try {
    const expected = withTtl(drift.code as LifecycleRule[], days).rules as LifecycleRuleView[];
    return sameRules(expected, drift.live as LifecycleRuleView[]);
  } catch {
    return false;
  }
}
