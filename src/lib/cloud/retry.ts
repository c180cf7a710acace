import { setTimeout as sleep } from 'node:timers/promises';
import { UsageError } from '../errors/gwctl-error.js';
import { formatDuration, parseDuration } from '../ui/duration.js';
import { httpStatusOf } from './gcs-errors.js';

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

/** How long one call may keep retrying when GWCTL_RETRY_DEADLINE is not set. */
export const DEFAULT_RETRY_DEADLINE_MS = 60_000;

/**
 * The total time one call may spend on retries, from `GWCTL_RETRY_DEADLINE`: a duration (`90s`, `2m`,
 * `500ms`) or plain seconds; `0` turns retries off. A value that is neither is a usage error, not a default.
 */
export function retryDeadlineMs(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.GWCTL_RETRY_DEADLINE?.trim();
  if (!raw) return DEFAULT_RETRY_DEADLINE_MS;
  const ms = /^\d+(\.\d+)?$/.test(raw) ? Number(raw) * 1000 : parseDuration(raw);
  if (ms === undefined)
    throw new UsageError(
      `GWCTL_RETRY_DEADLINE=${JSON.stringify(raw)} is not a duration; use e.g. 60s, 2m or 500ms (0 turns retries off)`,
    );
  return ms;
}

/**
 * The wait a 429/503 asked for in its `Retry-After` header (delta-seconds or an HTTP date), in ms;
 * undefined when there is none. Looks through `cause`, and at the SDK's (`response.headers`) and
 * JsonTransport's (`retryAfter`) shapes alike.
 */
export function retryAfterMs(err: unknown, now = Date.now()): number | undefined {
  for (
    let e = err as { cause?: unknown; retryAfter?: unknown; response?: { headers?: unknown } } | undefined, depth = 0;
    e && depth < 6;
    e = e.cause as typeof e, depth++
  ) {
    const headers = e.response?.headers as { get?: (k: string) => unknown; [k: string]: unknown } | undefined;
    const raw =
      e.retryAfter ?? (typeof headers?.get === 'function' ? headers.get('retry-after') : headers?.['retry-after']);
    if (typeof raw !== 'string' || !raw.trim()) continue;
    const value = raw.trim();
    if (/^\d+$/.test(value)) return Number(value) * 1000;
    const at = Date.parse(value);
    if (!Number.isNaN(at)) return Math.max(0, at - now);
  }
  return undefined;
}

export interface RetryOptions {
  /** Tries in all, the first included. */
  attempts?: number;
  /** Total time from the first try after which no further try starts (default: `retryDeadlineMs()`). */
  deadlineMs?: number;
  /** Backoff ceiling of the first retry; doubles each time up to `maxDelayMs`, the wait drawn at random below it. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  isRetryable?: (err: unknown) => boolean;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

/**
 * Runs `fn` until it succeeds, retrying transient failures: exponential backoff with full jitter, or the
 * wait a `Retry-After` header asks for. It gives up at `attempts` tries, or as soon as the next wait would
 * end past the total deadline (so a 1-hour Retry-After fails at once instead of hanging). Only for calls
 * that are idempotent or guarded by a precondition. Each call path has this one layer of retries: the
 * SDKs' own retries are off (see storage.ts, mongo.ts, firestore.ts), so tries never multiply.
 */
export async function withRetry<T>(fn: () => Promise<T>, opts: RetryOptions = {}): Promise<T> {
  const {
    attempts = 8,
    baseDelayMs = 100,
    maxDelayMs = 5_000,
    isRetryable = isTransient,
    sleep: wait = sleep,
    now = Date.now,
  } = opts;
  const deadlineMs = opts.deadlineMs ?? retryDeadlineMs();
  const started = now();
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (!isRetryable(err)) throw err;
      const elapsed = now() - started;
      const asked = retryAfterMs(err);
      const delay = asked ?? Math.random() * Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1));
      if (attempt >= attempts) throw gaveUp(err, `gave up after ${attempt} tries in ${formatDuration(elapsed)}`);
      if (elapsed + delay >= deadlineMs)
        throw gaveUp(
          err,
          deadlineMs <= 0
            ? 'not retried: GWCTL_RETRY_DEADLINE=0 turns retries off'
            : asked !== undefined && attempt === 1
              ? `the service asked to retry in ${formatDuration(asked)}, past the ${formatDuration(deadlineMs)} retry deadline (GWCTL_RETRY_DEADLINE)`
              : `gave up after ${attempt} ${attempt === 1 ? 'try' : 'tries'} in ${formatDuration(elapsed)}: the ${formatDuration(deadlineMs)} retry deadline (GWCTL_RETRY_DEADLINE)`,
        );
      await wait(delay);
    }
  }
}

/** The last error, its first line saying why it was not tried again (the SDK's status and cause stay as they were). */
function gaveUp(err: unknown, why: string): unknown {
  if (!(err instanceof Error)) return err;
  const [first, ...rest] = err.message.split('\n');
  err.message = [`${first} (${why})`, ...rest].join('\n');
  return err;
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
