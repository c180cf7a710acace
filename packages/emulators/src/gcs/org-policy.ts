import { GcsError } from './errors.js';
import type { BucketFields } from './records.js';

/**
 * The organization policy constraints that reach Cloud Storage requests and that the emulator enforces
 * (https://cloud.google.com/storage/docs/org-policy-constraints). Absent: nothing is constrained.
 */
export interface OrgPolicy {
  /** `constraints/storage.softDeletePolicySeconds`: the soft delete durations (seconds) a bucket may have. */
  softDeletePolicySeconds?: number[];
}

const SOFT_DELETE_CONSTRAINT = 'constraints/storage.softDeletePolicySeconds';

/**
 * The constraint applies when a bucket is created and when its soft delete duration is added or changed, not to
 * buckets left alone. A refusal is 412 conditionNotMet, worded as GCS words constraint violations
 * ("'604800' violates constraint 'constraints/storage.softDeletePolicySeconds'", as reported from real projects;
 * the same 412 conditionNotMet shape GCS gives for constraints/storage.uniformBucketLevelAccess).
 */
export function checkOrgPolicy(policy: OrgPolicy, next: BucketFields, previous: BucketFields | undefined): void {
  const allowed = policy.softDeletePolicySeconds;
  if (!allowed) return;
  const seconds = next.softDeletePolicy?.retentionDurationSeconds;
  if (seconds === undefined) return;
  if (previous && previous.softDeletePolicy?.retentionDurationSeconds === seconds) return;
  if (!allowed.includes(Number(seconds)))
    throw new GcsError(412, `'${seconds}' violates constraint '${SOFT_DELETE_CONSTRAINT}'`, 'conditionNotMet');
}
