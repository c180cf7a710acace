import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FaultInjector } from '../../src/common/faults.js';
import { startFirestoreTarget, type FirestoreTarget } from '../../src/testing/index.js';

describe('the Firestore emulator records and fails like the others', () => {
  let t: FirestoreTarget;
  beforeAll(async () => {
    t = await startFirestoreTarget();
  });
  afterAll(() => t.close());

  it('records every gRPC call with its method and status', async () => {
    await t.client.collection('keyev').doc('current_id').set({ value: 'abc' });
    await t.client.collection('keyev').doc('current_id').get();
    const calls = t.emulator.log.list({ service: 'firestore' });
    expect(calls.map((c) => c.path)).toEqual(
      expect.arrayContaining([
        '/google.firestore.v1.Firestore/Commit',
        '/google.firestore.v1.Firestore/BatchGetDocuments',
      ]),
    );
    expect(calls.every((c) => c.status === 0 && c.method === 'POST')).toBe(true);
  });

  it('answers a missing document read without error', async () => {
    expect((await t.client.collection('keyev').doc('missing').get()).exists).toBe(false);
  });

  it('injects RESOURCE_EXHAUSTED, UNAVAILABLE and dropped connections, which the client retries', async () => {
    const random = t.emulator.faults as unknown as { random: () => number };
    for (const [kind, rate] of [
      ['429', 'p429'],
      ['503', 'p503'],
      ['reset', 'pReset'],
    ] as const) {
      let calls = 0;
      // The first call of each round fails on purpose; the client's retry must then succeed.
      random.random = () => (calls++ === 0 ? 0 : 0.99);
      t.emulator.faults.set({ [rate]: 0.5 });
      await t.client.collection('faulty').doc(kind).set({ value: kind });
      t.emulator.faults.set({});
      expect((await t.client.collection('faulty').doc(kind).get()).data()).toEqual({ value: kind });
    }
    const faults = t.emulator.log.list({ service: 'firestore' }).filter((c) => c.fault);
    expect(faults.map((f) => [f.fault, f.status])).toEqual([
      ['429', 8],
      ['503', 14],
      ['reset', 14],
    ]);
  });

  it('is a FaultInjector like the other emulators have', () => {
    expect(t.emulator.faults).toBeInstanceOf(FaultInjector);
  });
});
