/**
 * A Storage Transfer Service transfer manifest (https://cloud.google.com/storage-transfer/docs/manifest): a CSV
 * file of object names relative to the job's source path, one a row, in UTF-8. Every name is quoted as RFC 4180
 * has it (the service's docs: a name with a comma "must be enclosed in double-quotes"), with inner quotes doubled,
 * so commas, quotes, line breaks and leading or trailing spaces in names survive. No generation column: the job
 * copies each object's live generation, and gwctl checks the staged copy against its listing (sts-engine.ts).
 *
 * Rows come out in chunks of about `chunkBytes`, for a streamed upload: a million names make 50–100 MB of CSV,
 * which is never held whole.
 */
export function* transferManifestChunks(names: Iterable<string>, chunkBytes = 256 * 1024): Generator<Buffer> {
  let rows: string[] = [];
  let bytes = 0;
  for (const name of names) {
    const row = `${csvField(name)}\n`;
    rows.push(row);
    // UTF-16 length: a bound on the chunk's size to within 3×, which is all a chunk size needs.
    bytes += row.length;
    if (bytes >= chunkBytes) {
      yield Buffer.from(rows.join(''), 'utf8');
      rows = [];
      bytes = 0;
    }
  }
  if (rows.length > 0) yield Buffer.from(rows.join(''), 'utf8');
}

/** One CSV field, always quoted: `a,"b"` → `"a,""b"""`. */
export const csvField = (value: string) => `"${value.replaceAll('"', '""')}"`;
