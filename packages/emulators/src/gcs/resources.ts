import { isoTime } from '../common/iso-time.js';
import type { FieldMask } from './field-mask.js';
import type { BucketRecord, ObjectVersion } from './records.js';

/** Every bucket belongs to the same pretend project. */
export const PROJECT_NUMBER = '123456789012';

const etagBytes = Buffer.alloc(24);

/** Base64 of a protobuf message of varint fields 1, 2, …, so etags look like GCS's (`CAE=` is metageneration 1). */
function etag(...values: number[]): string {
  let at = 0;
  for (let field = 1; field <= values.length; field++) {
    let n = values[field - 1];
    etagBytes[at++] = field << 3;
    for (; n >= 0x80; n = Math.floor(n / 0x80)) etagBytes[at++] = (n % 0x80) | 0x80;
    etagBytes[at++] = n;
  }
  return etagBytes.toString('base64', 0, at);
}

/** The `storage#bucket` resource. */
export function bucketResource(b: BucketRecord, baseUrl: string): Record<string, unknown> {
  return {
    kind: 'storage#bucket',
    selfLink: `${baseUrl}/storage/v1/b/${b.name}`,
    id: b.name,
    name: b.name,
    projectNumber: PROJECT_NUMBER,
    location: 'US',
    locationType: 'multi-region',
    storageClass: 'STANDARD',
    rpo: 'DEFAULT',
    ...b.fields,
    metageneration: String(b.metageneration),
    etag: etag(b.metageneration),
    timeCreated: isoTime(b.timeCreated),
    updated: isoTime(b.updated),
  };
}

/** When a bucket's retention policy lets this object go. */
export function retentionExpiry(v: ObjectVersion, bucket: BucketRecord | undefined): number | undefined {
  const period = bucket?.fields.retentionPolicy?.retentionPeriod;
  return period === undefined ? undefined : v.timeCreated + Number(period) * 1000;
}

/**
 * The `storage#object` resource. With a `fields` mask, the links, etag and times it drops are left
 * undefined rather than built (the mask drops them from the answer anyway): listings and rewrites
 * that ask for a few fields skip most of the work.
 */
export function objectResource(
  v: ObjectVersion,
  baseUrl: string,
  bucket?: BucketRecord,
  mask?: FieldMask,
): Record<string, unknown> {
  const wants = (field: string) => !mask || mask.child(field) !== undefined;
  const path = wants('selfLink') || wants('mediaLink') ? `b/${v.bucket}/o/${encodeURIComponent(v.name)}` : '';
  const resource: Record<string, unknown> = {
    kind: 'storage#object',
    id: wants('id') ? `${v.bucket}/${v.name}/${v.generation}` : undefined,
    selfLink: wants('selfLink') ? `${baseUrl}/storage/v1/${path}` : undefined,
    mediaLink: wants('mediaLink')
      ? `${baseUrl}/download/storage/v1/${path}?generation=${v.generation}&alt=media`
      : undefined,
    name: v.name,
    bucket: v.bucket,
    generation: String(v.generation),
    metageneration: String(v.metageneration),
    ...v.fields,
    storageClass: v.storageClass,
    size: String(v.data.length),
    md5Hash: v.md5Hash,
    crc32c: v.crc32c,
    etag: wants('etag') ? etag(v.generation, v.metageneration) : undefined,
    timeCreated: wants('timeCreated') ? isoTime(v.timeCreated) : undefined,
    updated: wants('updated') ? isoTime(v.updated) : undefined,
    timeStorageClassUpdated: wants('timeStorageClassUpdated') ? isoTime(v.timeStorageClassUpdated) : undefined,
  };
  if (v.timeDeleted !== undefined) resource.timeDeleted = isoTime(v.timeDeleted);
  if (v.softDeleteTime !== undefined) resource.softDeleteTime = isoTime(v.softDeleteTime);
  if (v.hardDeleteTime !== undefined) resource.hardDeleteTime = isoTime(v.hardDeleteTime);
  const expiry = retentionExpiry(v, bucket);
  if (expiry !== undefined) resource.retentionExpirationTime = isoTime(expiry);
  return resource;
}
