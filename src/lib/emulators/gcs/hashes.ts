import { gcsHashes } from '../../checksums/gcs-hashes.js';

export interface ContentHashes {
  md5Hash: string;
  crc32c: string;
}

/** Hashes as GCS reports them: base64 of the MD5 digest and of the big-endian CRC32C. */
export function contentHashes(data: Buffer): ContentHashes {
  const { md5, crc32c } = gcsHashes(data);
  return { md5Hash: md5, crc32c };
}

/** Parses `crc32c=…,md5=…` from an `x-goog-hash` header. */
export function parseGoogHash(header: string | string[] | undefined): Partial<Record<'crc32c' | 'md5', string>> {
  const hashes: Partial<Record<'crc32c' | 'md5', string>> = {};
  for (const pair of [header ?? []].flat().join(',').split(',')) {
    const at = pair.indexOf('=');
    if (at < 0) continue;
    const kind = pair.slice(0, at).trim().toLowerCase();
    if (kind === 'crc32c' || kind === 'md5') hashes[kind] = pair.slice(at + 1).trim();
  }
  return hashes;
}

/** `x-goog-hash` value for a download. */
export const googHashHeader = (h: ContentHashes) => `crc32c=${h.crc32c},md5=${h.md5Hash}`;
