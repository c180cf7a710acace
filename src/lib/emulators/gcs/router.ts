import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody, sendJson } from '../common/http-emulator.js';
import { handleBatch } from './batch.js';
import { deleteBucket, getBucket, insertBucket, listBuckets, lockRetentionPolicy, writeBucket } from './buckets.js';
import type { ApiCall, GcsContext } from './context.js';
import { errorBody, GcsError, invalid, notFound } from './errors.js';
import { FieldMask } from './field-mask.js';
import { deleteObject, getObject, listBucketObjects, restoreObject, writeObjectMetadata } from './objects.js';
import { copyObject, rewriteObject, type ObjectRef } from './rewrite.js';
import { handleUpload } from './uploads.js';

const notAllowed = (method: string) => new GcsError(405, `Method ${method} is not allowed here.`, 'methodNotAllowed');

function decodeSegment(segment: string): string {
  try {
    return segment.includes('%') ? decodeURIComponent(segment) : segment;
  } catch {
    throw invalid(`Invalid URL path segment: ${segment}`);
  }
}

/** `{name}`, `{name}/rewriteTo|copyTo/b/{bucket}/o/{name}` or `{name}/restore`, after `/o/`. */
type ObjectPath = { name: string; action?: 'rewriteTo' | 'copyTo'; destination?: ObjectRef } | { name: string; action: 'restore' };

// Clients percent-encode `/` in object names; a name sent with raw slashes is still accepted as one name.
function parseObjectPath(tail: string[], method: string): ObjectPath {
  for (let i = 1; i + 4 < tail.length; i++) {
    if ((tail[i] === 'rewriteTo' || tail[i] === 'copyTo') && tail[i + 1] === 'b' && tail[i + 3] === 'o')
      return { name: tail.slice(0, i).join('/'), action: tail[i] as 'rewriteTo' | 'copyTo', destination: { bucket: tail[i + 2], name: tail.slice(i + 4).join('/') } };
  }
  if (method === 'POST' && tail.length >= 2 && tail.at(-1) === 'restore') return { name: tail.slice(0, -1).join('/'), action: 'restore' };
  return { name: tail.join('/') };
}

async function routeObject(ctx: GcsContext, call: ApiCall, bucket: string, tail: string[]): Promise<void> {
  const method = call.req.method ?? 'GET';
  const path = parseObjectPath(tail, method);
  if (path.action === 'restore') return restoreObject(ctx, call, bucket, path.name);
  if (path.action) {
    if (method !== 'POST') throw notAllowed(method);
    const source = { bucket, name: path.name };
    return path.action === 'rewriteTo' ? rewriteObject(ctx, call, source, path.destination!) : copyObject(ctx, call, source, path.destination!);
  }
  if (method === 'GET') return getObject(ctx, call, bucket, path.name);
  if (method === 'PATCH') return writeObjectMetadata(ctx, call, bucket, path.name, 'patch');
  if (method === 'PUT') return writeObjectMetadata(ctx, call, bucket, path.name, 'update');
  if (method === 'DELETE') return deleteObject(ctx, call, bucket, path.name);
  throw notAllowed(method);
}

/** `/storage/v1/…`: the JSON API proper. */
async function routeJsonApi(ctx: GcsContext, call: ApiCall, s: string[]): Promise<void> {
  const method = call.req.method ?? 'GET';
  if (s[0] !== 'b') throw notFound('Not Found');
  if (s.length === 1) {
    if (method === 'GET') return listBuckets(ctx, call);
    if (method === 'POST') return insertBucket(ctx, call);
    throw notAllowed(method);
  }
  const bucket = s[1];
  if (s.length === 2) {
    if (method === 'GET') return getBucket(ctx, call, bucket);
    if (method === 'PATCH') return writeBucket(ctx, call, bucket, 'patch');
    if (method === 'PUT') return writeBucket(ctx, call, bucket, 'update');
    if (method === 'DELETE') return deleteBucket(ctx, call, bucket);
    throw notAllowed(method);
  }
  if (s.length === 3 && s[2] === 'lockRetentionPolicy' && method === 'POST') return lockRetentionPolicy(ctx, call, bucket);
  if (s[2] !== 'o') throw notFound('Not Found');
  if (s.length === 3) {
    if (method === 'GET') return listBucketObjects(ctx, call, bucket);
    throw notAllowed(method);
  }
  return routeObject(ctx, call, bucket, s.slice(3));
}

async function route(ctx: GcsContext, call: ApiCall, segments: string[]): Promise<void> {
  const [root, api, version, b, bucket, o, ...rest] = segments;
  if (api === 'storage' && version === 'v1' && b === 'b' && o === 'o') {
    if (root === 'upload' && rest.length === 0) return handleUpload(ctx, call, bucket);
    if (root === 'download' && rest.length > 0 && call.req.method === 'GET') return getObject(ctx, call, bucket, rest.join('/'), true);
  }
  if (root === 'batch' && api === 'storage' && version === 'v1' && segments.length === 3) {
    if (call.req.method !== 'POST') throw notAllowed(call.req.method ?? 'GET');
    return handleBatch(ctx, call, handleApiRequest);
  }
  if (root === 'storage' && api === 'v1') return routeJsonApi(ctx, call, segments.slice(2));
  // With STORAGE_EMULATOR_HOST set, the client library sends JSON API calls without `/storage/v1`.
  if (root === 'b') return routeJsonApi(ctx, call, segments);
  throw notFound('Not Found');
}

/** Answers one GCS API request; API errors become GCS-shaped JSON errors. A call from a batch comes with its body already read. */
export async function handleApiRequest(ctx: GcsContext, req: IncomingMessage, res: ServerResponse, body?: Buffer): Promise<void> {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const path = q >= 0 ? url.slice(0, q) : url;
  const call: ApiCall = {
    req,
    res,
    query: new URLSearchParams(q >= 0 ? url.slice(q + 1) : ''),
    baseUrl: `http://${req.headers.host ?? '127.0.0.1'}`,
    body: body ? () => Promise.resolve(body) : () => readBody(req),
  };
  try {
    const fields = call.query.get('fields');
    if (fields !== null) call.fields = FieldMask.parse(fields);
    await route(ctx, call, path.split('/').slice(1).map(decodeSegment));
  } catch (err) {
    if (!(err instanceof GcsError) || res.headersSent) throw err;
    // Drain an unread body so the connection stays usable for the client's next request.
    if (!req.complete) req.resume();
    sendJson(res, err.code, errorBody(err));
  }
}
