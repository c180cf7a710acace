import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EmulatorClock } from '../common/clock.js';
import { noSuchBucket } from './errors.js';
import type { RewriteJobs } from './rewrite.js';
import type { BucketState, Store } from './store.js';
import type { UploadSessions } from './uploads.js';

/** What every API handler works with. */
export interface GcsContext {
  store: Store;
  clock: EmulatorClock;
  uploads: UploadSessions;
  rewrites: RewriteJobs;
  /** Bytes a single rewrite call copies; bigger objects need several calls and a rewrite token. */
  rewriteChunkBytes: number;
}

/** One API request, already routed. */
export interface ApiCall {
  req: IncomingMessage;
  res: ServerResponse;
  query: URLSearchParams;
  /** Scheme and host the client used, for `selfLink`, `mediaLink` and upload session URIs. */
  baseUrl: string;
}

export const nowMs = (ctx: GcsContext) => ctx.clock.now().getTime();

export function requireBucket(ctx: GcsContext, name: string): BucketState {
  const bucket = ctx.store.bucket(name);
  if (!bucket) throw noSuchBucket();
  return bucket;
}
