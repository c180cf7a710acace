import type { BucketRecord, ObjectVersion } from './records.js';

/** Every bucket belongs to the same pretend project. */
export const PROJECT_NUMBER = '123456789012';

const iso = (ms: number) => new Date(ms).toISOString();

/** Protobuf varint, so etags look like GCS's (`CAE=` is metageneration 1). */
function varint(n: number): number[] {
  const bytes: number[] = [];
  while (n >= 0x80) {
    bytes.push((n % 0x80) | 0x80);
    n = Math.floor(n / 0x80);
  }
  bytes.push(n);
  return bytes;
}

const bucketEtag = (metageneration: number) => Buffer.from([0x08, ...varint(metageneration)]).toString('base64');

const objectEtag = (generation: number, metageneration: number) =>
  Buffer.from([0x08, ...varint(generation), 0x10, ...varint(metageneration)]).toString('base64');

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
    etag: bucketEtag(b.metageneration),
    timeCreated: iso(b.timeCreated),
    updated: iso(b.updated),
  };
}

/** When a bucket's retention policy lets this object go. */
export function retentionExpiry(v: ObjectVersion, bucket: BucketRecord | undefined): number | undefined {
  const period = bucket?.fields.retentionPolicy?.retentionPeriod;
  return period === undefined ? undefined : v.timeCreated + Number(period) * 1000;
}

/** The `storage#object` resource. */
export function objectResource(v: ObjectVersion, baseUrl: string, bucket?: BucketRecord): Record<string, unknown> {
  const path = `b/${v.bucket}/o/${encodeURIComponent(v.name)}`;
  const expiry = retentionExpiry(v, bucket);
  return {
    kind: 'storage#object',
    id: `${v.bucket}/${v.name}/${v.generation}`,
    selfLink: `${baseUrl}/storage/v1/${path}`,
    mediaLink: `${baseUrl}/download/storage/v1/${path}?generation=${v.generation}&alt=media`,
    name: v.name,
    bucket: v.bucket,
    generation: String(v.generation),
    metageneration: String(v.metageneration),
    ...v.fields,
    storageClass: v.storageClass,
    size: String(v.data.length),
    md5Hash: v.md5Hash,
    crc32c: v.crc32c,
    etag: objectEtag(v.generation, v.metageneration),
    timeCreated: iso(v.timeCreated),
    updated: iso(v.updated),
    timeStorageClassUpdated: iso(v.timeStorageClassUpdated),
    ...(v.timeDeleted !== undefined ? { timeDeleted: iso(v.timeDeleted) } : {}),
    ...(v.softDeleteTime !== undefined ? { softDeleteTime: iso(v.softDeleteTime) } : {}),
    ...(v.hardDeleteTime !== undefined ? { hardDeleteTime: iso(v.hardDeleteTime) } : {}),
    ...(expiry !== undefined ? { retentionExpirationTime: iso(expiry) } : {}),
  };
}
