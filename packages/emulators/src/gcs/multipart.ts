import { invalid } from './errors.js';
import { parseJsonObject } from './json-body.js';
import { parseHeaders, splitHead, splitParts } from './multipart-parts.js';

export interface MultipartUpload {
  metadata: Record<string, unknown>;
  /** Content-Type of the media part. */
  contentType?: string;
  data: Buffer;
}

const malformed = () => invalid('Malformed multipart body.');

/** Splits a `multipart/related` upload body into its JSON metadata part and its media part. */
export function parseMultipartRelated(contentType: string | undefined, body: Buffer): MultipartUpload {
  const m = contentType?.match(/boundary=(?:"([^"]+)"|([^;\s]+))/i);
  if (!m) throw invalid('Missing multipart boundary in Content-Type.');
  const parts = splitParts(body, m[1] ?? m[2], malformed).map((raw) => {
    const [head, content] = splitHead(raw);
    return { headers: parseHeaders(head ? head.split('\r\n') : [], 0, malformed), body: content };
  });
  if (parts.length !== 2) throw invalid(`A multipart upload needs 2 parts, got ${parts.length}.`);
  return {
    metadata: parseJsonObject(parts[0].body),
    contentType: parts[1].headers['content-type'],
    data: parts[1].body,
  };
}
