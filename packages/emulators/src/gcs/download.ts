import type { IncomingMessage, ServerResponse } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { GcsError } from './errors.js';
import { googHashHeader } from './hashes.js';
import type { ObjectVersion } from './records.js';

type ByteRange = { start: number; end: number };

/** A single `bytes=a-b`, `bytes=a-` or `bytes=-n` range; undefined (whole object) for anything else. */
export function parseRange(header: string | undefined, size: number): ByteRange | undefined {
  const m = header?.match(/^bytes=(\d*)-(\d*)$/);
  if (!m || (m[1] === '' && m[2] === '')) return undefined;
  const unsatisfiable = () => new GcsError(416, 'Request range not satisfiable', 'requestedRangeNotSatisfiable');
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0) throw unsatisfiable();
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (start >= size || end < start) throw unsatisfiable();
  return { start, end };
}

/**
 * Serves an object's bytes (`alt=media`) with the headers the client library reads: `x-goog-hash`
 * for its integrity check, `x-goog-stored-content-encoding` (without which it skips the check) and
 * the generation. A gzip-encoded object is decompressed for a client that does not accept gzip.
 */
export function sendMedia(req: IncomingMessage, res: ServerResponse, v: ObjectVersion): void {
  const f = v.fields;
  const storedGzip = f.contentEncoding === 'gzip';
  const transcode = storedGzip && !/\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
  const headers: Record<string, string> = {
    'content-type': f.contentType ?? 'application/octet-stream',
    'x-goog-hash': googHashHeader(v),
    'x-goog-generation': String(v.generation),
    'x-goog-metageneration': String(v.metageneration),
    'x-goog-stored-content-encoding': f.contentEncoding ?? 'identity',
    'x-goog-stored-content-length': String(v.data.length),
    'x-goog-storage-class': v.storageClass,
    etag: `"${Buffer.from(v.md5Hash, 'base64').toString('hex')}"`,
    'last-modified': new Date(v.updated).toUTCString(),
    'cache-control': f.cacheControl ?? 'private, max-age=0',
    ...(storedGzip && !transcode ? { 'content-encoding': 'gzip' } : {}),
    ...(f.contentDisposition ? { 'content-disposition': f.contentDisposition } : {}),
    ...(f.contentLanguage ? { 'content-language': f.contentLanguage } : {}),
  };
  if (transcode) {
    const body = gunzipSync(v.data);
    res.writeHead(200, { ...headers, 'content-length': String(body.length) }).end(body);
    return;
  }
  headers['accept-ranges'] = 'bytes';
  const range = parseRange(req.headers.range, v.data.length);
  if (!range) {
    res.writeHead(200, { ...headers, 'content-length': String(v.data.length) }).end(v.data);
    return;
  }
  const body = v.data.subarray(range.start, range.end + 1);
  res
    .writeHead(206, {
      ...headers,
      'content-length': String(body.length),
      'content-range': `bytes ${range.start}-${range.end}/${v.data.length}`,
    })
    .end(body);
}
