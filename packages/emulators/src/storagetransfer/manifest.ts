import { parse } from 'csv-parse/sync';
import { invalid } from './transfer-error.js';

export interface ManifestEntry {
  /** Relative to the source's path (https://cloud.google.com/storage-transfer/docs/manifest: "The name is relative to the root path or the bucket and folder specified in the transfer job"). */
  name: string;
  /** The optional second column of an object storage manifest: the generation to copy. */
  generation?: string;
}

/**
 * A transfer manifest (https://cloud.google.com/storage-transfer/docs/manifest): CSV in UTF-8, the first column an
 * object name, names holding commas double-quoted "according to CSV standards" (RFC 4180, which csv-parse reads).
 * Blank lines carry no name and are skipped; a row with an empty name is refused, as folders are not supported.
 */
export function parseManifest(data: Buffer): ManifestEntry[] {
  let rows: string[][];
  try {
    // RFC 4180 ends records with CRLF, files written on Unix with LF: both are taken, even mixed in one file.
    rows = parse(data, {
      encoding: 'utf8',
      bom: true,
      relax_column_count: true,
      skip_empty_lines: true,
      record_delimiter: ['\r\n', '\n', '\r'],
    }) as string[][];
  } catch (err) {
    throw invalid(`The manifest is not valid CSV: ${(err as Error).message}`);
  }
  return rows.map(([name = '', generation], i) => {
    if (!name) throw invalid(`Manifest row ${i + 1} has no object name.`);
    if (name.endsWith('/')) throw invalid(`Manifest row ${i + 1} names a folder ("${name}"), which is not supported.`);
    if (generation !== undefined && generation !== '' && !/^\d+$/.test(generation))
      throw invalid(`Manifest row ${i + 1}: generation "${generation}" is not a number.`);
    return { name, ...(generation ? { generation } : {}) };
  });
}
