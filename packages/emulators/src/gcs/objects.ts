import { commitObject } from './commit.js';
import { sendResult, type ApiCall } from './api-call.js';
import { nowMs, requireBucket, type GcsContext } from './context.js';
import { sendMedia } from './download.js';
import { invalid, noSuchObject } from './errors.js';
import { FieldMask } from './field-mask.js';
import { readJsonBody } from './json-body.js';
import { emptyFirstPage, listObjects, listQuery } from './listing.js';
import { objectFieldsFrom, patchObjectFields } from './object-fields.js';
import { checkObjectPreconditions, int64Param, notModified, readPreconditions } from './preconditions.js';
import { assertDeletable } from './protection.js';
import { objectResource } from './resources.js';

/** Metadata, or the bytes with `alt=media`; `softDeleted=true` reads a soft-deleted generation's metadata. */
export function getObject(ctx: GcsContext, call: ApiCall, bucketName: string, name: string, media = false): void {
  const b = requireBucket(ctx, bucketName);
  const generation = int64Param(call.query, 'generation');
  const softDeleted = call.query.get('softDeleted') === 'true';
  const v = softDeleted ? b.findSoftDeleted(name, generation) : b.find(name, generation);
  if (!v) throw noSuchObject(bucketName, name);
  if (notModified(v, call.query)) {
    call.res.writeHead(304).end();
    return;
  }
  checkObjectPreconditions(v, readPreconditions(call.query));
  if ((media || call.query.get('alt') === 'media') && !softDeleted) sendMedia(call.req, call.res, v);
  else sendResult(call, objectResource(v, call.baseUrl, b.record, call.fields));
}

export function listBucketObjects(ctx: GcsContext, call: ApiCall, bucketName: string): void {
  const b = requireBucket(ctx, bucketName);
  const query = listQuery(call.query);
  const page = ctx.quirks.emptyFirstListPage && !query.pageToken ? emptyFirstPage() : listObjects(b, query);
  const itemFields = FieldMask.under(call.fields, 'items');
  sendResult(call, {
    kind: 'storage#objects',
    ...(page.prefixes.length ? { prefixes: page.prefixes } : {}),
    ...(page.items.length
      ? { items: page.items.map((v) => objectResource(v, call.baseUrl, b.record, itemFields)) }
      : {}),
    ...(page.nextPageToken ? { nextPageToken: page.nextPageToken } : {}),
  });
}

/** PATCH merges, PUT replaces the writable fields; either way the metageneration goes up. */
export async function writeObjectMetadata(
  ctx: GcsContext,
  call: ApiCall,
  bucketName: string,
  name: string,
  mode: 'patch' | 'update',
): Promise<void> {
  const body = await readJsonBody(call);
  const b = requireBucket(ctx, bucketName);
  const v = b.find(name, int64Param(call.query, 'generation'));
  if (!v) throw noSuchObject(bucketName, name);
  checkObjectPreconditions(v, readPreconditions(call.query));
  v.fields = mode === 'patch' ? patchObjectFields(v.fields, body) : objectFieldsFrom(body);
  v.metageneration += 1;
  v.updated = nowMs(ctx);
  ctx.store.saveVersion(v);
  sendResult(call, objectResource(v, call.baseUrl, b.record, call.fields));
}

/**
 * Deleting the live generation of a versioned bucket leaves it noncurrent; naming a generation, or an
 * unversioned bucket, removes it (into soft-delete when the bucket has a policy). Holds and retention block both.
 */
export function deleteObject(ctx: GcsContext, call: ApiCall, bucketName: string, name: string): void {
  const b = requireBucket(ctx, bucketName);
  const generation = int64Param(call.query, 'generation');
  const v = b.find(name, generation);
  if (!v) throw noSuchObject(bucketName, name);
  checkObjectPreconditions(v, readPreconditions(call.query));
  const now = nowMs(ctx);
  assertDeletable(v, b.record, now);
  if (generation === undefined && b.versioningEnabled) ctx.store.makeNoncurrent(b, v, now);
  else ctx.store.remove(b, v, now);
  call.res.writeHead(204).end();
}

/** Brings a soft-deleted generation back as a new live generation. */
export function restoreObject(ctx: GcsContext, call: ApiCall, bucketName: string, name: string): void {
  const b = requireBucket(ctx, bucketName);
  const generation = int64Param(call.query, 'generation');
  if (generation === undefined) throw invalid('Required parameter: generation', 'required');
  const deleted = b.findSoftDeleted(name, generation);
  if (!deleted) throw noSuchObject(bucketName, name);
  const restored = commitObject(ctx, {
    bucket: b,
    name,
    data: deleted.data,
    fields: deleted.fields,
    hashes: deleted,
    preconditions: readPreconditions(call.query),
  });
  ctx.store.purge(b, deleted);
  sendResult(call, objectResource(restored, call.baseUrl, b.record, call.fields));
}
