/** The emulator's records: what it stores for a bucket and for one generation of an object. Times are epoch ms. */

export const DAY_MS = 86_400_000;

export interface RetentionPolicy {
  retentionPeriod: string;
  effectiveTime: string;
  isLocked: boolean;
}

export interface SoftDeletePolicy {
  retentionDurationSeconds: string;
  effectiveTime: string;
}

/** Writable bucket fields as the client set them; fields the emulator does not interpret pass through untouched. */
export interface BucketFields {
  [field: string]: unknown;
  location?: string;
  storageClass?: string;
  labels?: Record<string, string>;
  versioning?: { enabled?: boolean };
  lifecycle?: { rule?: unknown[] };
  retentionPolicy?: RetentionPolicy;
  softDeletePolicy?: SoftDeletePolicy;
  defaultEventBasedHold?: boolean;
}

export interface BucketRecord {
  name: string;
  metageneration: number;
  timeCreated: number;
  updated: number;
  fields: BucketFields;
}

/** Object fields a client may set on upload, patch, update or rewrite. */
export interface ObjectFields {
  contentType?: string;
  contentEncoding?: string;
  contentDisposition?: string;
  contentLanguage?: string;
  cacheControl?: string;
  customTime?: string;
  metadata?: Record<string, string>;
  temporaryHold?: boolean;
  eventBasedHold?: boolean;
}

export interface ObjectVersion {
  bucket: string;
  name: string;
  generation: number;
  metageneration: number;
  data: Buffer;
  /** Hashes of the bytes as uploaded; `corruptObject` changes `data` but not these. */
  md5Hash: string;
  crc32c: string;
  storageClass: string;
  timeCreated: number;
  updated: number;
  timeStorageClassUpdated: number;
  /** When it stopped being the live version (overwritten or deleted); unset while live. */
  timeDeleted?: number;
  softDeleteTime?: number;
  hardDeleteTime?: number;
  fields: ObjectFields;
}

export const isLive = (v: ObjectVersion) => v.timeDeleted === undefined;

export const isSoftDeleted = (v: ObjectVersion) => v.softDeleteTime !== undefined;
