import { createServer, type AddressInfo } from 'node:net';

export interface FirestoreEmulator {
  /** `127.0.0.1:<port>`: what FIRESTORE_EMULATOR_HOST and `env.emulators.firestore` take. */
  host: string;
  port: number;
  close(): Promise<void>;
}

/**
 * Starts `@firestore-emulator/server` (Firestore's gRPC API, in memory). Its `start()` cannot report an
 * OS-picked port, so we pick a free one first and retry if another process grabs it in between.
 */
export async function startFirestoreEmulator(opts: { port?: number } = {}): Promise<FirestoreEmulator> {
  const { FirestoreServer } = await import('@firestore-emulator/server');
  for (let attempt = 1; ; attempt++) {
    const port = opts.port || (await freePort());
    const server = new FirestoreServer();
    try {
      await server.start(port);
    } catch (err) {
      if (!opts.port && attempt < 5 && /EADDRINUSE|address already in use/i.test(String((err as Error).message))) continue;
      throw err;
    }
    return {
      host: `127.0.0.1:${port}`,
      port,
      close: async () => server.stop(),
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
