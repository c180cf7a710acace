import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody, sendJson } from '../common/http-emulator.js';
import { joinSegments, parseObjectPath, pathSegments } from './api-path.js';
import { handleBatch } from './batch.js';
import { deleteBucket, getBucket, insertBucket, listBuckets, lockRetentionPolicy, writeBucket } from './buckets.js';
import type { ApiCall, GcsContext } from './context.js';
import { errorBody, GcsError, notFound } from './errors.js';
import { FieldMask } from './field-mask.js';
import { deleteObject, getObject, listBucketObjects, restoreObject, writeObjectMetadata } from './objects.js';
import { parseQuery, type QueryParams } from './query.js';
import { copyObject, rewriteObject } from './rewrite.js';
import { handleUpload } from './uploads.js';

const notAllowed = (method: string) => new GcsError(405, `Method ${method} is not allowed here.`, 'methodNotAllowed');

/** A handler's outcome: the routers hand it on rather than await it, which would add a promise and its ticks to every call. */
type Routed = void | Promise<void>;

function routeObject(ctx: GcsContext, call: ApiCall, bucket: string, s: string[], from: number): Routed {
  const method = call.req.method ?? 'GET';
  const path = parseObjectPath(s, from, method);
  if (path.action === 'restore') return restoreObject(ctx, call, bucket, path.name);
  if (path.action) {
    if (method !== 'POST') throw notAllowed(method);
    const source = { bucket, name: path.name };
    return path.action === 'rewriteTo'
      ? rewriteObject(ctx, call, source, path.destination!)
      : copyObject(ctx, call, source, path.destination!);
  }
  if (method === 'GET') return getObject(ctx, call, bucket, path.name);
  if (method === 'PATCH') return writeObjectMetadata(ctx, call, bucket, path.name, 'patch');
  if (method === 'PUT') return writeObjectMetadata(ctx, call, bucket, path.name, 'update');
  if (method === 'DELETE') return deleteObject(ctx, call, bucket, path.name);
  throw notAllowed(method);
}

/** `/storage/v1/…`: the JSON API proper, `s[at]` on (`b/…`). */
function routeJsonApi(ctx: GcsContext, call: ApiCall, s: string[], at: number): Routed {
  const method = call.req.method ?? 'GET';
  const length = s.length - at;
  if (s[at] !== 'b') throw notFound('Not Found');
  if (length === 1) {
    if (method === 'GET') return listBuckets(ctx, call);
    if (method === 'POST') return insertBucket(ctx, call);
    throw notAllowed(method);
  }
  const bucket = s[at + 1];
  if (length === 2) {
    if (method === 'GET') return getBucket(ctx, call, bucket);
    if (method === 'PATCH') return writeBucket(ctx, call, bucket, 'patch');
    if (method === 'PUT') return writeBucket(ctx, call, bucket, 'update');
    if (method === 'DELETE') return deleteBucket(ctx, call, bucket);
    throw notAllowed(method);
  }
  if (length === 3 && s[at + 2] === 'lockRetentionPolicy' && method === 'POST')
    return lockRetentionPolicy(ctx, call, bucket);
  if (s[at + 2] !== 'o') throw notFound('Not Found');
  if (length === 3) {
    if (method === 'GET') return listBucketObjects(ctx, call, bucket);
    throw notAllowed(method);
  }
  return routeObject(ctx, call, bucket, s, at + 3);
}

function route(ctx: GcsContext, call: ApiCall, segments: string[]): Routed {
  const root = segments[0];
  const api = segments[1];
  const version = segments[2];
  if (api === 'storage' && version === 'v1' && segments[3] === 'b' && segments[5] === 'o') {
    const bucket = segments[4];
    if (root === 'upload' && segments.length === 6) return handleUpload(ctx, call, bucket);
    if (root === 'download' && segments.length > 6 && call.req.method === 'GET')
      return getObject(ctx, call, bucket, joinSegments(segments, 6), true);
  }
  if (root === 'batch' && api === 'storage' && version === 'v1' && segments.length === 3) {
    if (call.req.method !== 'POST') throw notAllowed(call.req.method ?? 'GET');
    return handleBatch(ctx, call, answerApiRequest);
  }
  if (root === 'storage' && api === 'v1') return routeJsonApi(ctx, call, segments, 2);
  // With STORAGE_EMULATOR_HOST set, the client library sends JSON API calls without `/storage/v1`.
  if (root === 'b') return routeJsonApi(ctx, call, segments, 0);
  throw notFound('Not Found');
}

/** The GCS-shaped JSON error for an API error; anything else is rethrown, for the server (or the batch) to answer 500. */
function answerError(err: unknown, req: IncomingMessage, res: ServerResponse): void {
  if (!(err instanceof GcsError) || res.headersSent) throw err;
  // Drain an unread body so the connection stays usable for the client's next request.
  if (!req.complete) req.resume();
  sendJson(res, err.code, errorBody(err));
}

/**
 * Answers one GCS API request; API errors become GCS-shaped JSON errors. A call from a batch comes
 * with its body already read and its query parsed. The promise is there only when the handler has
 * one (it reads a body, say): a batch runs its calls without one promise per call.
 */
export function answerApiRequest(
  ctx: GcsContext,
  req: IncomingMessage,
  res: ServerResponse,
  body?: Buffer,
  query?: QueryParams,
): Routed {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const path = q >= 0 ? url.slice(0, q) : url;
  const call: ApiCall = {
    req,
    res,
    query: query ?? parseQuery(q >= 0 ? url.slice(q + 1) : ''),
    baseUrl: `http://${req.headers.host ?? '127.0.0.1'}`,
    body: body ? () => Promise.resolve(body) : () => readBody(req),
    bodyRead: body,
  };
  let routed: Routed;
  try {
    const fields = call.query.get('fields');
    if (fields !== null) call.fields = FieldMask.parse(fields);
    routed = route(ctx, call, pathSegments(path));
  } catch (err) {
    return answerError(err, req, res);
  }
  return routed instanceof Promise ? routed.catch((err: unknown) => answerError(err, req, res)) : undefined;
}

/** The server's handler for API requests. */
export async function handleApiRequest(ctx: GcsContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  await answerApiRequest(ctx, req, res);
}
