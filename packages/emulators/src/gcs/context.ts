import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EmulatorClock } from '../common/clock.js';
import type { FaultInjector } from '../common/faults.js';
import { sendJson } from '../common/http-emulator.js';
import type { RequestLog } from '../common/request-log.js';
import { noSuchBucket } from './errors.js';
import type { FieldMask } from './field-mask.js';
import type { OrgPolicy } from './org-policy.js';
import type { QueryParams } from './query.js';
import type { RewriteJobs } from './rewrite.js';
import type { BucketState, Store } from './store.js';
import type { UploadSessions } from './uploads.js';

/** The service name GCS requests are recorded under. */
export const GCS_SERVICE = 'gcs';

/** What every API handler works with. */
export interface GcsContext {
  store: Store;
  clock: EmulatorClock;
  uploads: UploadSessions;
  rewrites: RewriteJobs;
  /** Bytes a single rewrite call copies; bigger objects need several calls and a rewrite token. */
  rewriteChunkBytes: number;
  /** The API request log: the calls inside a batch are recorded here one by one, like direct ones. */
  log: RequestLog;
  /** Also decides, call by call, whether a call inside a batch fails on purpose. */
  faults: FaultInjector;
  /** The organization policy over the emulated project; changed in place. */
  orgPolicy: OrgPolicy;
}

/** One API request, already routed. */
export interface ApiCall {
  req: IncomingMessage;
  res: ServerResponse;
  query: QueryParams;
  /** Scheme and host the client used, for `selfLink`, `mediaLink` and upload session URIs. */
  baseUrl: string;
  /** The request body, read whole. */
  body(): Promise<Buffer>;
  /** The body, when it came already read (a call inside a batch): handlers can answer without waiting for it. */
  bodyRead?: Buffer;
  /** The `fields` parameter: what a successful JSON answer keeps. */
  fields?: FieldMask;
}

/** A successful JSON answer, cut down to the call's `fields` (an error body never is). */
export function sendResult(call: ApiCall, body: Record<string, unknown>): void {
  sendJson(call.res, 200, call.fields ? call.fields.apply(body) : body);
}

export const nowMs = (ctx: GcsContext) => ctx.clock.nowMs();

export function requireBucket(ctx: GcsContext, name: string): BucketState {
  const bucket = ctx.store.bucket(name);
  if (!bucket) throw noSuchBucket();
  return bucket;
}
