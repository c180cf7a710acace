import { createServer, type AddressInfo } from 'node:net';
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
 * calls are logged and can fail on purpose like every other emulator's. The library's `start()` cannot
 * report an OS-picked port, so we pick a free one first and retry if another process grabs it in between.
 */
export async function startFirestoreEmulator(
  opts: { port?: number; log?: RequestLog; faults?: FaultInjector } = {},
): Promise<FirestoreEmulator> {
  const { FirestoreServer } = await import('@firestore-emulator/server');
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const server = new FirestoreServer();
    try {
      await server.start(port);
    } catch (err) {
      if (attempt < 5 && /EADDRINUSE|address already in use/i.test(String((err as Error).message))) continue;
      throw err;
    }
    const recorder = await startGrpcRecorder({
      service: 'firestore',
      upstream: `http://127.0.0.1:${port}`,
      port: opts.port,
      log: opts.log,
      faults: opts.faults,
    });
    return {
      host: recorder.host,
      port: recorder.port,
      log: recorder.log,
      faults: recorder.faults,
      close: async () => {
        await recorder.close();
        await server.stop();
      },
    };
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}
