import { createSecureContext } from 'node:tls';
import { setTimeout as sleep } from 'node:timers/promises';
import { describeNetworkError, isConnectionLevel } from './network-errors.js';
import { summarize, type LatencySummary } from './percentiles.js';
import { ProbeFailure } from './probe-outcome.js';
import { timedRequest, type PhaseTimings } from './timed-request.js';

export const PARCEL_CONTENT_TYPE = 'application/vnd.awala.parcel';
/** Not a parcel: the gateway checks the countersignature first and a healthy one answers 401 at once. */
export const PROBE_BODY = Buffer.from('gwctl diagnose: unauthenticated probe, not a parcel\n');

export type HttpTarget = 'GET /' | 'POST /v1/parcels';

/** What a healthy gateway answers each probe with. */
export const EXPECTED_STATUS: Record<HttpTarget, number> = { 'GET /': 200, 'POST /v1/parcels': 401 };

export interface HttpSample {
  target: HttpTarget;
  startedAt: string;
  status?: number;
  /** `timeout`, or a network error code. */
  error?: string;
  timedOut: boolean;
  timings: PhaseTimings;
}

export interface HttpTargetSummary {
  target: HttpTarget;
  requests: number;
  /** Count per HTTP status, plus `timeout` and error codes for requests that got none. */
  statuses: Record<string, number>;
  timeouts: number;
  errors: number;
  /** Over requests that got a response; timed-out and failed ones are counted above instead. */
  latency: {
    dns?: LatencySummary;
    connect?: LatencySummary;
    tls?: LatencySummary;
    ttfb?: LatencySummary;
    total?: LatencySummary;
  };
}

export interface HttpProbeOptions {
  baseUrl: string;
  caPem?: string;
  /** Requests per target. */
  requests: number;
  /** Requests per second (open loop), or else… */
  rate?: number;
  /** …this many in flight at once (closed loop); 1 when neither is given. */
  concurrency?: number;
  timeoutMs: number;
  onSample?: (sample: HttpSample) => void;
}

export interface HttpProbeResult {
  baseUrl: string;
  timeoutMs: number;
  load: { rate: number } | { concurrency: number };
  targets: HttpTargetSummary[];
  samples: HttpSample[];
}

/**
 * `GET /` and an unauthenticated `POST /v1/parcels`, alternately, each on a new connection. The first request
 * runs alone: when it cannot connect at all (DNS, refused, TLS) the probe stops with that one reason.
 */
export async function probeHttp(opts: HttpProbeOptions): Promise<HttpProbeResult> {
  const base = new URL(opts.baseUrl);
  const secureContext =
    base.protocol === 'https:' ? createSecureContext(opts.caPem ? { ca: opts.caPem } : {}) : undefined;
  const jobs: HttpTarget[] = [];
  for (let i = 0; i < opts.requests; i++) jobs.push('GET /', 'POST /v1/parcels');
  const samples: HttpSample[] = [];

  const run = async (target: HttpTarget): Promise<HttpSample> => {
    const post = target === 'POST /v1/parcels';
    const startedAt = new Date().toISOString();
    const answer = await timedRequest(new URL(post ? '/v1/parcels' : '/', base), {
      method: post ? 'POST' : 'GET',
      headers: { 'user-agent': 'gwctl-diagnose', ...(post ? { 'content-type': PARCEL_CONTENT_TYPE } : {}) },
      ...(post ? { body: PROBE_BODY } : {}),
      secureContext,
      timeoutMs: opts.timeoutMs,
    });
    const sample: HttpSample = {
      target,
      startedAt,
      ...(answer.status !== undefined && !answer.timedOut ? { status: answer.status } : {}),
      ...(answer.errorCode ? { error: answer.errorCode } : {}),
      timedOut: answer.timedOut,
      timings: answer.timings,
    };
    samples.push(sample);
    opts.onSample?.(sample);
    if (samples.length === 1 && answer.error && isConnectionLevel(answer.errorCode)) {
      throw new ProbeFailure(describeNetworkError(answer.error, opts.baseUrl), samples);
    }
    return sample;
  };

  await run(jobs.shift()!);
  if (opts.rate) await openLoop(jobs, opts.rate, run);
  else await closedLoop(jobs, opts.concurrency ?? 1, run);

  return {
    baseUrl: opts.baseUrl,
    timeoutMs: opts.timeoutMs,
    load: opts.rate ? { rate: opts.rate } : { concurrency: opts.concurrency ?? 1 },
    targets: (['GET /', 'POST /v1/parcels'] as const).map((t) => summarizeTarget(t, samples)),
    samples,
  };
}

/** Starts a request every 1/rate s whether or not earlier ones finished, as real clients arrive. */
async function openLoop<T>(jobs: T[], rate: number, run: (job: T) => Promise<unknown>): Promise<void> {
  const started = performance.now();
  const inFlight: Promise<unknown>[] = [];
  for (let i = 0; i < jobs.length; i++) {
    const due = ((i + 1) * 1000) / rate - (performance.now() - started);
    if (due > 0) await sleep(due);
    inFlight.push(run(jobs[i]!));
  }
  await Promise.all(inFlight);
}

async function closedLoop<T>(jobs: T[], concurrency: number, run: (job: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) await run(jobs[next++]!);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, jobs.length)) }, worker));
}

export function summarizeTarget(target: HttpTarget, all: readonly HttpSample[]): HttpTargetSummary {
  const samples = all.filter((s) => s.target === target);
  const answered = samples.filter((s) => s.status !== undefined);
  const statuses: Record<string, number> = {};
  for (const s of samples) {
    const key = s.status !== undefined ? String(s.status) : (s.error ?? 'error');
    statuses[key] = (statuses[key] ?? 0) + 1;
  }
  const phase = (get: (t: PhaseTimings) => number | undefined) =>
    summarize(answered.map((s) => get(s.timings)).filter((v): v is number => v !== undefined));
  return {
    target,
    requests: samples.length,
    statuses,
    timeouts: samples.filter((s) => s.timedOut).length,
    errors: samples.filter((s) => s.status === undefined && !s.timedOut).length,
    latency: {
      dns: phase((t) => t.dnsMs),
      connect: phase((t) => t.connectMs),
      tls: phase((t) => t.tlsMs),
      ttfb: phase((t) => t.ttfbMs),
      total: phase((t) => t.totalMs),
    },
  };
}
