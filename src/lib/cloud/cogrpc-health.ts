import type * as Grpc from '@grpc/grpc-js';
import { HEALTH_LOADER_OPTIONS, HEALTH_PROTO_JSON, type ServingStatus } from './grpc-health-proto.js';

export interface HealthCheckAnswer {
  status: ServingStatus;
  ms: number;
}

/** A gRPC health client for one CogRPC endpoint; no gRPC type leaks out. */
export interface CogrpcHealthClient {
  /** Opens the channel (TCP, TLS, HTTP/2) without a call, so the first call's time is the service's own. */
  connect(deadlineMs: number): Promise<number>;
  check(service: string, deadlineMs: number): Promise<HealthCheckAnswer>;
  close(): void;
}

/** A failed call, with the gRPC status name (`UNAVAILABLE`, `DEADLINE_EXCEEDED`, …). */
export class GrpcCallError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'GrpcCallError';
  }
}

type HealthStub = Grpc.Client & {
  Check(
    request: { service: string },
    options: Grpc.CallOptions,
    callback: (err: Grpc.ServiceError | null, answer?: { status: ServingStatus }) => void,
  ): void;
};

/**
 * Connects to `address` (host:port) over TLS, trusting `caPem` when given (a private or local CA), the system
 * roots otherwise. gRPC is loaded here, on first use, so other commands never pay for it.
 */
export async function openCogrpcHealth(opts: { address: string; caPem?: string }): Promise<CogrpcHealthClient> {
  const grpc = await import('@grpc/grpc-js');
  const { fromJSON } = await import('@grpc/proto-loader');
  const definition = grpc.loadPackageDefinition(
    fromJSON(HEALTH_PROTO_JSON as Parameters<typeof fromJSON>[0], HEALTH_LOADER_OPTIONS),
  ) as unknown as {
    grpc: { health: { v1: { Health: new (...args: ConstructorParameters<typeof Grpc.Client>) => HealthStub } } };
  };
  const credentials = grpc.credentials.createSsl(opts.caPem ? Buffer.from(opts.caPem) : null);
  // A connection of its own: a shared one would hide connection setup from, or add it to, the timings.
  const client = new definition.grpc.health.v1.Health(opts.address, credentials, {
    'grpc.use_local_subchannel_pool': 1,
  });
  const deadline = (ms: number) => new Date(Date.now() + ms);

  const check = (service: string, deadlineMs: number) =>
    new Promise<HealthCheckAnswer>((resolve, reject) => {
      const started = performance.now();
      client.Check({ service }, { deadline: deadline(deadlineMs) }, (err, answer) => {
        if (err)
          return reject(
            new GrpcCallError(grpc.status[err.code] ?? String(err.code), cleanDetails(err.details || err.message)),
          );
        resolve({ status: answer?.status ?? 'UNKNOWN', ms: performance.now() - started });
      });
    });

  return {
    async connect(deadlineMs) {
      const started = performance.now();
      const channel = client.getChannel();
      const until = deadline(deadlineMs);
      // Stop at the first failed attempt instead of retrying until the deadline: one probe, one answer.
      for (
        let state = channel.getConnectivityState(true);
        state !== grpc.connectivityState.READY;
        state = channel.getConnectivityState(true)
      ) {
        if (state === grpc.connectivityState.TRANSIENT_FAILURE || state === grpc.connectivityState.SHUTDOWN) {
          // The channel only says it failed; a call that fails at once carries the reason (refused, TLS, DNS).
          throw await check('', 2000).then(
            () => new GrpcCallError('UNAVAILABLE', 'the channel failed to connect'),
            (err: GrpcCallError) => err,
          );
        }
        await new Promise<void>((resolve, reject) =>
          channel.watchConnectivityState(state, until, (err) =>
            err ? reject(new GrpcCallError('DEADLINE_EXCEEDED', `no connection within ${deadlineMs} ms`)) : resolve(),
          ),
        );
      }
      return performance.now() - started;
    },
    check,
    close: () => client.close(),
  };
}

/** "No connection established. Last error: Error: connect ECONNREFUSED 127.0.0.1:1. Resolution note: " → the cause. */
const cleanDetails = (details: string) =>
  details
    .replace(/^No connection established\. Last error: (Error: )?/, '')
    .replace(/\.? ?Resolution note:.*$/, '')
    .trim();
