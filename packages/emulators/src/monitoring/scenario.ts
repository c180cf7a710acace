import type { LbRequest } from './lb-metrics.js';

/** Latency percentiles a scenario should show, in milliseconds. */
export interface LatencyQuantiles {
  p50: number;
  p90?: number;
  p95?: number;
  p99: number;
  max?: number;
}

/** Synthetic LB traffic, e.g. the incident: backend p99 200 ms while total p99 is 31 s. */
export interface LbTrafficScenario {
  /** Requests in the window. */
  requests: number;
  /** Spread over this much time up to now; default 1 h. */
  windowMs?: number;
  backendMs: LatencyQuantiles;
  totalMs: LatencyQuantiles;
  /** Share of requests per response code, e.g. `{ "401": 0.97, "502": 0.03 }`; default all 401 (unauthenticated deliveries). */
  responseCodes?: Record<string, number>;
}

/**
 * Requests whose latencies have exactly the scenario's percentiles: the i-th request sits at quantile
 * (i + ½)/n, interpolated between the given points. Deterministic, so tests can assert on it.
 */
export function scenarioRequests(s: LbTrafficScenario, now = Date.now()): LbRequest[] {
  const n = Math.max(0, Math.floor(s.requests));
  const windowMs = s.windowMs ?? 3_600_000;
  const codes = Object.entries(s.responseCodes ?? { 401: 1 });
  const totalShare = codes.reduce((sum, [, share]) => sum + share, 0) || 1;
  const requests: LbRequest[] = [];
  for (let i = 0; i < n; i++) {
    const q = (i + 0.5) / n;
    const backendMs = quantileAt(s.backendMs, q);
    // A permutation of the slots, so slow requests are spread over the window rather than all at its end.
    const slot = (i * 7919) % n;
    const code = codeAt(codes, totalShare, (slot + 0.5) / n);
    requests.push({
      time: new Date(now - windowMs + ((slot + 0.5) * windowMs) / n),
      totalMs: Math.max(quantileAt(s.totalMs, q), backendMs),
      ...(code === 0 ? {} : { backendMs }),
      responseCode: code,
    });
  }
  return requests;
}

/** Piecewise-linear through the given percentiles; below p50 it falls to half of p50, above the last it stays. */
export function quantileAt(q: LatencyQuantiles, at: number): number {
  const points: Array<[number, number]> = [
    [0, q.p50 / 2],
    [0.5, q.p50],
  ];
  if (q.p90 !== undefined) points.push([0.9, q.p90]);
  if (q.p95 !== undefined) points.push([0.95, q.p95]);
  points.push([0.99, q.p99], [1, q.max ?? q.p99]);
  for (let i = 1; i < points.length; i++) {
    const [q1, v1] = points[i]!;
    const [q0, v0] = points[i - 1]!;
    if (at <= q1) return v0 + ((v1 - v0) * (at - q0)) / (q1 - q0);
  }
  return points[points.length - 1]![1];
}

function codeAt(codes: Array<[string, number]>, total: number, at: number): number {
  let cumulative = 0;
  for (const [code, share] of codes) {
    cumulative += share / total;
    if (at <= cumulative) return Number(code);
  }
  return Number(codes[codes.length - 1]?.[0] ?? 401);
}
