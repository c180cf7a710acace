/**
 * The few object-store operations the shared audit log needs, over names relative to the log's prefix
 * (`checkpoint`, `tile/0/000`, `seq/…`). GCS implements it in src/lib/cloud/log-bucket.ts; memory-log-store.ts
 * is the in-memory fake for logic tests. Reads are strongly consistent, as GCS's are.
 */
export interface LogStore {
  /** `gs://<bucket>/<prefix>`, for messages. */
  readonly location: string;
  /** The object's bytes and generation, or undefined when it does not exist. */
  get(name: string): Promise<StoredObject | undefined>;
  /**
   * Writes the object. With `ifGenerationMatch` (`'0'`: only if it does not exist yet) the write happens only
   * if the precondition holds: the new generation, or undefined when it did not (someone else wrote first).
   */
  put(name: string, data: Uint8Array, opts?: PutOptions): Promise<string | undefined>;
  /** Objects whose names start with `dir`, from `startOffset` on (inclusive), in name order, with metadata. */
  list(dir: string, startOffset?: string): Promise<ListedObject[]>;
  /** Deletes the object if it exists. */
  delete(name: string): Promise<void>;
}

export interface StoredObject {
  data: Uint8Array;
  generation: string;
}

export interface PutOptions {
  ifGenerationMatch?: string;
  /** Custom metadata (GCS: at most 8 KiB in all). */
  metadata?: Record<string, string>;
  contentType?: string;
}

export interface ListedObject {
  name: string;
  generation: string;
  /** 1 for an object as written; a metadata-only edit (patch) raises it and keeps the generation. */
  metageneration: string;
  /** Server time of the generation. */
  updated: string;
  metadata: Record<string, string>;
}

/** A `gs://bucket/prefix` URL split; the prefix is empty or ends with a slash. */
export function parseLogUrl(url: string): { bucket: string; prefix: string } {
  const m = /^gs:\/\/([a-z0-9][a-z0-9._-]{1,220}[a-z0-9])(?:\/(.*))?$/.exec(url);
  if (!m) throw new Error(`not a gs://<bucket>/<prefix> URL: ${JSON.stringify(url)}`);
  const prefix = m[2] ?? '';
  if (/[\s+]/.test(prefix) || prefix.startsWith('/') || prefix.includes('//'))
    throw new Error(`the log prefix ${JSON.stringify(prefix)} must have no spaces, plus signs or empty segments`);
  return { bucket: m[1]!, prefix: prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/` };
}
