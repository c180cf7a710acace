import { describe, expect, it } from 'vitest';
import { splitIntoBatches } from '../../src/lib/migrate/batches.js';
import { firestoreDocumentSize, toFirestoreFields } from '../../src/lib/migrate/keystore-convert.js';

describe('keystore batches', () => {
  it('never exceed 500 writes', () => {
    const batches = splitIntoBatches(Array.from({ length: 1201 }, () => ({ bytes: 100 })));
    expect(batches.map((b) => b.length)).toEqual([500, 500, 201]);
  });

  it('never exceed the byte budget, even with fewer writes', () => {
    const batches = splitIntoBatches(Array.from({ length: 5 }, () => ({ bytes: 4 * 1024 * 1024 })));
    expect(batches.map((b) => b.length)).toEqual([2, 2, 1]);
  });

  it('sizes a document the way Firestore counts storage', () => {
    const fields = toFirestoreFields({
      _id: 'x',
      der: { _bsontype: 'Binary', buffer: new Uint8Array(1000), position: 1000 },
      name: 'abc',
    });
    // document name "certificationpaths" + "x" (18+1 + 1+1 + 16) + der (3+1+1000) + name (4+1+4) + 32
    expect(firestoreDocumentSize('certificationpaths', 'x', fields)).toBe(37 + 1004 + 9 + 32);
  });
});
