import { setTimeout as sleep } from 'node:timers/promises';

/** How long a hop takes: a fixed part, uniform jitter, and a share of requests that stall (the real incident). */
export interface LatencyProfile {
  latencyMs?: number;
  jitterMs?: number;
  /** Share of requests (0–1) that take `stallMs` instead. */
  stallFraction?: number;
  /** Defaults to 31 s: just past GCP's default 30 s backend service timeout. */
  stallMs?: number;
}

export const DEFAULT_STALL_MS = 31_000;

export function drawDelayMs(profile: LatencyProfile, random: () => number = Math.random): number {
  const { latencyMs = 0, jitterMs = 0, stallFraction = 0, stallMs = DEFAULT_STALL_MS } = profile;
  if (stallFraction > 0 && random() < stallFraction) return stallMs;
  return latencyMs + (jitterMs > 0 ? random() * jitterMs : 0);
}

/** Waits for a drawn delay; resolves early (false) when `signal` aborts, e.g. the client went away. */
export async function delay(ms: number, signal?: AbortSignal): Promise<boolean> {
  if (ms <= 0) return true;
  try {
    await sleep(ms, undefined, signal ? { signal } : undefined);
    return true;
  } catch {
    return false;
  }
}
