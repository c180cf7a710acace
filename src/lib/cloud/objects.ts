import { createHash } from 'node:crypto';
import type { Storage } from '@google-cloud/storage';
import { crc32c, crc32cBase64 } from '../checksums/gcs-hashes.js';
import type { Environment } from '../config/schema.js';
import { GwctlError, RuntimeError } from '../errors/gwctl-error.js';
import type { BatchAnswer } from './batch-wire.js';
import { ConcurrentChangeError, gcsError, httpStatusOf, violatedConstraint } from './gcs-errors.js';
import { isTransient, withRetry, type RetryOptions } from './retry.js';
import { answerError, JsonTransport, parseJson, type BucketCall, type Json } from './json-transport.js';
import { jsonApiRoot, openStorage, storageAuth } from './storage.js';

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

export interface ListOptions {
  prefix?: string;
  /** Only names at or after this one (code point order, as GCS sorts). */
  startOffset?: string;
  /** Only names before this one. */
  endOffset?: string;
  /** Objects per page (GCS caps it at 1000). */
  pageSize?: number;
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
  list(bucket: string, opts?: ListOptions): AsyncIterable<ObjectInfo[]>;
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

export interface ObjectStoreOptions {
  retry?: RetryOptions;
  /** How long a JSON API request may stay silent before it is abandoned and retried (default 60 s). */
  requestTimeoutMs?: number;
}

export async function openObjectStore(env: Environment, opts: ObjectStoreOptions = {}): Promise<ObjectStore> {
  return new GcsObjectStore(env, opts);
}

type RewriteAnswer = { done?: boolean; rewriteToken?: string; resource?: Json };

/** The members of ObjectAttributes besides `metadata`: what a copy sets, a backup records and a restore puts back. */
export const ATTRIBUTE_FIELDS = [
  'contentType',
  'contentEncoding',
  'contentDisposition',
  'contentLanguage',
  'cacheControl',
] as const satisfies (keyof ObjectAttributes)[];
/** What ObjectInfo is made of: asking for only these (`fields`) keeps answers, and their parsing, small. */
const OBJECT_FIELDS = [
  'name',
  'generation',
  'size',
  'md5Hash',
  'crc32c',
  'timeCreated',
  'updated',
  'metadata',
  ...ATTRIBUTE_FIELDS,
].join(',');
const LIST_FIELDS = `nextPageToken,items(${OBJECT_FIELDS})`;
const DIRECTORY_FIELDS = `nextPageToken,prefixes,items(${OBJECT_FIELDS})`;
const REWRITE_FIELDS = `done,rewriteToken,resource(${OBJECT_FIELDS})`;

/**
 * The GCS implementation: the JSON API directly (see JsonTransport) for everything but downloads and
 * bucket creation, which use the SDK, loaded only when one is needed. Retries are ours, not the SDK's:
 * the SDK retries a rewrite or upload only when `ifGenerationMatch` is set, and to skip one it flips
 * `autoRetry` on the shared Storage object, which under concurrency switches retries off (or on) for
 * unrelated calls in flight. So `openStorage` turns SDK retries off, and every call goes through one
 * policy: exponential backoff with jitter (or Retry-After) on 429/408/5xx/ECONNRESET, up to 10 tries and
 * the total retry deadline, the same for every operation.
 */
export class GcsObjectStore implements ObjectStore {
  private readonly retry: RetryOptions;
  private readonly json: JsonTransport;
  private storage: Promise<Storage> | undefined;

  constructor(
    private readonly env: Environment,
    opts: ObjectStoreOptions = {},
  ) {
    this.retry = { attempts: 10, baseDelayMs: 100, maxDelayMs: 5_000, ...opts.retry };
    this.json = new JsonTransport(jsonApiRoot(env), storageAuth(env), opts.requestTimeoutMs);
  }

  async *list(bucket: string, opts: ListOptions = {}): AsyncIterable<ObjectInfo[]> {
    type Page = { items?: Json[]; nextPageToken?: string };
    const fetchPage = (pageToken?: string) => {
      const qs: Record<string, string | number> = { maxResults: opts.pageSize ?? 1000, fields: LIST_FIELDS };
      if (opts.prefix) qs.prefix = opts.prefix;
      if (opts.startOffset) qs.startOffset = opts.startOffset;
      if (opts.endOffset) qs.endOffset = opts.endOffset;
      if (pageToken) qs.pageToken = pageToken;
      const page = this.call(`listing gs://${bucket}/${opts.prefix ?? ''}`, () =>
        this.json.request<Page>(bucket, { uri: '/o', qs }),
      );
      page.catch(() => undefined); // awaited below; a caller that stops early leaves it unawaited
      return page;
    };
    let next: Promise<Page> | undefined = fetchPage();
    while (next) {
      const page: Page = await next;
      // The next page is asked for before this one is handed over: its round trip overlaps the caller's work on this one.
      next = page.nextPageToken ? fetchPage(page.nextPageToken) : undefined;
      yield (page.items ?? []).map((item) => toInfo(bucket, item));
    }
  }

