import { randomBytes } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import { invalid } from './errors.js';
import { parseHeaders, splitHead, splitParts } from './multipart-parts.js';

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
  body: Buffer;
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

function parsePart(raw: Buffer): BatchPart {
  const [partHead, message] = splitHead(raw);
  const partHeaders = parseHeaders(partHead ? partHead.split(CRLF) : [], 0, malformed);
  if (!/^application\/http\b/i.test(partHeaders['content-type'] ?? '')) throw malformed('every part needs Content-Type: application/http');
  const [head, rest] = splitHead(message);
  const lines = head.split(CRLF);
  const m = REQUEST_LINE.exec(lines[0]);
  if (!m) throw malformed(`bad request line "${lines[0]}" (a nested request names a path, not a full URL)`);
  const headers = parseHeaders(lines, 1, malformed);
  // Without Content-Length, the body runs to the next boundary delimiter.
  const length = headers['content-length'];
  if (length !== undefined && !(/^\d+$/.test(length) && Number(length) <= rest.length)) throw malformed(`bad Content-Length ${length}`);
  const id = partHeaders['content-id'];
  return {
    id: id?.startsWith('<') && id.endsWith('>') ? id.slice(1, -1) : id,
    method: m[1],
    url: m[2],
    headers,
    body: length === undefined ? rest : rest.subarray(0, Number(length)),
  };
}

/** The nested requests of a `multipart/mixed` batch body, in order. */
export function parseBatch(body: Buffer, boundary: string): BatchPart[] {
  return splitParts(body, boundary, malformed).map(parsePart);
}

const headerNames = new Map<string, string>();

/** `content-type` → `Content-Type`; handlers use a handful of names, each cased once. */
function headerName(name: string): string {
  let cased = headerNames.get(name);
  if (cased === undefined) headerNames.set(name, (cased = name.replace(/(^|-)([a-z])/g, (_, dash: string, c: string) => dash + c.toUpperCase())));
  return cased;
}

/**
 * A `multipart/mixed` body of nested HTTP responses; `Content-ID: <response-x>` answers part `<x>`, as GCS does.
 * Heads are latin1, as HTTP heads are; the body is assembled in one buffer.
 */
export function encodeBatchAnswers(answers: BatchAnswer[]): { contentType: string; body: Buffer } {
  const boundary = `batch_${randomBytes(12).toString('base64url')}`;
  const heads = answers.map(({ id, status, headers, body }) => {
    let head = `--${boundary}${CRLF}Content-Type: application/http${CRLF}${id ? `Content-ID: <response-${id}>${CRLF}` : ''}${CRLF}`;
    head += `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}${CRLF}`;
    for (const name in headers) if (name !== 'content-length') head += `${headerName(name)}: ${headers[name]}${CRLF}`;
    return `${head}Content-Length: ${body.length}${CRLF}${CRLF}`;
  });
  const close = `--${boundary}--${CRLF}`;
  let size = close.length;
  answers.forEach(({ body }, i) => (size += heads[i].length + body.length + CRLF.length));
  const out = Buffer.allocUnsafe(size);
  let at = 0;
  answers.forEach(({ body }, i) => {
    at += out.write(heads[i], at, 'latin1');
    at += body.copy(out, at);
    at += out.write(CRLF, at, 'latin1');
  });
  out.write(close, at, 'latin1');
  return { contentType: `multipart/mixed; boundary=${boundary}`, body: out };
}
