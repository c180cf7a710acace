import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FirestoreDouble, type DocumentStore } from '../../src/lib/cloud/document-store.js';
import { openDocumentStore } from '../../src/lib/cloud/firestore.js';
import { ratesFromProbability } from '@gwctl/emulators/common';
import { startFirestoreTarget, type FirestoreTarget } from '@gwctl/emulators/testing';
import { testEnvironment } from '../helpers/migrate-env.js';

/**
 * Firestore calls are retried in one layer, gwctl's (the client library's own retries are off): reads, and
 * commits of whole-document sets, which land the same when repeated. Waits are recorded, not slept.
 */
describe('Firestore calls under injected faults', () => {
  let t: FirestoreTarget;
  let store: DocumentStore;
  const waits: number[] = [];
  beforeAll(async () => {
    t = await startFirestoreTarget();
    store = await openDocumentStore(testEnvironment({ project: t.projectId, firestoreHost: t.host }), {
      retry: { sleep: async (ms) => void waits.push(ms) },
    });
  });
  afterEach(() => t.emulator.faults.set({}));
  afterAll(async () => {
    await store.close();
    await t.close();
  });

  const calls = (from: number, method: string) =>
    t.emulator.log.entries.slice(from).filter((r) => r.path === `/google.firestore.v1.Firestore/${method}`);

  it('a commit answered UNAVAILABLE every time is tried 8 times, not the library’s tries times ours', async () => {
    t.emulator.faults.set({ p503: 1 });
    const from = t.emulator.log.entries.length;
    await expect(store.commit([{ collection: 'keys', id: 'k1', data: { v: 1 } }])).rejects.toThrow(
      /^cannot write 1 document\(s\) in Firestore .*gave up after 8 tries/,
    );
    expect(calls(from, 'Commit')).toHaveLength(8);
  });

  it('under 30 % faults (throttling, unavailability, dropped connections) writes and reads all land once', async () => {
    t.emulator.faults.set(ratesFromProbability(0.3));
    const from = t.emulator.log.entries.length;
    for (let i = 0; i < 10; i++)
      await store.commit([{ collection: 'keys', id: `k${i}`, data: { n: i, ratio: new FirestoreDouble(i) } }]);
    const listed = await store.list('keys');
    const got = await store.getAll('keys', ['k0', 'k9', 'missing']);
    t.emulator.faults.set({});
    expect([...listed.keys()].sort()).toEqual(Array.from({ length: 10 }, (_, i) => `k${i}`).sort());
    expect(listed.get('k3')).toEqual({ n: 3, ratio: new FirestoreDouble(3) });
    expect([...got.keys()].sort()).toEqual(['k0', 'k9']);
    expect(t.emulator.log.entries.slice(from).some((r) => r.fault)).toBe(true);
  });
});
