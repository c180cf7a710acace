import type { ApiCall } from './api-call.js';
import { invalid } from './errors.js';

/** A request's JSON object body; an empty body, or `null` (Go's client sends it for a bare rewrite), reads as `{}` as GCS does. */
export async function readJsonBody(call: ApiCall): Promise<Record<string, unknown>> {
  return parseJsonObject(await call.body());
}

/**
 * `then(body)` on the request's JSON object body (as readJsonBody reads it): straight away when the
 * body came already read, so a call inside a batch is answered without a promise of its own.
 */
export function withJsonBody<T>(call: ApiCall, then: (body: Record<string, unknown>) => T): T | Promise<T> {
  return call.bodyRead ? then(parseJsonObject(call.bodyRead)) : readJsonBody(call).then(then);
}

export function parseJsonObject(raw: Buffer): Record<string, unknown> {
  if (raw.length === 0) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.toString('utf8'));
  } catch {
    throw invalid('Parse Error', 'parseError');
  }
  if (parsed === null) return {};
  if (typeof parsed !== 'object' || Array.isArray(parsed)) throw invalid('Parse Error', 'parseError');
  return parsed as Record<string, unknown>;
}
