/**
 * MIME multipart bodies (RFC 2046), as both multipart uploads (`multipart/related`) and batches
 * (`multipart/mixed`) send them: the parts between the delimiter lines, and each part's header block.
 * `malformed` makes the caller's own 400 for a body that breaks the format.
 */

const CRLF = '\r\n';

/** The raw parts between the delimiter lines (RFC 2046): a preamble and transport padding are skipped. */
export function splitParts(body: Buffer, boundary: string, malformed: (why: string) => Error): Buffer[] {
  const delimiter = Buffer.from(`--${boundary}`);
  const next = Buffer.from(`${CRLF}--${boundary}`);
  let pos = 0;
  if (!body.subarray(0, delimiter.length).equals(delimiter)) {
    const found = body.indexOf(next);
    if (found < 0) throw malformed('no boundary delimiter');
    pos = found + CRLF.length;
  }
  const parts: Buffer[] = [];
  for (;;) {
    const after = pos + delimiter.length;
    if (body[after] === 0x2d && body[after + 1] === 0x2d) return parts;
    const eol = body.indexOf(CRLF, after);
    if (eol < 0 || body.subarray(after, eol).toString('latin1').trim() !== '') throw malformed('bad boundary delimiter line');
    const end = body.indexOf(next, eol + CRLF.length);
    if (end < 0) throw malformed('a part is not closed by a boundary delimiter');
    parts.push(body.subarray(eol + CRLF.length, end));
    pos = end + CRLF.length;
  }
}

const BLANK_LINE = Buffer.from(`${CRLF}${CRLF}`);

/** Header block and what follows its blank line; with no blank line, all of it is the header block. */
export function splitHead(raw: Buffer): [string, Buffer] {
  if (raw[0] === 0x0d && raw[1] === 0x0a) return ['', raw.subarray(2)];
  const end = raw.indexOf(BLANK_LINE);
  if (end < 0) return [raw.toString('latin1').replace(/\r\n$/, ''), Buffer.alloc(0)];
  return [raw.toString('latin1', 0, end), raw.subarray(end + 4)];
}

/** Header lines from `lines[from]` on, by lower-cased name; a repeated header's values are joined with ", ". */
export function parseHeaders(lines: string[], from: number, malformed: (why: string) => Error): Record<string, string> {
  const headers: Record<string, string> = {};
  for (let i = from; i < lines.length; i++) {
    const line = lines[i];
    const colon = line.indexOf(':');
    if (colon <= 0) throw malformed(`bad header line "${line}"`);
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    const earlier = headers[name];
    headers[name] = earlier === undefined ? value : `${earlier}, ${value}`;
  }
  return headers;
}
