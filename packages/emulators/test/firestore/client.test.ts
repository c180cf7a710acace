import { Timestamp } from '@google-cloud/firestore';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFirestoreTarget, type FirestoreTarget } from '../../src/testing/index.js';

describe('@google-cloud/firestore against the Firestore emulator', () => {
  let t: FirestoreTarget;
  beforeAll(async () => {
    t = await startFirestoreTarget();
  });
  afterAll(() => t.close());

  it('binds 127.0.0.1 on an OS-picked port', () => {
    expect(t.host).toMatch(/^127\.0\.0\.1:\d+$/);
  });

  it('round-trips bytes and timestamps exactly', async () => {
    const der = Buffer.from([0x30, 0x82, 0x00, 0xff, 0x10]);
    const expiry = new Date('2031-02-03T04:05:06.789Z');
    const ref = t.client.collection('certificationpaths').doc('65f0c0ffee0000000000abcd');
    await ref.set({ der, expiry, nested: { path: [der], at: expiry } });
    const data = (await ref.get()).data()!;
    expect(Buffer.from(data.der as Uint8Array)).toEqual(der);
    expect(data.expiry).toBeInstanceOf(Timestamp);
    expect((data.expiry as Timestamp).toDate().toISOString()).toBe(expiry.toISOString());
    expect(Buffer.from((data.nested as { path: Uint8Array[] }).path[0])).toEqual(der);
  });

  it('commits a batch and reads it back with getAll and a collection listing', async () => {
    const coll = t.client.collection('keyev');
    const batch = t.client.batch();
    for (const key of ['a', 'b', 'c']) batch.set(coll.doc(key), { value: key.toUpperCase(), updatedAt: new Date() });
    await batch.commit();
    const docs = await t.client.getAll(coll.doc('a'), coll.doc('c'), coll.doc('missing'));
    expect(docs.map((d) => (d.exists ? d.get('value') : null))).toEqual(['A', 'C', null]);
    const listed = await coll.get();
    expect(listed.docs.map((d) => d.id).sort()).toEqual(['a', 'b', 'c']);
    const one = await coll.where('value', '==', 'B').get();
    expect(one.docs.map((d) => d.id)).toEqual(['b']);
  });

  it('refuses create() over an existing document and deletes', async () => {
    const ref = t.client.collection('keyev').doc('a');
    await expect(ref.create({ value: 'again' })).rejects.toMatchObject({ code: 6 });
    await ref.delete();
    expect((await ref.get()).exists).toBe(false);
  });
});
