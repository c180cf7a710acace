import { createRequire } from 'node:module';
import type { Server, ServerCredentials } from '@grpc/grpc-js';
import type { FaultInjector } from '../common/faults.js';
import { startGrpcRecorder } from '../common/grpc-recorder.js';
import type { RequestLog } from '../common/request-log.js';

export interface FirestoreEmulator {
  /** `127.0.0.1:<port>`: what FIRESTORE_EMULATOR_HOST and `env.emulators.firestore` take. */
  host: string;
  port: number;
  log: RequestLog;
  faults: FaultInjector;
  close(): Promise<void>;
}

/**
 * Starts `@firestore-emulator/server` (Firestore's gRPC API, in memory) behind our gRPC recorder, so its
 * calls are logged and can fail on purpose like every other emulator's.
 */
export async function startFirestoreEmulator(
  opts: { port?: number; log?: RequestLog; faults?: FaultInjector } = {},
): Promise<FirestoreEmulator> {
  const { FirestoreServer } = await import('@firestore-emulator/server');
  const server = new FirestoreServer();
  const port = await bindLoopback(server);
  const recorder = await startGrpcRecorder({
    service: 'firestore',
    upstream: `http://127.0.0.1:${port}`,
    port: opts.port,
    log: opts.log,
    faults: opts.faults,
  }).catch((err: unknown) => {
    server.stop();
    throw err;
  });
  return {
    host: recorder.host,
    port: recorder.port,
    log: recorder.log,
    faults: recorder.faults,
    close: async () => {
      await recorder.close();
      server.stop();
    },
  };
}

/**
 * The library's own `start(port)` binds `0.0.0.0`: every interface, so anyone on the network could read
 * the sandbox's keys around the recorder (and its request log). We bind its gRPC server ourselves, on
 * 127.0.0.1 and a port the OS picks, with the credentials class of the grpc-js copy the library uses
 * (grpc-js checks `instanceof`).
 */
async function bindLoopback(firestore: object): Promise<number> {
  const grpc = (firestore as { server?: Server }).server;
  if (typeof grpc?.bindAsync !== 'function')
    throw new Error('@firestore-emulator/server no longer keeps its gRPC server in `.server`; see firestore/server.ts');
  const libraryRequire = createRequire(createRequire(import.meta.url).resolve('@firestore-emulator/server'));
  const { ServerCredentials: Credentials } = libraryRequire('@grpc/grpc-js') as {
    ServerCredentials: typeof ServerCredentials;
  };
  return new Promise((resolve, reject) =>
    grpc.bindAsync('127.0.0.1:0', Credentials.createInsecure(), (err, port) => (err ? reject(err) : resolve(port))),
  );
}
