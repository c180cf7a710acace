import { PreconditionFailedError, type ObjectInfo, type ObjectStore } from '../cloud/object-store.js';
import { RuntimeError } from '../errors/gwctl-error.js';
import { blobName, type BackupLocation } from './layout.js';
import { gsUrl } from '../config/gs-url.js';

/** One object's content, to be copied to its blob. `replaces`: see `copyBlob`. */
export interface BlobCopy {
  key: string;
  object: CopiedObject;
  replaces?: string;
}

/** What a copy needs of the object whose content it copies. */
export type CopiedObject = Pick<ObjectInfo, 'bucket' | 'name' | 'generation' | 'size' | 'crc32c' | 'md5'>;

/** Blobs carry bare bytes: no encoding (no transcoding on read), no metadata of whichever object came first. */
export const BLOB_ATTRIBUTES = { contentType: 'application/octet-stream', metadata: {} };

/** Whether a stored blob, as listed, has the object's size and hashes: one that does not is replaced, not reused. */
export const blobHolds = (
  blob: Pick<ObjectInfo, 'size' | 'crc32c' | 'md5'>,
  o: Pick<ObjectInfo, 'size' | 'crc32c' | 'md5'>,
) => blob.size === o.size && blob.crc32c === o.crc32c && (o.md5 === undefined || blob.md5 === o.md5);

/** The server-side copy of one object's content to its blob: write-once, bare bytes. */
export const blobCopyRequest = (loc: BackupLocation, c: BlobCopy) => ({
  source: { bucket: c.object.bucket, name: c.object.name, generation: c.object.generation },
  destination: { bucket: loc.backupBucket, name: blobName(loc, c.key) },
  opts: { ifGenerationMatch: c.replaces ?? '0', attributes: BLOB_ATTRIBUTES },
});

/** Throws when a copied or found blob does not hold the object's content. */
export function checkHolds(loc: BackupLocation, c: BlobCopy, blob: Pick<ObjectInfo, 'size' | 'crc32c' | 'md5'>): void {
  if (blobHolds(blob, c.object)) return;
  const o = c.object;
  throw new RuntimeError(
    `blob ${gsUrl(loc.backupBucket, blobName(loc, c.key))} does not hold the content of ${gsUrl(o.bucket, o.name)}#${o.generation} (crc32c ${blob.crc32c} ≠ ${o.crc32c}); run \`gwctl backup verify --deep\``,
  );
}

/**
 * Copies one object's content to its blob, server-side and write-once. If the blob is there already
 * (a concurrent backup, or our own retried call whose first answer was lost), it is checked, not
 * overwritten. `replaces`: the generation of a listed blob whose size or hashes do not match its
 * address, replaced only if it is still that generation.
 */
export async function copyBlob(store: ObjectStore, loc: BackupLocation, c: BlobCopy): Promise<void> {
  const req = blobCopyRequest(loc, c);
  let blob: ObjectInfo | undefined;
  try {
    blob = await store.copy(req.source, req.destination, req.opts);
  } catch (err) {
    if (!(err instanceof PreconditionFailedError)) throw err;
    blob = await store.stat(req.destination);
    if (!blob) throw err;
  }
  checkHolds(loc, c, blob);
}
