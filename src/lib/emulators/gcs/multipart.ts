import { invalid } from './errors.js';
import { parseJsonObject } from './json-body.js';

export interface MultipartUpload {
  metadata: Record<string, unknown>;
  /** Content-Type of the media part. */
  contentType?: string;
  data: Buffer;
}

const CRLF = Buffer.from('\r\n');

/** Splits a `multipart/related` upload body into its JSON metadata part and its media part. */
export function parseMultipartRelated(contentType: string | undefined, body: Buffer): MultipartUpload {
  const m = contentType?.match(/boundary=(?:"([^"]+)"|([^;\s]+))/i);
  if (!m) throw invalid('Missing multipart boundary in Content-Type.');
  const delimiter = Buffer.from(`--${m[1] ?? m[2]}`);
  const next = Buffer.concat([CRLF, delimiter]);
  const parts: { headers: Record<string, string>; body: Buffer }[] = [];
  let pos = body.indexOf(delimiter);
  while (pos >= 0) {
    let start = pos + delimiter.length;
    if (body[start] === 0x2d && body[start + 1] === 0x2d) break;
    if (body[start] === 0x0d && body[start + 1] === 0x0a) start += 2;
    let contentStart: number;
    const headers: Record<string, string> = {};
    if (body[start] === 0x0d && body[start + 1] === 0x0a) contentStart = start + 2;
    else {
      const headerEnd = body.indexOf('\r\n\r\n', start);
      if (headerEnd < 0) throw invalid('Malformed multipart body.');
      for (const line of body.subarray(start, headerEnd).toString('latin1').split('\r\n')) {
        const colon = line.indexOf(':');
        if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      contentStart = headerEnd + 4;
    }
    const end = body.indexOf(next, contentStart);
    if (end < 0) throw invalid('Malformed multipart body.');
    parts.push({ headers, body: body.subarray(contentStart, end) });
    pos = end + CRLF.length;
  }
  if (parts.length !== 2) throw invalid(`A multipart upload needs 2 parts, got ${parts.length}.`);
  return { metadata: parseJsonObject(parts[0].body), contentType: parts[1].headers['content-type'], data: parts[1].body };
}
