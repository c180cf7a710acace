import type { DeploymentTrigger, TriggerAdmin, TriggerRef } from '../cloud/cloudbuild.js';
import { triggerName } from '../cloud/cloudbuild.js';

/**
 * The tag deprovisioning adds to the trigger it disables: `env protect` re-enables only a trigger carrying it, so a
 * trigger someone disabled for another reason (a deploy freeze) stays disabled. It lives on the trigger, so any
 * machine (or the Cloud Build job) sees it.
 */
export const DEPROVISION_TAG = 'gwctl-deprovision';

/** What was read of the environment's deployment trigger; `found` absent when there is none of that name. */
export interface TriggerFacts {
  ref: TriggerRef;
  found?: DeploymentTrigger;
  /** Why it could not be read (Cloud Build refused or failed). */
  problem?: string;
}

export type TriggerState = 'enabled' | 'disabled by gwctl env deprovision' | 'disabled' | 'absent' | 'unknown';

export function triggerState(t: TriggerFacts): TriggerState {
  if (t.problem) return 'unknown';
  if (!t.found) return 'absent';
  if (!t.found.disabled) return 'enabled';
  return t.found.tags.includes(DEPROVISION_TAG) ? 'disabled by gwctl env deprovision' : 'disabled';
}

export const describeTrigger = (t: TriggerFacts) => `Cloud Build trigger ${t.ref.trigger} (${triggerName(t.ref)})`;

/**
 * Disables the trigger and tags it, reading it again first: idempotent, and what the run writes is based on the
 * trigger as it is now. `already-gone` when it no longer exists; `already-disabled` when someone else disabled it (a
 * deploy freeze, after the plan was read): left untagged, so `env protect` does not enable what gwctl never disabled.
 */
export async function disableTrigger(
  admin: TriggerAdmin,
  ref: TriggerRef,
): Promise<'done' | 'already-gone' | 'already-disabled'> {
  const t = await admin.get(ref);
  if (!t) return 'already-gone';
  if (t.disabled) return t.tags.includes(DEPROVISION_TAG) ? 'done' : 'already-disabled';
  await admin.update(t, { disabled: true, tags: [...new Set([...t.tags, DEPROVISION_TAG])] });
  return 'done';
}

/** Enables a trigger deprovisioning disabled, and drops its tag. */
export async function enableTrigger(admin: TriggerAdmin, ref: TriggerRef): Promise<'done' | 'already-gone'> {
  const t = await admin.get(ref);
  if (!t) return 'already-gone';
  if (!t.disabled && !t.tags.includes(DEPROVISION_TAG)) return 'done';
  await admin.update(t, { disabled: false, tags: t.tags.filter((tag) => tag !== DEPROVISION_TAG) });
  return 'done';
}
