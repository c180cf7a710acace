import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDocumentStore } from '../../src/lib/cloud/firestore.js';
import { startFirestoreTarget, type FirestoreTarget } from '@gwctl/emulators/testing';
import { testEnvironment } from '../helpers/migrate-env.js';

describe('openDocumentStore', () => {
  let t: FirestoreTarget;
  beforeAll(async () => {
    t = await startFirestoreTarget();
    await t.client.collection('keyev').doc('current_id').set({ value: '0abc' });
  });
  afterAll(() => t.close());

  const read = async (env: ReturnType<typeof testEnvironment>) => {
    const store = await openDocumentStore(env);
    try {
      return (await store.getAll('keyev', ['current_id'])).get('current_id')?.value;
    } finally {
      await store.close();
    }
  };

  it("uses the environment's emulator, even when FIRESTORE_EMULATOR_HOST points elsewhere", async () => {
    process.env.FIRESTORE_EMULATOR_HOST = '127.0.0.1:1';
    try {
      expect(await read(testEnvironment({ project: t.projectId, firestoreHost: t.host }))).toBe('0abc');
    } finally {
      delete process.env.FIRESTORE_EMULATOR_HOST;
    }
  });

  it('falls back to FIRESTORE_EMULATOR_HOST', async () => {
    process.env.FIRESTORE_EMULATOR_HOST = t.host;
    try {
      expect(await read(testEnvironment({ project: t.projectId }))).toBe('0abc');
    } finally {
      delete process.env.FIRESTORE_EMULATOR_HOST;
    }
  });
});
