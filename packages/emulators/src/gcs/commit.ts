import { nowMs, type GcsContext } from './context.js';
import { invalid } from './errors.js';
import { contentHashes, type ContentHashes } from './hashes.js';
import { checkObjectPreconditions, type GenerationPreconditions } from './preconditions.js';
import { assertDeletable } from './protection.js';
import type { ObjectFields, ObjectVersion } from './records.js';
import type { BucketState } from './store.js';

export interface NewObject {
  bucket: BucketState;
  name: string;
  data: Buffer;
  fields: ObjectFields;
  preconditions: GenerationPreconditions;
  /** Known hashes of `data` (a copy reuses its source's); computed when absent. */
  hashes?: ContentHashes;
  /** Hashes the client sent; a mismatch rejects the upload as GCS does. */
  expected?: Partial<Record<'crc32c' | 'md5', string>>;
}

/** GCS's object naming rules: 1–1024 bytes of UTF-8, no CR or LF, not `.` or `..`. */
export function validateObjectName(name: string): void {
  const bytes = Buffer.byteLength(name, 'utf8');
  if (bytes === 0 || bytes > 1024 || /[\r\n]/.test(name) || name === '.' || name === '..')
    throw invalid(`The specified object name is not valid: ${JSON.stringify(name.slice(0, 64))}`);
}

/** Turns uploaded or copied bytes into the new live generation, honouring preconditions, holds and versioning. */
export function commitObject(ctx: GcsContext, o: NewObject): ObjectVersion {
  validateObjectName(o.name);
  const now = nowMs(ctx);
  const current = o.bucket.live.get(o.name);
  checkObjectPreconditions(current, o.preconditions);
  // In a versioned bucket the old generation survives as noncurrent, so a hold does not block the write.
  if (current && !o.bucket.versioningEnabled) assertDeletable(current, o.bucket.record, now);
  const hashes = o.hashes ?? contentHashes(o.data);
  if (o.expected?.crc32c !== undefined && o.expected.crc32c !== hashes.crc32c)
    throw invalid(`Provided CRC32C "${o.expected.crc32c}" doesn't match calculated CRC32C "${hashes.crc32c}".`);
  if (o.expected?.md5 !== undefined && o.expected.md5 !== hashes.md5Hash)
    throw invalid(`Provided MD5 hash "${o.expected.md5}" doesn't match calculated MD5 hash "${hashes.md5Hash}".`);
  const fields = { ...o.fields };
  if (fields.eventBasedHold === undefined && o.bucket.record.fields.defaultEventBasedHold) fields.eventBasedHold = true;
  const version: ObjectVersion = {
    bucket: o.bucket.name,
    name: o.name,
    generation: ctx.store.nextGeneration(now),
    metageneration: 1,
    data: o.data,
    md5Hash: hashes.md5Hash,
    crc32c: hashes.crc32c,
    storageClass: o.bucket.record.fields.storageClass ?? 'STANDARD',
    timeCreated: now,
    updated: now,
    timeStorageClassUpdated: now,
    fields,
  };
  ctx.store.putLive(o.bucket, version, now);
  return version;
}
