import * as grpc from '@grpc/grpc-js';
import { fromJSON } from '@grpc/proto-loader';
import { COGRPC_SERVICE, HEALTH_LOADER_OPTIONS, HEALTH_PROTO_JSON } from './health-proto.js';
import { ColdStartModel, type ColdStartConfig } from './cold-start.js';
import { listenOnLoopback } from '../common/grpc-listen.js';

export interface CogrpcStandInOptions {
  tls: { key: string; cert: string };
  coldStart?: Partial<ColdStartConfig>;
}

export interface CogrpcStandIn {
  /** `localhost:<port>` (listening on 127.0.0.1), as `env.endpoints.cogrpc`. */
  address: string;
  port: number;
  config(): ColdStartConfig;
  configure(patch: Partial<ColdStartConfig>): ColdStartConfig;
  scaleToZero(): void;
  /** Health checks answered, for tests. */
  calls: number;
  close(): Promise<void>;
}

export const defaultColdStart = (): ColdStartConfig => ({ coldStartMs: 0, idleMs: 15 * 60_000 });

/** The CogRPC service's gRPC health endpoint over TLS, with a configurable scale-to-zero cold start. */
export async function startCogrpcStandIn(opts: CogrpcStandInOptions): Promise<CogrpcStandIn> {
  const model = new ColdStartModel({ ...defaultColdStart(), ...opts.coldStart });
  const definition = grpc.loadPackageDefinition(
    fromJSON(HEALTH_PROTO_JSON as Parameters<typeof fromJSON>[0], HEALTH_LOADER_OPTIONS),
  ) as unknown as {
    grpc: { health: { v1: { Health: { service: grpc.ServiceDefinition } } } };
  };
  const server = new grpc.Server();
  const handle = { calls: 0 };
  server.addService(definition.grpc.health.v1.Health.service, {
    Check: (call: grpc.ServerUnaryCall<{ service: string }, unknown>, callback: grpc.sendUnaryData<unknown>) => {
      void model.admit().then(() => {
        handle.calls += 1;
        const service = call.request.service;
        // As grpc's reference health service: unknown services are NOT_FOUND, not a status.
        if (service !== '' && service !== COGRPC_SERVICE) {
          callback({ code: grpc.status.NOT_FOUND, details: `unknown service ${service}` });
          return;
        }
        callback(null, { status: 'SERVING' });
      });
    },
    Watch: (call: grpc.ServerWritableStream<unknown, unknown>) => {
      call.emit('error', { code: grpc.status.UNIMPLEMENTED, details: 'Watch is not implemented by the stand-in' });
    },
  });
  const credentials = grpc.ServerCredentials.createSsl(
    null,
    [{ private_key: Buffer.from(opts.tls.key), cert_chain: Buffer.from(opts.tls.cert) }],
    false,
  );
  const port = await listenOnLoopback(server, credentials);
  return {
    // A name rather than the IP: TLS clients may not send an IP as SNI (Node warns, DEP0123); the cert covers both.
    address: `localhost:${port}`,
    port,
    config: () => model.config,
    configure: (patch) => model.configure(patch),
    scaleToZero: () => model.scaleToZero(),
    get calls() {
      return handle.calls;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.tryShutdown(() => resolve());
        // Calls still waiting on a cold start would hold tryShutdown open.
        setTimeout(() => server.forceShutdown(), 200).unref();
      }),
  };
}
