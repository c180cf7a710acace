import { randomBytes } from 'node:crypto';
import { commitObject, validateObjectName } from './commit.js';
import { parseContentRange } from './content-range.js';
import { sendResult, type ApiCall } from './api-call.js';
import { requireBucket, type GcsContext } from './context.js';
import { GcsError, invalid, notFound } from './errors.js';
import { parseGoogHash } from './hashes.js';
import { parseJsonObject } from './json-body.js';
import { parseMultipartRelated } from './multipart.js';
import { objectFieldsFrom } from './object-fields.js';
import { checkObjectPreconditions, readPreconditions } from './preconditions.js';
import { objectResource } from './resources.js';
import type { UploadSession } from './sessions.js';

const DEFAULT_CONTENT_TYPE = 'application/octet-stream';

/** Everything under `/upload/storage/v1/b/{bucket}/o`: simple, multipart and resumable uploads. */
export async function handleUpload(ctx: GcsContext, call: ApiCall, bucketName: string): Promise<void> {
  // Read the body first so an error answer never leaves an unread upload on the connection.
  const body = await call.body();
  const uploadId = call.query.get('upload_id');
  if (uploadId) return resumableRequest(ctx, call, uploadId, body);
  if (call.req.method !== 'POST') throw new GcsError(405, 'Method not allowed for uploads.', 'methodNotAllowed');
  const type = call.query.get('uploadType');
  if (type === 'media') return simpleUpload(ctx, call, bucketName, body);
  if (type === 'multipart') return multipartUpload(ctx, call, bucketName, body);
  if (type === 'resumable') return startResumable(ctx, call, bucketName, body);
  throw invalid(`Unsupported uploadType: ${type ?? '(none)'}`);
}

function simpleUpload(ctx: GcsContext, call: ApiCall, bucketName: string, data: Buffer): void {
  const bucket = requireBucket(ctx, bucketName);
  const name = call.query.get('name');
  if (!name) throw invalid('Required parameter: name', 'required');
  const contentEncoding = call.query.get('contentEncoding');
  const fields = objectFieldsFrom(contentEncoding ? { contentEncoding } : {}, {
    contentType: call.req.headers['content-type'] ?? DEFAULT_CONTENT_TYPE,
  });
  const v = commitObject(ctx, {
    bucket,
    name,
    data,
    fields,
    preconditions: readPreconditions(call.query),
    expected: parseGoogHash(call.req.headers['x-goog-hash']),
  });
  sendResult(call, objectResource(v, call.baseUrl, bucket.record, call.fields));
}

function multipartUpload(ctx: GcsContext, call: ApiCall, bucketName: string, body: Buffer): void {
  const bucket = requireBucket(ctx, bucketName);
  const { metadata, contentType, data } = parseMultipartRelated(call.req.headers['content-type'], body);
  const name = call.query.get('name') ?? (typeof metadata.name === 'string' ? metadata.name : undefined);
  if (!name) throw invalid('Required parameter: name', 'required');
  const fields = objectFieldsFrom(metadata, { contentType: contentType ?? DEFAULT_CONTENT_TYPE });
  const expected = {
    ...(typeof metadata.crc32c === 'string' ? { crc32c: metadata.crc32c } : {}),
    ...(typeof metadata.md5Hash === 'string' ? { md5: metadata.md5Hash } : {}),
  };
  const v = commitObject(ctx, { bucket, name, data, fields, preconditions: readPreconditions(call.query), expected });
  sendResult(call, objectResource(v, call.baseUrl, bucket.record, call.fields));
}

/** Opens a session; preconditions are checked now (to fail early) and again when the last byte arrives. */
function startResumable(ctx: GcsContext, call: ApiCall, bucketName: string, body: Buffer): void {
  const metadata = parseJsonObject(body);
  const bucket = requireBucket(ctx, bucketName);
  const name = call.query.get('name') ?? (typeof metadata.name === 'string' ? metadata.name : undefined);
  if (!name) throw invalid('Required parameter: name', 'required');
  validateObjectName(name);
  const preconditions = readPreconditions(call.query);
  checkObjectPreconditions(bucket.live.get(name), preconditions);
  const headerType = call.req.headers['x-upload-content-type'];
  const fields = objectFieldsFrom(metadata, {
    contentType: typeof headerType === 'string' ? headerType : DEFAULT_CONTENT_TYPE,
  });
  const declared = call.req.headers['x-upload-content-length'];
  const id = randomBytes(18).toString('base64url');
  ctx.store.uploads.open(id, {
    bucket: bucketName,
    name,
    fields,
    preconditions,
    chunks: [],
    received: 0,
    ...(typeof declared === 'string' && /^\d+$/.test(declared) ? { total: Number(declared) } : {}),
  });
  const location = `${call.baseUrl}/upload/storage/v1/b/${bucketName}/o?uploadType=resumable&name=${encodeURIComponent(name)}&upload_id=${id}`;
  call.res.writeHead(200, { location, 'x-guploader-uploadid': id, 'content-length': '0' }).end();
}

/**
 * A PUT to a session URI: a chunk, the final chunk, or a status query. Incomplete sessions answer
 * 308 with `Range: bytes=0-<last byte held>`; bytes the session already has are not appended twice.
 */
function resumableRequest(ctx: GcsContext, call: ApiCall, id: string, data: Buffer): void {
  const session = ctx.store.uploads.get(id);
  if (!session) throw notFound('No such upload session.');
  if (call.req.method === 'DELETE') {
    ctx.store.uploads.delete(id);
    call.res.writeHead(499, { 'content-length': '0' }).end();
    return;
  }
  const bucket = requireBucket(ctx, session.bucket);
  if (session.done) {
    sendResult(call, objectResource(session.done, call.baseUrl, bucket.record, call.fields));
    return;
  }
  const range = parseContentRange(call.req.headers['content-range'], data.length);
  if (range.first !== undefined) {
    if (range.first > session.received) return resumeIncomplete(call, session);
    const fresh = data.subarray(session.received - range.first);
    if (fresh.length) {
      session.chunks.push(fresh);
      session.received += fresh.length;
    }
  }
  if (range.total !== undefined) session.total = range.total;
  if (session.total === undefined || session.received < session.total) return resumeIncomplete(call, session);
  if (session.received > session.total)
    throw invalid(`Upload has ${session.received} bytes, more than the declared ${session.total}.`);
  const v = commitObject(ctx, {
    bucket,
    name: session.name,
    data: Buffer.concat(session.chunks),
    fields: session.fields,
    preconditions: session.preconditions,
    expected: parseGoogHash(call.req.headers['x-goog-hash']),
  });
  session.done = v;
  session.chunks = [];
  sendResult(call, objectResource(v, call.baseUrl, bucket.record, call.fields));
}

function resumeIncomplete(call: ApiCall, session: UploadSession): void {
  const headers: Record<string, string> = { 'content-length': '0' };
  if (session.received > 0) headers.range = `bytes=0-${session.received - 1}`;
  call.res.writeHead(308, headers).end();
}
