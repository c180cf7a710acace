import type * as grpc from '@grpc/grpc-js';
import type { FaultInjector } from './faults.js';
import { listenOnLoopback } from './grpc-listen.js';
import { startGrpcRecorder, type GrpcRecorder } from './grpc-recorder.js';
import type { RequestLog } from './request-log.js';

/**
 * Serves our own gRPC emulator the way clients see all of them: bound to loopback, behind the gRPC recorder (every
 * call logged as `service`, faults injected). What it returns is the recorder's endpoint; closing it stops both.
 */
export async function serveRecordedGrpc(
  server: grpc.Server,
  opts: { service: string; log?: RequestLog; faults?: FaultInjector },
): Promise<GrpcRecorder> {
  const port = await listenOnLoopback(server);
  const stop = () =>
    new Promise<void>((resolve) => {
      server.tryShutdown(() => resolve());
      setTimeout(() => server.forceShutdown(), 200).unref();
    });
  const recorder = await startGrpcRecorder({ ...opts, upstream: `http://127.0.0.1:${port}` }).catch(
    async (err: unknown) => {
      await stop();
      throw err;
    },
  );
  return {
    ...recorder,
    close: async () => {
      await recorder.close();
      await stop();
    },
  };
}