  async listDirectory(bucket: string, opts: { prefix?: string; delimiter?: string }): Promise<DirectoryPage> {
    const qs: Record<string, string | number> = { delimiter: opts.delimiter ?? '/', fields: DIRECTORY_FIELDS };
    if (opts.prefix) qs.prefix = opts.prefix;
    const page = await this.call(`listing gs://${bucket}/${opts.prefix ?? ''}`, () =>
      this.json.request<{ items?: Json[]; prefixes?: string[]; nextPageToken?: string }>(bucket, { uri: '/o', qs }),
    );
    return {
      objects: (page.items ?? []).map((item) => toInfo(bucket, item)),
      prefixes: page.prefixes ?? [],
      truncated: Boolean(page.nextPageToken),
    };
  }

  async stat(ref: ObjectRef): Promise<ObjectInfo | undefined> {
    const qs: Record<string, string> = { fields: OBJECT_FIELDS };
    if (ref.generation) qs.generation = ref.generation;
    try {
      return toInfo(
        ref.bucket,
        await this.call(`reading ${url(ref)}`, () =>
          this.json.request<Json>(ref.bucket, { uri: objectPath(ref.name), qs }),
        ),
      );
    } catch (err) {
      if (err instanceof ObjectNotFoundError) return undefined;
      throw err;
    }
  }

  async copy(
    source: ObjectRef,
    destination: { bucket: string; name: string },
    opts: WriteOptions = {},
  ): Promise<ObjectInfo> {
    return this.rewrite({ source, destination, opts });
  }

  async copyMany(copies: CopyRequest[]): Promise<(ObjectInfo | GwctlError)[]> {
    const settle = (c: CopyRequest, answered?: RewriteAnswer) =>
      this.rewrite(c, answered).catch((err: unknown) => objectError(err, copyWhat(c)));
    const answers = await this.inBatch(`copying ${copies.length} objects in one batch`, () =>
      copies.map((c) => ({ method: 'POST', ...rewriteCall(c) })),
    );
    if (!answers) return Promise.all(copies.map((c) => settle(c)));
    return Promise.all(
      answers.map(async (a, i) => {
        const c = copies[i]!;
        if (a.status < 200 || a.status > 299) return objectError(answerError(a), copyWhat(c));
        // Done, or a big object's first call: its follow-ups go on one by one with the token it answered.
        return settle(c, (parseJson(a.text) as RewriteAnswer | undefined) ?? {});
      }),
    );
  }

  /**
   * One rewrite, to the end, from its first call or from the answer a batch gave to it. Large objects
   * take several calls linked by a rewrite token; each continuation carries the same parameters
   * (preconditions included). A token can be consumed by a call whose answer was lost: the service then
   * rejects it, and the rewrite starts over (its precondition still guards it).
   */
  private async rewrite(c: CopyRequest, answered?: RewriteAnswer): Promise<ObjectInfo> {
    const what = copyWhat(c);
    const { uri, qs, json } = rewriteCall(c);
    let res = answered;
    let token: string | undefined;
    for (let restarts = 0; ;) {
      if (res) {
        if (res.done) return toInfo(c.destination.bucket, res.resource ?? {});
        if (!res.rewriteToken) throw new RuntimeError(`${what}: the service answered neither done nor a rewrite token`);
        token = res.rewriteToken;
      }
      try {
        res = await this.call(what, () =>
          this.json.request<RewriteAnswer>(c.source.bucket, {
            method: 'POST',
            uri,
            qs: token ? { ...qs, rewriteToken: token } : qs,
            json,
          }),
        );
      } catch (err) {
        if (token && httpStatusOf((err as { cause?: unknown }).cause) === 400 && restarts++ < 3) {
          token = undefined;
          res = undefined;
          continue;
        }
        throw err;
      }
    }
  }

