import { RuntimeError, type GwctlError } from '../errors/gwctl-error.js';
import { ConcurrentChangeError } from './gcs-errors.js';

// The object-store interface, as rclone's fs/types.go: what backups need of a bucket, in gwctl's types. The GCS
// implementation is gcs-object-store.ts; in-memory-object-store.ts is the fake the logic tests use.

/** The attributes a copy or write sets on its destination (what a restore must put back). */
export interface ObjectAttributes {
  contentType?: string;
  contentEncoding?: string;
  contentDisposition?: string;
  contentLanguage?: string;
  cacheControl?: string;
  /** Custom metadata (`x-goog-meta-*`). */
  metadata: Record<string, string>;
}

/** One live object as a listing or stat reports it. Hashes are base64, as GCS gives them. */
export interface ObjectInfo extends ObjectAttributes {
  bucket: string;
  name: string;
  generation: string;
  size: number;
  /** Absent for composite objects. */
  md5?: string;
  crc32c: string;
  /** Server time the generation was written: ages are measured on it, not on a local clock. */
  created: string;
  updated: string;
}

export interface ObjectRef {
  bucket: string;
  name: string;
  /** A specific generation (reads and copy sources); the live one when absent. */
  generation?: string;
}

export interface WriteOptions {
  /** `'0'`: only if the destination does not exist yet (write-once). A generation: only if it is still that one. */
  ifGenerationMatch?: string;
  /** The destination's attributes, all of them: what is absent is cleared. A copy keeps the source's when omitted. */
  attributes?: ObjectAttributes;
}

/** What `hash` computed from the bytes it downloaded (base64, as GCS writes hashes). */
export interface StreamedHashes {
  size: number;
  md5: string;
  crc32c: string;
}

export interface CopyRequest {
  source: ObjectRef;
  destination: { bucket: string; name: string };
  opts?: WriteOptions;
}

export interface DeleteRequest {
  ref: ObjectRef;
  /** Only if the live generation is still this one. */
  ifGenerationMatch?: string;
}

export interface ObjectListOptions {
  prefix?: string;
  /** Only names at or after this one (code point order, as GCS sorts). */
  startOffset?: string;
  /** Only names before this one. */
  endOffset?: string;
  /** Objects per page (GCS caps it at 1000). */
  pageSize?: number;
  /** Ask for the next page while the caller works on this one (default); off when the caller may stop early. */
  prefetch?: boolean;
}

/** One page of a listing with a delimiter: the objects directly under the prefix and the "directories" below it. */
export interface DirectoryPage {
  objects: ObjectInfo[];
  /** Sorted; each ends with the delimiter. */
  prefixes: string[];
  /** More objects or prefixes follow the last one on this page. */
  truncated: boolean;
}

/**
 * Objects, rclone-style: the few operations backups need, and the logic never sees an SDK type.
 * Every call is retried on 429/5xx/dropped connections. A retried copy or write may find that its
 * first attempt landed after all: with `ifGenerationMatch` that surfaces as a PreconditionFailedError,
 * which callers resolve by looking at what is there (never by overwriting blindly).
 */
export interface ObjectStore {
  /** Live objects page by page, with their metadata, in name order. */
  list(bucket: string, opts?: ObjectListOptions): AsyncIterable<ObjectInfo[]>;
  /** The first page of a listing with a delimiter (default `/`): where a bucket's keyspace can be split. */
  listDirectory(bucket: string, opts: { prefix?: string; delimiter?: string }): Promise<DirectoryPage>;
  /** The object, or undefined when it does not exist. */
  stat(ref: ObjectRef): Promise<ObjectInfo | undefined>;
  /** Server-side copy (across buckets too): the bytes never pass through this process. */
  copy(source: ObjectRef, destination: { bucket: string; name: string }, opts?: WriteOptions): Promise<ObjectInfo>;
  /**
   * Several copies in as few requests as the service allows (JSON API batches of up to 100). Each
   * copy's outcome comes back in order: its destination, or its own error (which callers settle
   * copy by copy). Only the request as a whole is retried here.
   */
  copyMany(copies: CopyRequest[]): Promise<(ObjectInfo | GwctlError)[]>;
  /** Uploads a small object in one request. */
  write(destination: { bucket: string; name: string }, data: Buffer, opts?: WriteOptions): Promise<ObjectInfo>;
  /**
   * Uploads an object of any size from chunks as they come (a resumable upload): memory holds a chunk, not the
   * object. `chunks` is called again for each attempt, so a retried upload sends the same bytes from the start.
   * The stored object's size and hashes are checked against what was sent.
   */
  writeStream(
    destination: { bucket: string; name: string },
    chunks: () => Iterable<Buffer> | AsyncIterable<Buffer>,
    opts?: WriteOptions,
  ): Promise<ObjectInfo>;
  read(ref: ObjectRef): Promise<Buffer>;
  /** Downloads the stored bytes and hashes them as they stream by (constant memory, any size). */
  hash(ref: ObjectRef): Promise<StreamedHashes>;
  /** `gone` when it did not exist (e.g. a retried delete whose first attempt worked). */
  delete(ref: ObjectRef, opts?: { ifGenerationMatch?: string }): Promise<'deleted' | 'gone'>;
  /**
   * Several deletes in as few requests as the service allows (JSON API batches of up to 100), each
   * with its own precondition. Outcomes come back in order, as `delete` gives them, or the delete's own
   * error (a PreconditionFailedError when the object changed); only a delete its batch could not do
   * (throttled, unavailable) is retried, on its own.
   */
  deleteMany(deletes: DeleteRequest[]): Promise<('deleted' | 'gone' | GwctlError)[]>;
  bucketExists(bucket: string): Promise<boolean>;
  createBucket(bucket: string, opts?: { location?: string }): Promise<void>;
}

/** The object (or the copy's source) does not exist, or no longer has the generation asked for. */
export class ObjectNotFoundError extends RuntimeError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ObjectNotFoundError';
  }
}

/** `ifGenerationMatch` did not hold: the destination exists (or changed) already. */
export class PreconditionFailedError extends ConcurrentChangeError {
  constructor(message: string) {
    super(message);
    this.name = 'PreconditionFailedError';
  }
}

/** The members of ObjectAttributes besides `metadata`: what a copy sets, a backup records and a restore puts back. */
export const ATTRIBUTE_FIELDS = [
  'contentType',
  'contentEncoding',
  'contentDisposition',
  'contentLanguage',
  'cacheControl',
] as const satisfies (keyof ObjectAttributes)[];
