import { createHash } from 'node:crypto';
import { gcsHashes } from '../checksums/gcs-hashes.js';

/** Hashes in the form GCS reports them: base64 MD5 digest and base64 big-endian CRC32C. */
export interface ContentHashes {
  md5: string;
  crc32c: string;
}

export const contentHashes: (data: Buffer) => ContentHashes = gcsHashes;

export const base64ToHex = (b64: string) => Buffer.from(b64, 'base64').toString('hex');

export const sha256Hex = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
