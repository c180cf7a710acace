/**
 * A Storage Transfer Service transfer manifest (https://cloud.google.com/storage-transfer/docs/manifest): a CSV
 * file of object names relative to the job's source path, one a row, in UTF-8. Every name is quoted as RFC 4180
 * has it (the service's docs: a name with a comma "must be enclosed in double-quotes"), with inner quotes doubled,
 * so commas, quotes, line breaks and leading or trailing spaces in names survive. No generation column: the job
 * copies each object's live generation, and gwctl checks the staged copy against its listing (sts-engine.ts).
 */
export function transferManifestCsv(names: Iterable<string>): Buffer {
  const rows: Buffer[] = [];
  for (const name of names) rows.push(Buffer.from(`${csvField(name)}\n`, 'utf8'));
  return Buffer.concat(rows);
}

/** One CSV field, always quoted: `a,"b"` → `"a,""b"""`. */
export const csvField = (value: string) => `"${value.replaceAll('"', '""')}"`;
