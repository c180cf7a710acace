import { COGRPC_SERVICE, type ServingStatus } from '../cloud/grpc-health-proto.js';
import type { CogrpcHealthClient } from '../cloud/cogrpc-health.js';
import { median } from './percentiles.js';
import { ProbeFailure } from './probe-outcome.js';

export interface CogrpcCall {
  ms: number;
  status: ServingStatus;
}

export interface CogrpcProbeResult {
  address: string;
  service: string;
  /** TCP + TLS + HTTP/2 setup, before any call, so it does not count as a cold start. */
  connectMs: number;
  firstCall: CogrpcCall;
  warmCalls: CogrpcCall[];
  warmMedianMs: number;
}

export interface CogrpcProbeOptions {
  address: string;
  warmCalls: number;
  /** Per call; long enough to see a cold start through (they take ~15 s). */
  deadlineMs: number;
  /** Opened beforehand; closed here. */
  client: CogrpcHealthClient;
}

/** Health-checks CogRPC once and then a few more times: a first call far slower than the rest is a cold start. */
export async function probeCogrpc(opts: CogrpcProbeOptions): Promise<CogrpcProbeResult> {
  const { client } = opts;
  const fail = (err: unknown): never => {
    throw new ProbeFailure(`${opts.address}: ${(err as Error).message}`);
  };
  try {
    const connectMs = await client.connect(opts.deadlineMs).catch(fail);
    const firstCall = await client.check(COGRPC_SERVICE, opts.deadlineMs).catch(fail);
    const warmCalls: CogrpcCall[] = [];
    for (let i = 0; i < opts.warmCalls; i++)
      warmCalls.push(await client.check(COGRPC_SERVICE, opts.deadlineMs).catch(fail));
    return {
      address: opts.address,
      service: COGRPC_SERVICE,
      connectMs,
      firstCall,
      warmCalls,
      warmMedianMs: median(warmCalls.map((c) => c.ms)) ?? firstCall.ms,
    };
  } finally {
    client.close();
  }
}
