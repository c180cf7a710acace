import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Storage } from '@google-cloud/storage';
import { crc32c, crc32cBase64 } from '../checksums/gcs-hashes.js';
import type { Environment } from '../config/schema.js';
import { GwctlError, RuntimeError } from '../errors/gwctl-error.js';
import {
  ATTRIBUTE_FIELDS,
  ObjectNotFoundError,
  PreconditionFailedError,
  type CopyRequest,
  type DeleteRequest,
  type ObjectAttributes,
  type ObjectInfo,
  type DirectoryPage,
  type ObjectListOptions,
  type ObjectRef,
  type ObjectStore,
  type StreamedHashes,
  type WriteOptions,
} from './object-store.js';
import type { BatchAnswer } from './batch-wire.js';
import { gcsError, httpStatusOf, violatedConstraint } from './gcs-errors.js';
import { isTransient, withRetry, type RetryOptions } from './retry.js';
import { answerError, JsonTransport, parseJson, type BucketCall, type Json } from './json-transport.js';
import { jsonApiRoot, openStorage, storageAuth } from './storage.js';
import { gsUrl } from '../config/gs-url.js';

export interface ObjectStoreOptions {
  retry?: RetryOptions;
  /** How long a JSON API request may stay silent before it is abandoned and retried (default 60 s). */
  requestTimeoutMs?: number;
}

export async function openObjectStore(env: Environment, opts: ObjectStoreOptions = {}): Promise<ObjectStore> {
  return new GcsObjectStore(env, opts);
}

type RewriteAnswer = { done?: boolean; rewriteToken?: string; resource?: Json };

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

  async *list(bucket: string, opts: ObjectListOptions = {}): AsyncIterable<ObjectInfo[]> {
    type Page = { items?: Json[]; nextPageToken?: string };
    const fetchPage = (pageToken?: string) => {
      const qs: Record<string, string | number> = { maxResults: opts.pageSize ?? 1000, fields: LIST_FIELDS };
      if (opts.prefix) qs.prefix = opts.prefix;
      if (opts.startOffset) qs.startOffset = opts.startOffset;
      if (opts.endOffset) qs.endOffset = opts.endOffset;
      if (pageToken) qs.pageToken = pageToken;
      const page = this.call(`listing ${gsUrl(bucket, opts.prefix ?? '')}`, () =>
        this.json.request<Page>(bucket, { uri: '/o', qs }),
      );
      page.catch(() => undefined); // awaited below; a caller that stops early leaves it unawaited
      return page;
    };
    let next: Promise<Page> | undefined = fetchPage();
    while (next) {
      const page: Page = await next;
      const token = page.nextPageToken;
      // The next page is asked for before this one is handed over: its round trip overlaps the caller's work on
      // this one. Unless the caller may stop here (a range about to be cut), which would waste that request.
      next = token && opts.prefetch !== false ? fetchPage(token) : undefined;
      yield (page.items ?? []).map((item) => toInfo(bucket, item));
      if (token && !next) next = fetchPage(token);
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
        await this.call(`reading ${gsUrl(ref.bucket, ref.name)}`, () =>
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
      await this.call(`writing ${gsUrl(destination.bucket, destination.name)}`, () =>
        this.json.upload<Json>(destination.bucket, resource, data, qs),
      ),
    );
  }

  async writeStream(
    destination: { bucket: string; name: string },
    chunks: () => Iterable<Buffer> | AsyncIterable<Buffer>,
    opts: WriteOptions = {},
  ): Promise<ObjectInfo> {
    const file = await this.file(destination);
    const what = `writing ${gsUrl(destination.bucket, destination.name)}`;
    return this.call(what, async () => {
      const md5 = createHash('md5');
      let crc = 0;
      let size = 0;
      async function* hashed() {
        for await (const chunk of chunks()) {
          md5.update(chunk);
          crc = crc32c.calculate(chunk, crc);
          size += chunk.length;
          yield chunk;
        }
      }
      // A resumable upload (https://cloud.google.com/storage/docs/resumable-uploads), its precondition given when the
      // session is created; the SDK's own hash check is off: ours below compares both hashes and the size.
      const upload = file.createWriteStream({
        resumable: true,
        validation: false,
        metadata: attributesBody(opts.attributes ?? { metadata: {} }, { clear: false }),
        ...(opts.ifGenerationMatch !== undefined
          ? { preconditionOpts: { ifGenerationMatch: Number(opts.ifGenerationMatch) } }
          : {}),
      });
      await pipeline(Readable.from(hashed()), upload);
      const info = toInfo(destination.bucket, file.metadata as Json);
      if (info.size !== size || info.crc32c !== crc32cBase64(crc) || (info.md5 && info.md5 !== md5.digest('base64')))
        throw new RuntimeError(`${what}: the stored object's size or hashes differ from the bytes sent`);
      return info;
    });
  }

  async read(ref: ObjectRef): Promise<Buffer> {
    const file = await this.file(ref);
    // Checked by the caller against the manifest's hashes; `decompress: false` keeps stored bytes as they are.
    return this.call(
      `reading ${gsUrl(ref.bucket, ref.name)}`,
      async () => (await file.download({ validation: false, decompress: false }))[0],
    );
  }

  async hash(ref: ObjectRef): Promise<StreamedHashes> {
    const file = await this.file(ref);
    return this.call(`reading ${gsUrl(ref.bucket, ref.name)}`, async () => {
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
      await this.call(`deleting ${gsUrl(ref.bucket, ref.name)}`, () =>
        this.json.request(ref.bucket, { method: 'DELETE', uri, qs }),
      );
      return 'deleted';
    } catch (err) {
      if (err instanceof ObjectNotFoundError) return 'gone';
      throw err;
    }
  }

  async deleteMany(deletes: DeleteRequest[]): Promise<('deleted' | 'gone' | GwctlError)[]> {
    const alone = (d: DeleteRequest) =>
      this.delete(d.ref, d).catch((err: unknown) => objectError(err, `deleting ${gsUrl(d.ref.bucket, d.ref.name)}`));
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
        const err = objectError(failure, `deleting ${gsUrl(d.ref.bucket, d.ref.name)}`);
        return err instanceof ObjectNotFoundError ? ('gone' as const) : err;
      }),
    );
  }

  async bucketExists(bucket: string): Promise<boolean> {
    try {
      await this.call(`reading bucket ${gsUrl(bucket)}`, () =>
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
      await this.call(`creating bucket ${gsUrl(bucket)}`, () =>
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
    if (!this.json.takesBatches) return undefined;
    const batch = calls();
    if (batch.length < 2) return undefined;
    try {
      return await this.call(what, () => this.json.batch(batch));
    } catch (err) {
      if (this.json.takesBatches) throw err;
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

const copyWhat = (c: CopyRequest) =>
  `copying ${gsUrl(c.source.bucket, c.source.name)} to ${gsUrl(c.destination.bucket, c.destination.name)}`;

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
