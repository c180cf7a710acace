import type { BucketAdmin, BucketSettings } from '../cloud/buckets.js';

export interface TtlBucketState {
  settings: BucketSettings;
  /** Live objects under a hold; undefined when the bucket was not listed. */
  held?: number;
  /** Why holds could not be counted (e.g. no storage.objects.list permission): shown, not fatal. */
  holdScanError?: string;
}

/**
 * Reads what the TTL decision needs. Counting holds lists every object, so it can be skipped on
 * huge buckets; a failed listing only costs that one warning.
 */
export async function readTtlState(
  admin: BucketAdmin,
  bucket: string,
  opts: { scanHolds: boolean },
): Promise<TtlBucketState> {
  const settings = await admin.settings(bucket);
  if (!opts.scanHolds) return { settings };
  try {
    return { settings, held: (await admin.inventory(bucket)).held };
  } catch (err) {
    return { settings, holdScanError: (err as Error).message };
  }
}

/** Notes on what was not checked, shown with the warnings. */
export function scanNotes(state: TtlBucketState): string[] {
  if (state.holdScanError) return [`could not count objects under a hold: ${state.holdScanError}`];
  if (state.held === undefined) return ['objects under a hold were not counted (--no-holds)'];
  return [];
}