  async write(
    destination: { bucket: string; name: string },
    data: Buffer,
    opts: WriteOptions = {},
  ): Promise<ObjectInfo> {
    // The hashes go with the upload: GCS refuses it if the bytes it got do not match them.
    const resource = {
      name: destination.name,
      ...attributesBody(opts.attributes ?? { metadata: {} }, { clear: false }),
      crc32c: crc32cBase64(crc32c.calculate(data)),
      md5Hash: createHash('md5').update(data).digest('base64'),
    };
    const qs: Record<string, string> = { fields: OBJECT_FIELDS };
    if (opts.ifGenerationMatch !== undefined) qs.ifGenerationMatch = opts.ifGenerationMatch;
    return toInfo(
      destination.bucket,
      await this.call(`writing ${url(destination)}`, () =>
        this.json.upload<Json>(destination.bucket, resource, data, qs),
      ),
    );
  }

  async read(ref: ObjectRef): Promise<Buffer> {
    const file = await this.file(ref);
    // Checked by the caller against the manifest's hashes; `decompress: false` keeps stored bytes as they are.
    return this.call(
      `reading ${url(ref)}`,
      async () => (await file.download({ validation: false, decompress: false }))[0],
    );
  }

  async hash(ref: ObjectRef): Promise<StreamedHashes> {
    const file = await this.file(ref);
    return this.call(`reading ${url(ref)}`, async () => {
      const md5 = createHash('md5');
      let crc = 0;
      let size = 0;
      for await (const chunk of file.createReadStream({
        validation: false,
        decompress: false,
      }) as AsyncIterable<Buffer>) {
        md5.update(chunk);
        crc = crc32c.calculate(chunk, crc);
        size += chunk.length;
      }
      return { size, md5: md5.digest('base64'), crc32c: crc32cBase64(crc) };
    });
  }

  async delete(ref: ObjectRef, opts: { ifGenerationMatch?: string } = {}): Promise<'deleted' | 'gone'> {
    const { uri, qs } = deleteCall({ ref, ifGenerationMatch: opts.ifGenerationMatch });
    try {
      await this.call(`deleting ${url(ref)}`, () => this.json.request(ref.bucket, { method: 'DELETE', uri, qs }));
      return 'deleted';
    } catch (err) {
      if (err instanceof ObjectNotFoundError) return 'gone';
      throw err;
    }
  }

  async deleteMany(deletes: DeleteRequest[]): Promise<('deleted' | 'gone' | GwctlError)[]> {
    const alone = (d: DeleteRequest) =>
      this.delete(d.ref, d).catch((err: unknown) => objectError(err, `deleting ${url(d.ref)}`));
    const answers = await this.inBatch(`deleting ${deletes.length} objects in one batch`, () =>
      deletes.map((d) => ({ method: 'DELETE', bucket: d.ref.bucket, ...deleteCall(d) })),
    );
    if (!answers) return Promise.all(deletes.map(alone));
    return Promise.all(
      answers.map(async (a, i) => {
        const d = deletes[i]!;
        if (a.status >= 200 && a.status <= 299) return 'deleted' as const;
        const failure = answerError(a);
        // Throttled or unavailable inside its batch: retried on its own (a first attempt that landed then reads as gone).
        if (isTransient(failure)) return alone(d);
        const err = objectError(failure, `deleting ${url(d.ref)}`);
        return err instanceof ObjectNotFoundError ? ('gone' as const) : err;
      }),
    );
  }

  async bucketExists(bucket: string): Promise<boolean> {
    try {
      await this.call(`reading bucket gs://${bucket}`, () =>
        this.json.request(bucket, { uri: '', qs: { fields: 'name' } }),
      );
      return true;
    } catch (err) {
      if (httpStatusOf((err as { cause?: unknown }).cause) === 404) return false;
      throw err;
    }
  }

  async createBucket(bucket: string, opts: { location?: string } = {}): Promise<void> {
    const storage = await this.sdk();
    try {
      await this.call(`creating bucket gs://${bucket}`, () =>
        storage.createBucket(bucket, opts.location ? { location: opts.location } : {}),
      );
    } catch (err) {
      // A retried create whose first attempt worked answers 409; a bucket someone else owns does not show up.
      if (httpStatusOf((err as { cause?: unknown }).cause) === 409 && (await this.bucketExists(bucket))) return;
      throw err;
    }
  }

