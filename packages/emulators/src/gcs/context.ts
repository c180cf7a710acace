import type { EmulatorClock } from '../common/clock.js';
import type { FaultInjector } from '../common/faults.js';
import type { RequestLog } from '../common/request-log.js';
import { noSuchBucket } from './errors.js';
import type { OrgPolicy } from './org-policy.js';
import type { BucketState, Store } from './store.js';

/** The service name GCS requests are recorded under. */
export const GCS_SERVICE = 'gcs';

/** What every API handler works with: the store (which owns all state) and the server's settings. */
export interface GcsContext {
  store: Store;
  clock: EmulatorClock;
  /** Bytes a single rewrite call copies; bigger objects need several calls and a rewrite token. */
  rewriteChunkBytes: number;
  /** The API request log: the calls inside a batch are recorded here one by one, like direct ones. */
  log: RequestLog;
  /** Also decides, call by call, whether a call inside a batch fails on purpose. */
  faults: FaultInjector;
  /** The organization policy over the emulated project; changed in place. */
  orgPolicy: OrgPolicy;
  /** Answers GCS may give but seldom does; changed in place. */
  quirks: GcsQuirks;
}

export interface GcsQuirks {
  /**
   * The first page of every object listing is empty, with a nextPageToken that resumes at its start: "Note that
   * the next page may be empty" (nextPageToken, https://cloud.google.com/storage/docs/json_api/v1/objects/list).
   */
  emptyFirstListPage?: boolean;
}

export const nowMs = (ctx: GcsContext) => ctx.clock.nowMs();

export function requireBucket(ctx: GcsContext, name: string): BucketState {
  const bucket = ctx.store.bucket(name);
  if (!bucket) throw noSuchBucket();
  return bucket;
}
