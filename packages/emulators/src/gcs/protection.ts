import { forbidden, type GcsError } from './errors.js';
import type { BucketRecord, ObjectVersion } from './records.js';
import { retentionExpiry } from './resources.js';

/**
 * Why this generation may not be deleted or replaced now — an active hold or an unexpired
 * bucket retention policy — or undefined when it may. API deletes and lifecycle sweeps both ask.
 */
export function deletionBlocker(v: ObjectVersion, bucket: BucketRecord, now: number): GcsError | undefined {
  const id = `${v.bucket}/${v.name}`;
  for (const [hold, label] of [
    ['temporaryHold', 'Temporary'],
    ['eventBasedHold', 'Event-Based'],
  ] as const) {
    if (v.fields[hold])
      return forbidden(
        `Object '${id}' is under active ${label} hold and cannot be deleted, overwritten or archived until hold is removed.`,
        'retentionPolicyNotMet',
      );
  }
  const expiry = retentionExpiry(v, bucket);
  if (expiry !== undefined && expiry > now)
    return forbidden(
      `Object '${id}' is subject to bucket's retention policy or object retention and cannot be deleted or overwritten until ${new Date(expiry).toISOString()}`,
      'retentionPolicyNotMet',
    );
  return undefined;
}

export function assertDeletable(v: ObjectVersion, bucket: BucketRecord, now: number): void {
  const blocker = deletionBlocker(v, bucket, now);
  if (blocker) throw blocker;
}
