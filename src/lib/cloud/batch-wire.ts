import { randomBytes } from 'node:crypto';

/**
 * The JSON API batch format (https://cloud.google.com/storage/docs/batch): one `multipart/mixed`
 * request whose parts are whole HTTP requests, answered by a `multipart/mixed` response whose parts
 * are whole HTTP responses, `Content-ID: <response-N>` for request part `<N>`.
 */

/** One call inside a batch: a path only (no scheme or host), as the format requires. */
export interface BatchCall {
  method: string;
  path: string;
  json?: unknown;
}

export interface BatchAnswer {
  status: number;
  text: string;
}

/** GCS accepts at most this many calls in one batch. */
export const MAX_BATCH_CALLS = 100;

export function encodeBatch(calls: BatchCall[]): { contentType: string; body: Buffer } {
  const boundary = `gwctl_${randomBytes(12).toString('hex')}`;
  const parts = calls.map((c, i) => {
    const body = c.json === undefined ? '' : JSON.stringify(c.json);
    const head = [`${c.method} ${c.path} HTTP/1.1`, 'accept: application/json'];
    if (c.json !== undefined)
      head.push('content-type: application/json; charset=UTF-8', `content-length: ${Buffer.byteLength(body)}`);
    return `--${boundary}\r\ncontent-type: application/http\r\ncontent-id: <${i + 1}>\r\n\r\n${head.join('\r\n')}\r\n\r\n${body}\r\n`;
  });
  return {
    contentType: `multipart/mixed; boundary=${boundary}`,
    body: Buffer.from(`${parts.join('')}--${boundary}--\r\n`),
  };
}

/** The answers in call order (by Content-ID where the service gives one); a call left unanswered is an error. */
export function decodeBatch(contentType: string | undefined, body: string, count: number): BatchAnswer[] {
  const m = contentType?.match(/boundary=(?:"([^"]+)"|([^;\s]+))/i);
  if (!m) throw new Error(`batch answer is not multipart (content-type ${contentType ?? 'missing'})`);
  const delimiter = `--${m[1] ?? m[2]}`;
  const answers: (BatchAnswer | undefined)[] = new Array(count);
  const chunks = body.split(delimiter).slice(1);
  chunks.forEach((chunk, order) => {
    if (chunk.startsWith('--')) return;
    const [partHead, message] = splitHead(chunk.replace(/^\r\n/, ''));
    const id = /^content-id:\s*<?response-(\d+)>?\s*$/im.exec(partHead)?.[1];
    const [responseHead, text] = splitHead(message);
    const status = Number(/^HTTP\/[\d.]+\s+(\d{3})/.exec(responseHead)?.[1]);
    if (!Number.isInteger(status)) throw new Error(`batch answer part ${order + 1} is not an HTTP response`);
    const index = id ? Number(id) - 1 : order;
    if (index >= 0 && index < count) answers[index] = { status, text: text.replace(/\r\n$/, '') };
  });
  return Array.from(
    answers,
    (a, i) =>
      a ?? {
        status: 500,
        text: JSON.stringify({ error: { code: 500, message: `batch answer has no part for call ${i + 1}` } }),
      },
  );
}

function splitHead(s: string): [string, string] {
  const end = s.indexOf('\r\n\r\n');
  return end < 0 ? [s, ''] : [s.slice(0, end), s.slice(end + 4)];
}
