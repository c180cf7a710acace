import type { RpcCode } from './transfer-error.js';

/** The fields of a Cloud Storage object resource (JSON API) a transfer compares and counts. */
export interface GcsObject {
  name: string;
  bucket: string;
  generation: string;
  size: string;
  crc32c?: string;
  md5Hash?: string;
  etag?: string;
}

/** A JSON API call that did not succeed: its HTTP status (0 when the connection failed) and message. */
export class GcsCallError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }

  /** What Storage Transfer Service reports for it in an ErrorSummary (google.rpc.Code, by HTTP mapping of AIP-193). */
  get rpcCode(): RpcCode {
    return (
      (
        {
          0: 'UNAVAILABLE',
          400: 'INVALID_ARGUMENT',
          401: 'PERMISSION_DENIED',
          403: 'PERMISSION_DENIED',
          404: 'NOT_FOUND',
          409: 'FAILED_PRECONDITION',
          412: 'FAILED_PRECONDITION',
          429: 'RESOURCE_EXHAUSTED',
          503: 'UNAVAILABLE',
        } as Record<number, RpcCode>
      )[this.status] ?? (this.status >= 500 ? 'INTERNAL' : 'UNKNOWN')
    );
  }

  /** Worth another try: throttled, unavailable, or the connection dropped (GCS's retry strategy). */
  get transient(): boolean {
    return this.status === 0 || this.status === 408 || this.status === 429 || this.status >= 500;
  }
}

const enc = encodeURIComponent;

/**
 * The few Cloud Storage JSON API calls a transfer makes, over HTTP to the GCS emulator, so that its request log and
 * fault injection see them as they would see Storage Transfer Service's own calls.
 */
export class GcsJson {
  private readonly base: string;

  constructor(url: string) {
    this.base = url.replace(/\/$/, '');
  }

  async bucketExists(bucket: string): Promise<boolean> {
    return (await this.call('GET', `/storage/v1/b/${enc(bucket)}`, { allow404: true })) !== undefined;
  }

  /** The object's metadata, or undefined when it does not exist (at that generation, when one is given). */
  async stat(bucket: string, name: string, generation?: string): Promise<GcsObject | undefined> {
    const q = generation ? `?generation=${enc(generation)}` : '';
    return (await this.call('GET', `/storage/v1/b/${enc(bucket)}/o/${enc(name)}${q}`, { allow404: true })) as
      GcsObject | undefined;
  }

  async download(bucket: string, name: string): Promise<Buffer | undefined> {
    const res = await this.fetch('GET', `/storage/v1/b/${enc(bucket)}/o/${enc(name)}?alt=media`);
    if (res.status === 404) return undefined;
    if (!res.ok) throw await callError(res);
    return Buffer.from(await res.arrayBuffer());
  }

  /** Every live object under `prefix`, page by page. */
  async *list(bucket: string, prefix: string): AsyncGenerator<GcsObject> {
    let pageToken: string | undefined;
    do {
      const q = new URLSearchParams({ prefix, ...(pageToken ? { pageToken } : {}) });
      const page = (await this.call('GET', `/storage/v1/b/${enc(bucket)}/o?${q}`)) as {
        items?: GcsObject[];
        nextPageToken?: string;
      };
      yield* page.items ?? [];
      pageToken = page.nextPageToken;
    } while (pageToken);
  }

  /** objects.rewrite until `done`, pinned to the source generation: the destination keeps its bytes, hashes and metadata. */
  async rewrite(source: GcsObject, toBucket: string, toName: string): Promise<GcsObject> {
    let token: string | undefined;
    for (;;) {
      const q = new URLSearchParams({ sourceGeneration: source.generation, ...(token ? { rewriteToken: token } : {}) });
      const path = `/storage/v1/b/${enc(source.bucket)}/o/${enc(source.name)}/rewriteTo/b/${enc(toBucket)}/o/${enc(toName)}?${q}`;
      const r = (await this.call('POST', path, { body: '{}' })) as {
        done: boolean;
        rewriteToken?: string;
        resource?: GcsObject;
      };
      if (r.done) return r.resource!;
      token = r.rewriteToken;
    }
  }

  async delete(object: GcsObject): Promise<void> {
    const q = `?ifGenerationMatch=${enc(object.generation)}`;
    await this.call('DELETE', `/storage/v1/b/${enc(object.bucket)}/o/${enc(object.name)}${q}`);
  }

  private async call(method: string, path: string, opts: { body?: string; allow404?: boolean } = {}): Promise<unknown> {
    const res = await this.fetch(method, path, opts.body);
    if (res.status === 404 && opts.allow404) return undefined;
    if (!res.ok) throw await callError(res);
    return res.status === 204 ? {} : res.json();
  }

  private async fetch(method: string, path: string, body?: string): Promise<Response> {
    try {
      return await fetch(`${this.base}${path}`, {
        method,
        ...(body !== undefined ? { body, headers: { 'content-type': 'application/json' } } : {}),
      });
    } catch (err) {
      throw new GcsCallError(0, `connection to Cloud Storage failed: ${(err as Error).message}`);
    }
  }
}

async function callError(res: Response): Promise<GcsCallError> {
  const text = await res.text().catch(() => '');
  let message = text;
  try {
    message = (JSON.parse(text) as { error?: { message?: string } }).error?.message ?? text;
  } catch {
    // not JSON: keep the text
  }
  return new GcsCallError(res.status, message || `HTTP ${res.status}`);
}
