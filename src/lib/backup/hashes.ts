import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';

// fast-crc32c is CommonJS without type declarations; it picks SSE4.2 when the CPU has it.
const crc32c = createRequire(import.meta.url)('fast-crc32c') as { calculate(data: Buffer, initial?: number): number };

/** Hashes in the form GCS reports them: base64 MD5 digest and base64 big-endian CRC32C. */
export interface ContentHashes {
  md5: string;
  crc32c: string;
}

export function contentHashes(data: Buffer): ContentHashes {
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32c.calculate(data) >>> 0, 0);
  return { md5: createHash('md5').update(data).digest('base64'), crc32c: crc.toString('base64') };
}

export const base64ToHex = (b64: string) => Buffer.from(b64, 'base64').toString('hex');

export const sha256Hex = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
