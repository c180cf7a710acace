import * as grpc from '@grpc/grpc-js';

/**
 * Binds a gRPC server to an OS-picked port on loopback only (never 0.0.0.0: the sandbox's data stays on this
 * machine), insecure unless credentials are given, and resolves with the port.
 */
export function listenOnLoopback(
  server: Pick<grpc.Server, 'bindAsync'>,
  credentials: grpc.ServerCredentials = grpc.ServerCredentials.createInsecure(),
): Promise<number> {
  return new Promise((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', credentials, (err, port) => (err ? reject(err) : resolve(port))),
  );
}
