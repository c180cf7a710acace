import type { ApiCall } from './api-call.js';
import { handleBatch, type ApiRequestHandler } from './batch.js';
import { deleteBucket, getBucket, insertBucket, listBuckets, lockRetentionPolicy, writeBucket } from './buckets.js';
import type { GcsContext } from './context.js';
import { deleteObject, getObject, listBucketObjects, restoreObject, writeObjectMetadata } from './objects.js';
import type { PathParams } from './path-pattern.js';
import { copyObject, rewriteObject } from './rewrite.js';
import { handleUpload } from './uploads.js';

/** A handler's outcome: handed on rather than awaited, which would add a promise and its ticks to every call. */
export type Routed = void | Promise<void>;

export interface Route {
  /** `*` takes every method (the upload endpoint tells its kinds apart itself). */
  method: string;
  path: string;
  handle(ctx: GcsContext, call: ApiCall, params: PathParams): Routed;
}

/** The JSON API proper, below `/storage/v1` (or below `/` when the client library runs with STORAGE_EMULATOR_HOST). */
const jsonApi = (prefix: string): Route[] => [
  { method: 'GET', path: `${prefix}/b`, handle: (ctx, call) => listBuckets(ctx, call) },
  { method: 'POST', path: `${prefix}/b`, handle: (ctx, call) => insertBucket(ctx, call) },
  { method: 'GET', path: `${prefix}/b/{bucket}`, handle: (ctx, call, p) => getBucket(ctx, call, p.bucket) },
  {
    method: 'PATCH',
    path: `${prefix}/b/{bucket}`,
    handle: (ctx, call, p) => writeBucket(ctx, call, p.bucket, 'patch'),
  },
  { method: 'PUT', path: `${prefix}/b/{bucket}`, handle: (ctx, call, p) => writeBucket(ctx, call, p.bucket, 'update') },
  { method: 'DELETE', path: `${prefix}/b/{bucket}`, handle: (ctx, call, p) => deleteBucket(ctx, call, p.bucket) },
  {
    method: 'POST',
    path: `${prefix}/b/{bucket}/lockRetentionPolicy`,
    handle: (ctx, call, p) => lockRetentionPolicy(ctx, call, p.bucket),
  },
  { method: 'GET', path: `${prefix}/b/{bucket}/o`, handle: (ctx, call, p) => listBucketObjects(ctx, call, p.bucket) },
  // Object names may come with raw slashes (clients percent-encode them, but GCS takes both): `{object...}`.
  {
    method: 'POST',
    path: `${prefix}/b/{bucket}/o/{object...}/{copy:rewriteTo|copyTo}/b/{toBucket}/o/{toObject...}`,
    handle: (ctx, call, p) => {
      const source = { bucket: p.bucket, name: p.object };
      const destination = { bucket: p.toBucket, name: p.toObject };
      return p.copy === 'rewriteTo'
        ? rewriteObject(ctx, call, source, destination)
        : copyObject(ctx, call, source, destination);
    },
  },
  {
    method: 'POST',
    path: `${prefix}/b/{bucket}/o/{object...}/restore`,
    handle: (ctx, call, p) => restoreObject(ctx, call, p.bucket, p.object),
  },
  {
    method: 'GET',
    path: `${prefix}/b/{bucket}/o/{object...}`,
    handle: (ctx, call, p) => getObject(ctx, call, p.bucket, p.object),
  },
  {
    method: 'PATCH',
    path: `${prefix}/b/{bucket}/o/{object...}`,
    handle: (ctx, call, p) => writeObjectMetadata(ctx, call, p.bucket, p.object, 'patch'),
  },
  {
    method: 'PUT',
    path: `${prefix}/b/{bucket}/o/{object...}`,
    handle: (ctx, call, p) => writeObjectMetadata(ctx, call, p.bucket, p.object, 'update'),
  },
  {
    method: 'DELETE',
    path: `${prefix}/b/{bucket}/o/{object...}`,
    handle: (ctx, call, p) => deleteObject(ctx, call, p.bucket, p.object),
  },
];

/**
 * Every API endpoint, as fake-gcs-server's buildMuxer lists them: method and path pattern → handler. The first
 * route matching both answers; a path some route knows, asked with another method, is answered 405. A batch
 * runs its calls through the router again (`answer`), passed in so that this table imports no router.
 */
export function gcsRoutes(answer: ApiRequestHandler): Route[] {
  return [
    {
      method: '*',
      path: '/upload/storage/v1/b/{bucket}/o',
      handle: (ctx, call, p) => handleUpload(ctx, call, p.bucket),
    },
    {
      method: 'GET',
      path: '/download/storage/v1/b/{bucket}/o/{object...}',
      handle: (ctx, call, p) => getObject(ctx, call, p.bucket, p.object, true),
    },
    { method: 'POST', path: '/batch/storage/v1', handle: (ctx, call) => handleBatch(ctx, call, answer) },
    ...jsonApi('/storage/v1'),
    ...jsonApi(''),
  ];
}
