import { randomBytes } from 'node:crypto';
import { Firestore } from '@google-cloud/firestore';
import { startFirestoreEmulator, type FirestoreEmulator } from '../firestore/index.js';

export interface FirestoreTarget {
  emulator: FirestoreEmulator;
  /** `127.0.0.1:<port>`, for `env.emulators.firestore`. */
  host: string;
  /** A project id unique to this test file. */
  projectId: string;
  /** A client on the emulator, for seeding and checking. */
  client: Firestore;
  close(): Promise<void>;
}

/** A fresh Firestore emulator and a real @google-cloud/firestore client talking to it over gRPC. */
export async function startFirestoreTarget(): Promise<FirestoreTarget> {
  const emulator = await startFirestoreEmulator();
  const projectId = `gwctl-test-${randomBytes(3).toString('hex')}`;
  const client = new Firestore({
    projectId,
    host: emulator.host,
    ssl: false,
    universeDomain: 'googleapis.com',
    customHeaders: { Authorization: 'Bearer owner' },
  });
  return {
    emulator,
    host: emulator.host,
    projectId,
    client,
    async close() {
      await client.terminate();
      await emulator.close();
    },
  };
}
