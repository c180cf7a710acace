import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';

interface Crc32c {
  calculate(data: Buffer, initial?: number): number;
}

// fast-crc32c is CommonJS without type declarations; it picks SSE4.2 when the CPU has it. Loaded on
// the first checksum, not at startup: most commands that import this module never compute one.
let impl: Crc32c | undefined;
export const crc32c: Crc32c = {
  calculate: (...args) => (impl ??= createRequire(import.meta.url)('fast-crc32c') as Crc32c).calculate(...args),
};

/** A CRC32C value as GCS reports it: base64 of the big-endian 4 bytes. */
export function crc32cBase64(value: number): string {
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32BE(value >>> 0, 0);
  return bytes.toString('base64');
}

/** Hashes in the form GCS reports them: base64 MD5 digest and base64 big-endian CRC32C. */
export function gcsHashes(data: Buffer): { md5: string; crc32c: string } {
  return { md5: createHash('md5').update(data).digest('base64'), crc32c: crc32cBase64(crc32c.calculate(data)) };
}
