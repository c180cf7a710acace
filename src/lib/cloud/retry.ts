import { httpStatusOf } from './gcs-errors.js';
import type { BucketAdmin } from './buckets.js';

/** Network failures worth another try: the request may never have reached the server. */
const TRANSIENT_CODES = new Set([
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'ECONNABORTED',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
]);

/**
 * Whether an error is a rate limit, a server-side hiccup or a dropped connection — worth retrying —
 * rather than an answer (404, 403, 409, 422) that another try would only repeat. Looks through `cause`.
 */
export function isTransient(err: unknown): boolean {
  for (
    let e = err as { cause?: unknown; code?: unknown; message?: unknown } | undefined, depth = 0;
    e && depth < 6;
    e = e.cause as typeof e, depth++
  ) {
    const status = httpStatusOf(e);
    if (status === 429 || status === 408 || (status !== undefined && status >= 500 && status <= 599)) return true;
    if (typeof e.code === 'string' && TRANSIENT_CODES.has(e.code)) return true;
    const message = typeof e.message === 'string' ? e.message : '';
    if (/socket hang up|fetch failed|other side closed|ECONNRESET|network socket disconnected/i.test(message))
      return true;
  }
  return false;
}

export interface RetryOptions {
  /** Tries in all, the first included. */
  attempts?: number;
  /** First delay; doubles each time, with jitter, up to `maxDelayMs`. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  isRetryable?: (err: unknown) => boolean;
  sleep?: (ms: number) => Promise<void>;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Runs `fn` until it succeeds, retrying transient failures with exponential backoff. Only for idempotent calls. */
export async function withRetry<T>(fn: () => Promise<T>, opts: RetryOptions = {}): Promise<T> {
  const { attempts = 8, baseDelayMs = 100, maxDelayMs = 5_000, isRetryable = isTransient, sleep: wait = sleep } = opts;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (attempt >= attempts || !isRetryable(err)) throw err;
      const delay = Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1));
      await wait(delay / 2 + Math.random() * (delay / 2));
    }
  }
}

/** A BucketAdmin whose calls retry transient failures (the SDK itself does not retry unconditional PATCHes). */
export function retryingBucketAdmin(admin: BucketAdmin, opts: RetryOptions = {}): BucketAdmin {
  return {
    settings: (bucket) => withRetry(() => admin.settings(bucket), opts),
    patch: (bucket, patch, o) => withRetry(() => admin.patch(bucket, patch, o), opts),
    inventory: (bucket) => withRetry(() => admin.inventory(bucket), opts),
    isEmpty: (bucket) => withRetry(() => admin.isEmpty(bucket), opts),
    softDeleted: (bucket) => withRetry(() => admin.softDeleted(bucket), opts),
  };
}

/** A 404 from either SDK, directly or as the cause of a gwctl error. */
export function isNotFound(err: unknown): boolean {
  for (
    let e = err as { cause?: unknown; status?: unknown } | undefined, depth = 0;
    e && depth < 6;
    e = e.cause as typeof e, depth++
  ) {
    if (httpStatusOf(e) === 404) return true;
  }
  return false;
}
