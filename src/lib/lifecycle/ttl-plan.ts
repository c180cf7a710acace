import type { BucketAdmin, BucketSettings, LifecycleRule } from '../cloud/buckets.js';
import { ConcurrentChangeError } from '../cloud/gcs-errors.js';
import { UsageError } from '../errors/gwctl-error.js';
import { makePlan, type Plan } from '../plan/plan.js';
import type { TtlBucketState } from './bucket-state.js';
import { scanNotes } from './bucket-state.js';
import { describeRef, type BucketRef } from './bucket-ref.js';
import { diffRules, type RuleDiffEntry } from './diff.js';
import { withTtl } from './edit-rules.js';
import { AmbiguousTtlError, findManagedRule } from './managed-rule.js';
import { changeWarnings, LIFECYCLE_DELAY_NOTE, roleWarnings, ttlWarnings } from './warnings.js';
import { gsUrl } from '../config/gs-url.js';

export const SET_LIFECYCLE = 'set-lifecycle';

/** The step's detail: everything apply needs, so it never re-reads (and never rebases on) the bucket. */
export interface TtlChange {
  bucket: string;
  /** Read at plan time: the patch only lands if nobody changed the bucket since. */
  ifMetageneration: string;
  previousDays: number | null;
  days: number;
  before: LifecycleRule[];
  after: LifecycleRule[];
}

export interface TtlPlan {
  plan: Plan;
  change: TtlChange;
  diff: RuleDiffEntry[];
}

/**
 * `bucket ttl set` refuses the backups bucket outright (exit 2), before any call: its blobs are
 * shared between backups, so an age rule would delete content that recent backups still reference.
 */
export function refuseTtlOnBackups(ref: BucketRef): void {
  if (ref.role === 'backups')
    throw new UsageError(
      `${describeRef(ref)} holds backups, whose blobs are shared: a blob written months ago is still part of the newest backup, so a TTL would delete content recent backups need. Expire backups with \`gwctl backup prune --older-than <age>\` (or --keep <n>) instead; nothing was changed`,
    );
}

/** The plan for `bucket ttl set`: one patch of the lifecycle, or nothing when the TTL is already `days`. */
export function planTtlChange(input: { env: string; ref: BucketRef; state: TtlBucketState; days: number }): TtlPlan {
  const { settings } = input.state;
  const before = settings.lifecycleRules;
  const lookup = findManagedRule(before);
  if (lookup.kind === 'ambiguous') throw new AmbiguousTtlError(settings.name, lookup);
  const edit = withTtl(before, input.days);
  const change: TtlChange = {
    bucket: settings.name,
    ifMetageneration: settings.metageneration,
    previousDays: edit.previousDays,
    days: input.days,
    before,
    after: edit.rules,
  };
  const target = describeRef(input.ref);
  const summary =
    edit.kind === 'unchanged'
      ? `keep the retention TTL of ${target} at ${input.days} days`
      : `set the retention TTL of ${target} to ${input.days} days${edit.previousDays === null ? '' : ` (was ${edit.previousDays})`}`;
  const plan = makePlan({
    command: 'bucket ttl set',
    env: input.env,
    summary,
    // Vault's storage lost to a TTL is the gateway's keys lost: make the operator type the environment's name.
    destructive: input.ref.role === 'vault' && edit.kind !== 'unchanged',
    steps:
      edit.kind === 'unchanged'
        ? []
        : [
            {
              id: `${SET_LIFECYCLE}/${settings.name}`,
              action: SET_LIFECYCLE,
              target: gsUrl(settings.name),
              description: `${edit.kind === 'add' ? 'add' : 'change'} rule ${edit.index + 1} (Delete, age ${input.days}); keep ${before.length - (edit.kind === 'add' ? 0 : 1)} other rule(s) as they are; if metageneration is still ${settings.metageneration}`,
              detail: change,
            },
          ],
    warnings:
      edit.kind === 'unchanged'
        ? []
        : [
            ...roleWarnings(input.ref.role),
            ...changeWarnings(edit.previousDays, input.days),
            ...ttlWarnings({ settings, days: input.days, held: input.state.held }),
            ...scanNotes(input.state),
            LIFECYCLE_DELAY_NOTE,
          ],
  });
  return { plan, change, diff: diffRules(before, edit.rules) };
}

/** Applies the approved plan: patches the lifecycle with the metageneration read at plan time. */
export async function applyTtlChange(admin: BucketAdmin, plan: Plan): Promise<BucketSettings> {
  const step = plan.steps.find((s) => s.action === SET_LIFECYCLE);
  if (!step) throw new Error('applyTtlChange: the plan has no set-lifecycle step');
  const change = step.detail as TtlChange;
  try {
    return await admin.patch(
      change.bucket,
      { lifecycleRules: change.after },
      { ifMetageneration: change.ifMetageneration },
    );
  } catch (err) {
    if (err instanceof ConcurrentChangeError)
      throw new ConcurrentChangeError(
        `${gsUrl(change.bucket)} changed since the plan was made (metageneration ${change.ifMetageneration} is no longer current); nothing was overwritten: re-run to plan against the new rules`,
      );
    throw err;
  }
}
