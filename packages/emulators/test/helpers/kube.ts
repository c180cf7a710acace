import { ApiException } from '@kubernetes/client-node';
import { expect } from 'vitest';
import { statusOf } from '../../src/testing/index.js';

/** The `Status` a failed call carried, after checking its HTTP code (and reason, if given). */
export async function expectStatus(
  call: Promise<unknown>,
  code: number,
  reason?: string,
): Promise<{ message: string; reason: string; code: number; details?: Record<string, unknown> }> {
  const err = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, `expected HTTP ${code}, the call succeeded`).toBeInstanceOf(ApiException);
  const apiErr = err as ApiException<unknown>;
  expect(apiErr.code).toBe(code);
  const body = statusOf(apiErr);
  expect(body.kind).toBe('Status');
  if (reason) expect(body.reason).toBe(reason);
  return body;
}

/** Polls until `check` stops throwing (or returns true), for effects that land after a delay. */
export async function eventually<T>(check: () => Promise<T> | T, timeoutMs = 5_000, everyMs = 25): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const v = await check();
      if (v !== false) return v;
    } catch (err) {
      if (Date.now() > deadline) throw err;
    }
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
