import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFirestoreEmulator } from '../../src/firestore/index.js';
import { startGcsEmulator } from '../../src/gcs/index.js';
import { startKubeEmulator } from '../../src/kube/index.js';
import { startMongoEmulator } from '../../src/mongo/index.js';
import { startDiagnoseStandIns } from '../../src/stand-ins/index.js';
import { acceptsConnections, isLoopback, listeningSockets, networkAddresses } from '../../src/testing/index.js';

// The emulators hold a gateway's keys and Secrets with no authentication: only this machine may reach them.
describe('every emulator and stand-in listens on loopback only', () => {
  const closers: (() => Promise<void>)[] = [];
  beforeAll(async () => {
    for (const start of [
      () => startGcsEmulator(),
      () => startKubeEmulator(),
      () => startMongoEmulator(),
      () => startFirestoreEmulator(),
      () => startDiagnoseStandIns(),
    ])
      closers.push((await start()).close);
  });
  afterAll(async () => {
    for (const close of closers) await close();
  });

  it.runIf(process.platform === 'linux')(
    'binds no socket to a wildcard or external address (/proc/<pid>/net/tcp)',
    () => {
      const listeners = listeningSockets(process.pid);
      // gcs, kube, mongo, firestore (recorder + the library's server), poweb (LB + backend), cogrpc, monitoring.
      expect(listeners.length).toBeGreaterThanOrEqual(9);
      expect(listeners.filter((l) => !isLoopback(l.address))).toEqual([]);
    },
  );

  it.runIf(process.platform === 'linux')('cannot be reached through the host’s network interfaces', async () => {
    for (const address of networkAddresses())
      for (const { port } of listeningSockets(process.pid))
        expect(await acceptsConnections(address, port), `${address}:${port}`).toBe(false);
  });
});