  /**
   * The calls' answers from one batch request (retried as a whole), or undefined when they are to go one
   * by one: a single call, or an endpoint without batches (another emulator, a proxy), which answers the
   * batch path 400/404/405/501 and is not asked again.
   */
  private async inBatch(
    what: string,
    calls: () => (BucketCall & { bucket: string })[],
  ): Promise<BatchAnswer[] | undefined> {
    if (!this.json.batches) return undefined;
    const batch = calls();
    if (batch.length < 2) return undefined;
    try {
      return await this.call(what, () => this.json.batch(batch));
    } catch (err) {
      if (![400, 404, 405, 501].includes(httpStatusOf((err as { cause?: unknown }).cause) ?? 0)) throw err;
      this.json.batches = false;
      return undefined;
    }
  }

  /** The SDK, for downloads and bucket creation only; its own retries off (see the class comment). */
  private sdk(): Promise<Storage> {
    this.storage ??= openStorage(this.env);
    return this.storage;
  }

  private async file(ref: ObjectRef) {
    return (await this.sdk())
      .bucket(ref.bucket)
      .file(ref.name, ref.generation ? { generation: Number(ref.generation) } : {});
  }

  private async call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await withRetry(fn, { isRetryable: isTransient, ...this.retry });
    } catch (err) {
      throw objectError(err, what);
    }
  }
}

/** The rewrite call of one copy: its path below the source bucket, query and body. */
function rewriteCall(c: CopyRequest): BucketCall & { bucket: string; qs: Record<string, string> } {
  const qs: Record<string, string> = { fields: REWRITE_FIELDS };
  if (c.source.generation) qs.sourceGeneration = c.source.generation;
  if (c.opts?.ifGenerationMatch !== undefined) qs.ifGenerationMatch = c.opts.ifGenerationMatch;
  const json = c.opts?.attributes ? attributesBody(c.opts.attributes) : {};
  return {
    bucket: c.source.bucket,
    uri: `${objectPath(c.source.name)}/rewriteTo/b/${c.destination.bucket}/o/${encodeURIComponent(c.destination.name)}`,
    qs,
    json,
  };
}

/** The delete call of one object: its path below the bucket and query. */
function deleteCall(d: DeleteRequest): { uri: string; qs: Record<string, string> } {
  const qs: Record<string, string> = {};
  if (d.ref.generation) qs.generation = d.ref.generation;
  if (d.ifGenerationMatch !== undefined) qs.ifGenerationMatch = d.ifGenerationMatch;
  return { uri: objectPath(d.ref.name), qs };
}

const copyWhat = (c: CopyRequest) => `copying ${url(c.source)} to ${url(c.destination)}`;

function objectError(err: unknown, what: string): GwctlError {
  if (err instanceof GwctlError) return err;
  const status = httpStatusOf(err);
  if (status === 412 && !violatedConstraint(err))
    return new PreconditionFailedError(`${what}: the destination exists or changed (precondition failed)`);
  if (status === 404) {
    const reason = ((err as Error)?.message ?? '').split('\n')[0];
    if (!/specified bucket does not exist|no such bucket/i.test(reason))
      return new ObjectNotFoundError(`${what}: no such object (or generation)`, { cause: err });
  }
  const mapped = gcsError(err, what);
  if (!(mapped as { cause?: unknown }).cause) Object.assign(mapped, { cause: err });
  return mapped;
}

const objectPath = (name: string) => `/o/${encodeURIComponent(name)}`;
const url = (ref: { bucket: string; name: string }) => `gs://${ref.bucket}/${ref.name}`;

/** The body of a copy (absent attributes cleared with null, so nothing carries over from the source) or an upload. */
function attributesBody(a: ObjectAttributes, opts: { clear: boolean } = { clear: true }): Json {
  const body: Json = {};
  for (const f of ATTRIBUTE_FIELDS) if (a[f] !== undefined || opts.clear) body[f] = a[f] ?? null;
  body.metadata = { ...a.metadata };
  return body;
}

function toInfo(bucket: string, r: Json): ObjectInfo {
  const info: ObjectInfo = {
    bucket,
    name: String(r.name),
    generation: String(r.generation),
    size: Number(r.size ?? 0),
    crc32c: String(r.crc32c ?? ''),
    created: String(r.timeCreated ?? ''),
    updated: String(r.updated ?? r.timeCreated ?? ''),
    metadata: Object.fromEntries(
      Object.entries((r.metadata as Record<string, unknown> | undefined) ?? {}).map(([k, v]) => [k, String(v)]),
    ),
  };
  if (typeof r.md5Hash === 'string') info.md5 = r.md5Hash;
  for (const f of ATTRIBUTE_FIELDS) if (typeof r[f] === 'string') info[f] = r[f] as string;
  return info;
}
