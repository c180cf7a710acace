import { applyBucketWrite, validateBucketName, type BucketWrite } from './bucket-fields.js';
import { sendResult, type ApiCall } from './api-call.js';
import { nowMs, requireBucket, type GcsContext } from './context.js';
import { conflict, invalid } from './errors.js';
import { readJsonBody } from './json-body.js';
import { checkOrgPolicy } from './org-policy.js';
import { listQuery } from './listing.js';
import { checkBucketPreconditions, int64Param, notModified } from './preconditions.js';
import { bucketResource } from './resources.js';
import { compareNames } from './sorted-names.js';

export async function insertBucket(ctx: GcsContext, call: ApiCall): Promise<void> {
  if (!call.query.get('project')) throw invalid('Required parameter: project', 'required');
  const body = await readJsonBody(call);
  validateBucketName(body.name);
  if (ctx.store.bucket(body.name))
    throw conflict('Your previous request to create the named bucket succeeded and you already own it.');
  const now = nowMs(ctx);
  const fields = applyBucketWrite({}, body, 'insert', now);
  checkOrgPolicy(ctx.orgPolicy, fields, undefined);
  const bucket = ctx.store.addBucket({ name: body.name, metageneration: 1, timeCreated: now, updated: now, fields });
  sendResult(call, bucketResource(bucket.record, call.baseUrl));
}

export function getBucket(ctx: GcsContext, call: ApiCall, name: string): void {
  const bucket = requireBucket(ctx, name);
  if (notModified(bucket.record, call.query)) {
    call.res.writeHead(304).end();
    return;
  }
  checkBucketPreconditions(bucket.record, call.query);
  sendResult(call, bucketResource(bucket.record, call.baseUrl));
}

export function listBuckets(ctx: GcsContext, call: ApiCall): void {
  if (!call.query.get('project')) throw invalid('Required parameter: project', 'required');
  const { prefix, maxResults, pageToken } = listQuery(call.query);
  const after = pageToken ? Buffer.from(pageToken, 'base64url').toString('utf8') : undefined;
  const matching = ctx.store
    .allBuckets()
    .filter((b) => b.name.startsWith(prefix) && (after === undefined || compareNames(b.name, after) > 0));
  const page = matching.slice(0, maxResults);
  const more = matching.length > page.length;
  sendResult(call, {
    kind: 'storage#buckets',
    ...(page.length ? { items: page.map((b) => bucketResource(b.record, call.baseUrl)) } : {}),
    ...(more ? { nextPageToken: Buffer.from(page.at(-1)!.name).toString('base64url') } : {}),
  });
}

/** PATCH and PUT: every change bumps the metageneration. */
export async function writeBucket(
  ctx: GcsContext,
  call: ApiCall,
  name: string,
  mode: Exclude<BucketWrite, 'insert'>,
): Promise<void> {
  const body = await readJsonBody(call);
  const bucket = requireBucket(ctx, name);
  checkBucketPreconditions(bucket.record, call.query);
  const now = nowMs(ctx);
  const fields = applyBucketWrite(bucket.record.fields, body, mode, now);
  checkOrgPolicy(ctx.orgPolicy, fields, bucket.record.fields);
  bucket.record = { ...bucket.record, fields, metageneration: bucket.record.metageneration + 1, updated: now };
  ctx.store.saveBucket(bucket);
  sendResult(call, bucketResource(bucket.record, call.baseUrl));
}

export function deleteBucket(ctx: GcsContext, call: ApiCall, name: string): void {
  const bucket = requireBucket(ctx, name);
  checkBucketPreconditions(bucket.record, call.query);
  if (!bucket.isEmpty) throw conflict('The bucket you tried to delete is not empty.');
  ctx.store.dropBucket(bucket);
  call.res.writeHead(204).end();
}

/** Locking is one-way: a locked policy can be lengthened but never shortened or removed. */
export function lockRetentionPolicy(ctx: GcsContext, call: ApiCall, name: string): void {
  const bucket = requireBucket(ctx, name);
  if (int64Param(call.query, 'ifMetagenerationMatch') === undefined)
    throw invalid('Required parameter: ifMetagenerationMatch', 'required');
  checkBucketPreconditions(bucket.record, call.query);
  const policy = bucket.record.fields.retentionPolicy;
  if (!policy) throw invalid('The bucket has no retention policy to lock.');
  bucket.record = {
    ...bucket.record,
    fields: { ...bucket.record.fields, retentionPolicy: { ...policy, isLocked: true } },
    metageneration: bucket.record.metageneration + 1,
    updated: nowMs(ctx),
  };
  ctx.store.saveBucket(bucket);
  sendResult(call, bucketResource(bucket.record, call.baseUrl));
}
