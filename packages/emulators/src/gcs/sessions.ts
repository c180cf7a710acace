import type { ContentHashes } from './hashes.js';
import type { GenerationPreconditions } from './preconditions.js';
import type { ObjectFields, ObjectVersion } from './records.js';

/**
 * What lasts from one request to the next besides buckets and objects: resumable uploads and rewrites that take
 * several calls. The store keeps them (Store.uploads, Store.rewrites); the handlers only read and change them.
 */

export interface ObjectRef {
  bucket: string;
  name: string;
}

/** A resumable upload in progress (or finished, so a retried final request still gets its answer). */
export interface UploadSession {
  bucket: string;
  name: string;
  fields: ObjectFields;
  preconditions: GenerationPreconditions;
  chunks: Buffer[];
  received: number;
  total?: number;
  done?: ObjectVersion;
}

/** A rewrite that needs more calls; the bytes are pinned at the source generation the first call saw. */
export interface RewriteJob {
  source: ObjectRef;
  destination: ObjectRef;
  data: Buffer;
  hashes: ContentHashes;
  fields: ObjectFields;
  rewritten: number;
}

/** Finished upload sessions are kept for retries, but not forever. */
const MAX_UPLOAD_SESSIONS = 20_000;

/** Upload sessions by id, the oldest dropped first once there are too many. */
export class UploadSessions extends Map<string, UploadSession> {
  open(id: string, session: UploadSession): void {
    this.set(id, session);
    for (const old of this.keys()) {
      if (this.size <= MAX_UPLOAD_SESSIONS) break;
      this.delete(old);
    }
  }
}

/** Rewrite jobs by rewrite token. */
export type RewriteJobs = Map<string, RewriteJob>;
