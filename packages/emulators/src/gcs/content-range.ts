import { invalid } from './errors.js';

/** What one PUT to a resumable session says about itself. */
export interface ChunkRange {
  /** Offset of the body's first byte; absent for a status query, whose range is `*`. */
  first?: number;
  /** Object size, when this request declares it. */
  total?: number;
}

// Parses a resumable upload's Content-Range: `bytes a-b/total` or `bytes a-b/*` (a chunk),
// `bytes a-*/total` or `bytes a-*/*` (the rest of the object in this request), and
// `bytes */total` or `bytes */*` (status queries). Without the header the body is the whole object.
// The client library sends an empty object in chunked mode as `bytes 0--1/0`.
export function parseContentRange(header: string | undefined, bodyLength: number): ChunkRange {
  if (header === undefined) return { first: 0, total: bodyLength };
  const m = header.trim().match(/^bytes\s+(?:\*|(\d+)-(-?\d+|\*))\/(\d+|\*)$/);
  if (!m) throw invalid(`Invalid Content-Range: ${header}`);
  const total = m[3] === '*' ? undefined : Number(m[3]);
  if (m[1] === undefined) return { total };
  const first = Number(m[1]);
  if (m[2] === '*') return { first, total: total ?? first + bodyLength };
  if (Number(m[2]) - first + 1 !== bodyLength)
    throw invalid(`Content-Range ${header} does not match a body of ${bodyLength} bytes.`);
  return { first, total };
}
