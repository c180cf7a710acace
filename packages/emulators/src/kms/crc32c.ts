import { createRequire } from 'node:module';

/** CRC32C (Castagnoli), as KMS checksums its fields; fast-crc32c is CommonJS without types. */
const impl = createRequire(import.meta.url)('fast-crc32c') as { calculate(data: Buffer): number };

export const crc32c = (data: Buffer) => impl.calculate(data);
