import { createHash } from 'node:crypto';
import type { ListedObject, LogStore, PutOptions, StoredObject } from '../audit/shared/log-store.js';
import { crc32c, crc32cBase64 } from '../checksums/gcs-hashes.js';
import { gsUrl } from '../config/gs-url.js';
import type { Environment } from '../config/schema.js';
import { gcsError, httpStatusOf, violatedConstraint } from './gcs-errors.js';
import { JsonTransport, type Json } from './json-transport.js';
import { isTransient, withRetry, type RetryOptions } from './retry.js';
import { jsonApiRoot, storageAuth } from './storage.js';

const LIST_FIELDS = 'nextPageToken,items(name,generation,metageneration,updated,metadata)';

/**
 * The shared audit log's objects under `gs://<bucket>/<prefix>`, over the JSON API directly (keep-alive HTTP,
 * no SDK to load: an append is a few small calls and the command waits for them). Every call is retried on
 * 429/5xx/dropped connections; a retried conditional write whose first attempt landed answers 412, which the
 * log resolves by reading what is there (shared-log.ts), never by writing again blindly.
 */
export class GcsLogStore implements LogStore {
  readonly location: string;
  private readonly json: JsonTransport;
  private readonly retry: RetryOptions;

  constructor(
    env: Environment,
    private readonly bucket: string,
    private readonly prefix: string,
    retry: RetryOptions = {},
  ) {
    this.location = gsUrl(bucket, prefix);
    this.json = new JsonTransport(jsonApiRoot(env), storageAuth(env));
    this.retry = { attempts: 8, baseDelayMs: 50, maxDelayMs: 2_000, isRetryable: isTransient, ...retry };
  }

  async get(name: string): Promise<StoredObject | undefined> {
    return this.call(`reading ${this.location}${name}`, () => this.json.download(this.bucket, this.prefix + name));
  }

  async put(name: string, data: Uint8Array, opts: PutOptions = {}): Promise<string | undefined> {
    const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    const resource = {
      name: this.prefix + name,
      contentType: opts.contentType ?? 'application/octet-stream',
      ...(opts.metadata ? { metadata: opts.metadata } : {}),
      crc32c: crc32cBase64(crc32c.calculate(bytes)),
      md5Hash: createHash('md5').update(bytes).digest('base64'),
    };
    const qs: Record<string, string> = { fields: 'generation' };
    if (opts.ifGenerationMatch !== undefined) qs.ifGenerationMatch = opts.ifGenerationMatch;
    try {
      const answer = await this.call(`writing ${this.location}${name}`, () =>
        this.json.upload<Json>(this.bucket, resource, bytes, qs),
      );
      return String(answer.generation);
    } catch (err) {
      const cause = (err as { cause?: unknown }).cause;
      if (httpStatusOf(cause) === 412 && !violatedConstraint(cause)) return undefined;
      throw err;
    }
  }

  async list(dir: string, startOffset?: string): Promise<ListedObject[]> {
    const out: ListedObject[] = [];
    let pageToken: string | undefined;
    do {
      const qs: Record<string, string | number> = { prefix: this.prefix + dir, fields: LIST_FIELDS, maxResults: 1000 };
      if (startOffset) qs.startOffset = this.prefix + startOffset;
      if (pageToken) qs.pageToken = pageToken;
      const page = await this.call(`listing ${this.location}${dir}`, () =>
        this.json.request<{ items?: Json[]; nextPageToken?: string }>(this.bucket, { uri: '/o', qs }),
      );
      for (const item of page.items ?? [])
        out.push({
          name: String(item.name).slice(this.prefix.length),
          generation: String(item.generation),
          metageneration: String(item.metageneration),
          updated: String(item.updated ?? ''),
          metadata: Object.fromEntries(
            Object.entries((item.metadata as Record<string, unknown> | undefined) ?? {}).map(([k, v]) => [
              k,
              String(v),
            ]),
          ),
        });
      pageToken = page.nextPageToken;
    } while (pageToken);
    return out;
  }

  async delete(name: string): Promise<void> {
    try {
      await this.call(`deleting ${this.location}${name}`, () =>
        this.json.request(this.bucket, { method: 'DELETE', uri: `/o/${encodeURIComponent(this.prefix + name)}` }),
      );
    } catch (err) {
      if (httpStatusOf((err as { cause?: unknown }).cause) !== 404) throw err;
    }
  }

  private async call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await withRetry(fn, this.retry);
    } catch (err) {
      const mapped = gcsError(err, what);
      if (!(mapped as { cause?: unknown }).cause) Object.assign(mapped, { cause: err });
      throw mapped;
    }
  }
}
