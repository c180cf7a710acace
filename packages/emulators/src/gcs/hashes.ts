import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';

export interface ContentHashes {
  md5Hash: string;
  crc32c: string;
}

// fast-crc32c is CommonJS without type declarations; it picks SSE4.2 when the CPU has it.
let crc32c: { calculate(data: Buffer): number } | undefined;

/** Hashes as GCS reports them: base64 of the MD5 digest and of the big-endian CRC32C. */
export function contentHashes(data: Buffer): ContentHashes {
  crc32c ??= createRequire(import.meta.url)('fast-crc32c') as { calculate(data: Buffer): number };
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32c.calculate(data) >>> 0, 0);
  return { md5Hash: createHash('md5').update(data).digest('base64'), crc32c: crc.toString('base64') };
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
