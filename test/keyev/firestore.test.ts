import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/lib/errors/gwctl-error.js';
import { openKeyev, type KeyevStore } from '../../src/lib/keyev/index.js';
import { startFirestoreTarget, type FirestoreTarget } from '@gwctl/emulators/testing';
import { testEnvironment } from '../helpers/migrate-env.js';

describe('keyev on Firestore', () => {
  let fs: FirestoreTarget;
  let keyev: KeyevStore;
  beforeAll(async () => {
    fs = await startFirestoreTarget();
    keyev = await openKeyev(
      testEnvironment({ project: fs.projectId, firestoreHost: fs.host, keyev: { collection: 'keyev' } }),
    );
  });
  afterAll(async () => {
    await keyev.close();
    await fs.close();
  });

  it('sets, gets, lists and deletes string values', async () => {
    expect(keyev.backend).toBe('firestore');
    await keyev.set('current_id', '0b5f1c');
    await keyev.setMany(
      new Map([
        ['a', '1'],
        ['b', '2'],
      ]),
    );
    expect(await keyev.get('current_id')).toBe('0b5f1c');
    expect(await keyev.get('missing')).toBeUndefined();
    expect(Object.fromEntries(await keyev.list())).toEqual({ current_id: '0b5f1c', a: '1', b: '2' });
    expect(await keyev.delete('a')).toBe(true);
    expect(await keyev.delete('a')).toBe(false);
    expect([...(await keyev.list()).keys()].sort()).toEqual(['b', 'current_id']);
  });

  it('stores one document per key with value and updatedAt, as the gateway reads them', async () => {
    const snap = await fs.client.collection('keyev').doc('current_id').get();
    expect(snap.get('value')).toBe('0b5f1c');
    expect(snap.get('updatedAt').toDate()).toBeInstanceOf(Date);
  });

  it('refuses a key Firestore cannot use as a document id, rather than rewriting it', async () => {
    await expect(keyev.set('a/b', 'x')).rejects.toThrow(UsageError);
    await expect(keyev.set('a/b', 'x')).rejects.toThrow(/"a\/b".*cannot contain '\/'/);
    expect(keyev.keyProblem('__reserved__')).toMatch(/reserves/);
  });
});
