import { randomBytes } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import { invalid } from './errors.js';
import { headBounds, parseHeaderBlock, partRanges } from './multipart-parts.js';

/** One part of a batch request: a nested HTTP request, as sent. */
export interface BatchPart {
  /** The part's `Content-ID`, without angle brackets. */
  id?: string;
  method: string;
  /** Path and query only: batched requests name no scheme or host. */
  url: string;
  /** Lower-cased names. */
  headers: Record<string, string>;
  body: Buffer;
}

/** One nested HTTP response, for the part with the same `id`. */
export interface BatchAnswer {
  id?: string;
  status: number;
  /** Lower-cased names. */
  headers: Record<string, string>;
  /** A string is sent as UTF-8. */
  body: string | Buffer;
}

const CRLF = '\r\n';

const malformed = (why: string) => invalid(`Malformed batch request: ${why}.`);

/** The boundary of a `multipart/mixed` batch body. */
export function batchBoundary(contentType: string | undefined): string {
  const m = /^multipart\/mixed\s*;.*?\bboundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType ?? '');
  if (!m) throw invalid('A batch request must be multipart/mixed with a boundary.');
  return m[1] ?? m[2];
}

const REQUEST_LINE = /^([A-Z]+) (\/\S*)(?: HTTP\/1\.[01])?$/;

/**
 * One part, `body[start, end)`: its headers, then the nested request's line, headers and body. The
 * heads are latin1, as HTTP heads are: the part is decoded once and both heads are cut from that text.
 */
function parsePart(body: Buffer, start: number, end: number): BatchPart {
  const text = body.toString('latin1', start, end);
  const [partHeadEnd, messageStart] = headBounds(text, 0);
  const partHeaders = parseHeaderBlock(text, 0, partHeadEnd, malformed);
  if (!/^application\/http\b/i.test(partHeaders['content-type'] ?? ''))
    throw malformed('every part needs Content-Type: application/http');
  const [headEnd, restStart] = headBounds(text, messageStart);
  const eol = text.indexOf(CRLF, messageStart);
  const lineEnd = eol < 0 || eol + CRLF.length > headEnd ? headEnd : eol;
  const requestLine = text.slice(messageStart, lineEnd);
  const m = REQUEST_LINE.exec(requestLine);
  if (!m) throw malformed(`bad request line "${requestLine}" (a nested request names a path, not a full URL)`);
  const headers = lineEnd < headEnd ? parseHeaderBlock(text, lineEnd + CRLF.length, headEnd, malformed) : {};
  // Without Content-Length, the body runs to the next boundary delimiter.
  const length = headers['content-length'];
  if (length !== undefined && !(/^\d+$/.test(length) && Number(length) <= text.length - restStart))
    throw malformed(`bad Content-Length ${length}`);
  const id = partHeaders['content-id'];
  return {
    id: id?.startsWith('<') && id.endsWith('>') ? id.slice(1, -1) : id,
    method: m[1],
    url: m[2],
    headers,
    body: body.subarray(start + restStart, length === undefined ? end : start + restStart + Number(length)),
  };
}

/** The nested requests of a `multipart/mixed` batch body, in order. */
export function parseBatch(body: Buffer, boundary: string): BatchPart[] {
  const ranges = partRanges(body, boundary, malformed);
  const parts: BatchPart[] = [];
  for (let i = 0; i < ranges.length; i += 2) parts.push(parsePart(body, ranges[i], ranges[i + 1]));
  return parts;
}

const headerNames = new Map<string, string>();

/** `content-type` → `Content-Type`; handlers use a handful of names, each cased once. */
function headerName(name: string): string {
  let cased = headerNames.get(name);
  if (cased === undefined)
    headerNames.set(
      name,
      (cased = name.replace(/(^|-)([a-z])/g, (_, dash: string, c: string) => dash + c.toUpperCase())),
    );
  return cased;
}

/**
 * A `multipart/mixed` body of nested HTTP responses; `Content-ID: <response-x>` answers part `<x>`, as GCS does.
 * Heads are latin1, as HTTP heads are; the body is assembled in one buffer, string bodies encoded straight into it.
 */
export function encodeBatchAnswers(answers: BatchAnswer[]): { contentType: string; body: Buffer } {
  const boundary = `batch_${randomBytes(12).toString('base64url')}`;
  // Each head starts with the CRLF that ends the previous part (none before the first), saving a write per part.
  const heads: string[] = new Array(answers.length);
  const lengths: number[] = new Array(answers.length);
  const close = `${answers.length ? CRLF : ''}--${boundary}--${CRLF}`;
  let size = close.length;
  for (let i = 0; i < answers.length; i++) {
    const { id, status, headers, body } = answers[i];
    const length = typeof body === 'string' ? Buffer.byteLength(body) : body.length;
    let head = `${i ? CRLF : ''}--${boundary}${CRLF}Content-Type: application/http${CRLF}${id ? `Content-ID: <response-${id}>${CRLF}` : ''}${CRLF}`;
    head += `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}${CRLF}`;
    for (const name in headers) if (name !== 'content-length') head += `${headerName(name)}: ${headers[name]}${CRLF}`;
    heads[i] = `${head}Content-Length: ${length}${CRLF}${CRLF}`;
    lengths[i] = length;
    size += heads[i].length + length;
  }
  const out = Buffer.allocUnsafe(size);
  let at = 0;
  for (let i = 0; i < answers.length; i++) {
    const { body } = answers[i];
    at += out.write(heads[i], at, 'latin1');
    at += typeof body === 'string' ? out.write(body, at, lengths[i], 'utf8') : body.copy(out, at);
  }
  out.write(close, at, 'latin1');
  return { contentType: `multipart/mixed; boundary=${boundary}`, body: out };
}
