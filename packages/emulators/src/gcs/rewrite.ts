import { randomBytes } from 'node:crypto';
import { commitObject } from './commit.js';
import { sendResult, type ApiCall } from './api-call.js';
import { requireBucket, type GcsContext } from './context.js';
import { invalid, noSuchObject } from './errors.js';
import { FieldMask } from './field-mask.js';
import { contentHashes } from './hashes.js';
import { withJsonBody } from './json-body.js';
import { copiedFields, objectFieldsFrom } from './object-fields.js';
import { checkObjectPreconditions, int64Param, readPreconditions } from './preconditions.js';
import { objectResource } from './resources.js';
import type { ObjectRef, RewriteJob } from './sessions.js';

const sameRef = (a: ObjectRef, b: ObjectRef) => a.bucket === b.bucket && a.name === b.name;

/**
 * Resolves the source generation and the destination's fields: the source's, with whatever
 * object fields the request body names replacing them (the body is the destination resource).
 */
function prepareCopy(
  ctx: GcsContext,
  call: ApiCall,
  source: ObjectRef,
  destination: ObjectRef,
  body: Record<string, unknown>,
): RewriteJob {
  const src = requireBucket(ctx, source.bucket).find(source.name, int64Param(call.query, 'sourceGeneration'));
  if (!src) throw noSuchObject(source.bucket, source.name);
  checkObjectPreconditions(src, readPreconditions(call.query, true));
  // "For object copy and rewrite requests, Cloud Storage automatically performs server-side validation"
  // (https://cloud.google.com/storage/docs/data-validation): bytes that no longer match their stored
  // CRC32C are not copied. The status GCS answers is not documented; 400 stands for a refusal not worth retrying.
  if (contentHashes(src.data).crc32c !== src.crc32c)
    throw invalid(
      `Copy of gs://${source.bucket}/${source.name} failed server-side validation: its data does not match its CRC32C.`,
    );
  const dst = requireBucket(ctx, destination.bucket);
  checkObjectPreconditions(dst.live.get(destination.name), readPreconditions(call.query));
  return {
    source,
    destination,
    data: src.data,
    hashes: src,
    fields: objectFieldsFrom(body, copiedFields(src.fields)),
    rewritten: 0,
  };
}

function finish(ctx: GcsContext, call: ApiCall, job: RewriteJob, fields: FieldMask | undefined) {
  const bucket = requireBucket(ctx, job.destination.bucket);
  const v = commitObject(ctx, {
    bucket,
    name: job.destination.name,
    data: job.data,
    fields: job.fields,
    hashes: job.hashes,
    preconditions: readPreconditions(call.query),
  });
  return objectResource(v, call.baseUrl, bucket.record, fields);
}

/**
 * `rewriteTo`: objects larger than the per-call budget take several calls, each answering
 * `done: false` with a `rewriteToken` until the last one commits the destination.
 */
export function rewriteObject(
  ctx: GcsContext,
  call: ApiCall,
  source: ObjectRef,
  destination: ObjectRef,
): void | Promise<void> {
  return withJsonBody(call, (body) => rewrite(ctx, call, source, destination, body));
}

function rewrite(
  ctx: GcsContext,
  call: ApiCall,
  source: ObjectRef,
  destination: ObjectRef,
  body: Record<string, unknown>,
): void {
  let token = call.query.get('rewriteToken') ?? undefined;
  let job: RewriteJob;
  if (token) {
    const pending = ctx.store.rewrites.get(token);
    if (!pending || !sameRef(pending.source, source) || !sameRef(pending.destination, destination))
      throw invalid('Invalid rewrite token.');
    job = pending;
  } else job = prepareCopy(ctx, call, source, destination, body);
  const limit = int64Param(call.query, 'maxBytesRewrittenPerCall');
  const perCall = Math.max(1, Math.min(ctx.rewriteChunkBytes, limit ?? Infinity));
  const size = job.data.length;
  job.rewritten = Math.min(size, job.rewritten + perCall);
  const kind = 'storage#rewriteResponse';
  const totalBytesRewritten = String(job.rewritten);
  const objectSize = String(size);
  if (job.rewritten < size) {
    token ??= randomBytes(24).toString('base64url');
    ctx.store.rewrites.set(token, job);
    sendResult(call, { kind, totalBytesRewritten, objectSize, done: false, rewriteToken: token });
    return;
  }
  const resource = finish(ctx, call, job, FieldMask.under(call.fields, 'resource'));
  if (token) ctx.store.rewrites.delete(token);
  sendResult(call, { kind, totalBytesRewritten, objectSize, done: true, resource });
}

/** `copyTo`: the same copy in one call, answering with the destination object. */
export function copyObject(
  ctx: GcsContext,
  call: ApiCall,
  source: ObjectRef,
  destination: ObjectRef,
): void | Promise<void> {
  return withJsonBody(call, (body) =>
    sendResult(call, finish(ctx, call, prepareCopy(ctx, call, source, destination, body), call.fields)),
  );
}
