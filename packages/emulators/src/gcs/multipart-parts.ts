/**
 * MIME multipart bodies (RFC 2046), as both multipart uploads (`multipart/related`) and batches
 * (`multipart/mixed`) send them: the parts between the delimiter lines, and each part's header block.
 * `malformed` makes the caller's own 400 for a body that breaks the format.
 */

const CRLF = '\r\n';

/**
 * Where the raw parts lie between the delimiter lines (RFC 2046), as `[start, end)` offset pairs
 * into `body`, one after another; a preamble and transport padding are skipped.
 */
export function partRanges(body: Buffer, boundary: string, malformed: (why: string) => Error): number[] {
  const delimiter = Buffer.from(`--${boundary}`);
  const next = Buffer.from(`${CRLF}--${boundary}`);
  let pos = 0;
  if (!body.subarray(0, delimiter.length).equals(delimiter)) {
    const found = body.indexOf(next);
    if (found < 0) throw malformed('no boundary delimiter');
    pos = found + CRLF.length;
  }
  const ranges: number[] = [];
  for (;;) {
    const after = pos + delimiter.length;
    if (body[after] === 0x2d && body[after + 1] === 0x2d) return ranges;
    const eol = body.indexOf(CRLF, after);
    if (eol < 0 || (eol > after && body.toString('latin1', after, eol).trim() !== ''))
      throw malformed('bad boundary delimiter line');
    const end = body.indexOf(next, eol + CRLF.length);
    if (end < 0) throw malformed('a part is not closed by a boundary delimiter');
    ranges.push(eol + CRLF.length, end);
    pos = end + CRLF.length;
  }
}

/** The raw parts between the delimiter lines (RFC 2046): a preamble and transport padding are skipped. */
export function splitParts(body: Buffer, boundary: string, malformed: (why: string) => Error): Buffer[] {
  const ranges = partRanges(body, boundary, malformed);
  const parts: Buffer[] = [];
  for (let i = 0; i < ranges.length; i += 2) parts.push(body.subarray(ranges[i], ranges[i + 1]));
  return parts;
}

const BLANK_LINE = Buffer.from(`${CRLF}${CRLF}`);

/** Header block and what follows its blank line; with no blank line, all of it is the header block. */
export function splitHead(raw: Buffer): [string, Buffer] {
  if (raw[0] === 0x0d && raw[1] === 0x0a) return ['', raw.subarray(2)];
  const end = raw.indexOf(BLANK_LINE);
  if (end < 0) return [raw.toString('latin1').replace(/\r\n$/, ''), Buffer.alloc(0)];
  return [raw.toString('latin1', 0, end), raw.subarray(end + 4)];
}

/**
 * splitHead for a head already decoded (latin1, so offsets are byte offsets): from `from` in `text`,
 * where the header block ends and where what follows its blank line starts (`text.length` if nothing does).
 */
export function headBounds(text: string, from: number): [headEnd: number, restStart: number] {
  if (text.charCodeAt(from) === 0x0d && text.charCodeAt(from + 1) === 0x0a) return [from, from + 2];
  const end = text.indexOf(`${CRLF}${CRLF}`, from);
  if (end >= 0) return [end, end + 4];
  return [text.length - 2 >= from && text.endsWith(CRLF) ? text.length - 2 : text.length, text.length];
}

/** One header line into `headers`, by lower-cased name; a repeated header's values are joined with ", ". */
function addHeader(headers: Record<string, string>, line: string, malformed: (why: string) => Error): void {
  const colon = line.indexOf(':');
  if (colon <= 0) throw malformed(`bad header line "${line}"`);
  const name = line.slice(0, colon).trim().toLowerCase();
  const value = line.slice(colon + 1).trim();
  const earlier = headers[name];
  headers[name] = earlier === undefined ? value : `${earlier}, ${value}`;
}

/** Header lines from `lines[from]` on, by lower-cased name; a repeated header's values are joined with ", ". */
export function parseHeaders(lines: string[], from: number, malformed: (why: string) => Error): Record<string, string> {
  const headers: Record<string, string> = {};
  for (let i = from; i < lines.length; i++) addHeader(headers, lines[i], malformed);
  return headers;
}

/** parseHeaders for the CRLF-separated lines of `text` in `[from, to)`, without splitting it into an array first. */
export function parseHeaderBlock(
  text: string,
  from: number,
  to: number,
  malformed: (why: string) => Error,
): Record<string, string> {
  const headers: Record<string, string> = {};
  while (from < to) {
    const eol = text.indexOf(CRLF, from);
    // A CRLF that runs past `to` is not a line break inside the block.
    const lineEnd = eol < 0 || eol + CRLF.length > to ? to : eol;
    addHeader(headers, text.slice(from, lineEnd), malformed);
    from = lineEnd + CRLF.length;
  }
  return headers;
}
