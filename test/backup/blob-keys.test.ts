import { describe, expect, it } from 'vitest';
import { BlobKeyNumbers, BlobKeySet, PACKED_KEY_BYTES, packKey, unpackKey } from '../../src/lib/backup/blob-keys.js';
import { BlobIndex } from '../../src/lib/backup/catalog.js';
import { contentHashes } from '../../src/lib/backup/hashes.js';
import { blobKey } from '../../src/lib/backup/layout.js';

// Keys as layout.ts makes them: `<crc32c hex>-<md5 hex>-<size>`, or composite objects' `<crc32c>-composite-…`.
const keyOf = (content: string) => {
  const h = contentHashes(Buffer.from(content));
  return blobKey({ name: content, generation: '1', size: Buffer.byteLength(content), ...h });
};
/** Keys equal in their first `same` hex digits of crc32c + md5 (what the table hashes on), different after. */
const sharingPrefix = (n: number) =>
  Array.from({ length: n }, (_, i) => `0badcafe-00112233${i.toString(16).padStart(24, '0')}-${1000 + i}`);

describe('blob keys packed in 28 bytes', () => {
  it('give back the key they were made from, for every content address', () => {
    const buf = Buffer.alloc(PACKED_KEY_BYTES * 3);
    const keys = [keyOf('a'), keyOf(''), `ffffffff-${'f'.repeat(32)}-${Number.MAX_SAFE_INTEGER}`];
    keys.forEach((k, i) => expect(packKey(k, buf, i * PACKED_KEY_BYTES)).toBe(true));
    expect(keys.map((_, i) => unpackKey(buf, i * PACKED_KEY_BYTES))).toEqual(keys);
  });

  it('refuse keys whose string they would not give back, which stay strings', () => {
    const buf = Buffer.alloc(PACKED_KEY_BYTES);
    const composite = blobKey({ name: 'c', generation: '1', size: 1, crc32c: contentHashes(Buffer.from('c')).crc32c });
    for (const key of [
      composite,
      `0BADCAFE-${'0'.repeat(32)}-1`, // upper case
      `0badcafe-${'0'.repeat(32)}-01`, // leading zero
      `0badcafe-${'0'.repeat(32)}-`,
      `0badcafe-${'0'.repeat(32)}-1x`,
      `0badcafe-${'0'.repeat(32)}-${2 ** 53}`, // beyond a safe integer
      `0badcafe-${'0'.repeat(31)}g-1`,
      'not-a-key',
    ])
      expect(packKey(key, buf, 0), key).toBe(false);
  });
});

describe('a set of blob keys', () => {
  it('finds what was added, once, however many keys share the bytes it hashes on', () => {
    const set = new BlobKeySet();
    const keys = sharingPrefix(300);
    for (const k of keys) expect(set.add(k)).toBe(true);
    for (const k of keys) expect(set.add(k)).toBe(false);
    expect(set.size).toBe(300);
    for (const k of keys) expect(set.has(k)).toBe(true);
    expect(set.has(`0badcafe-00112233${'f'.repeat(24)}-1000`)).toBe(false);
    expect([...set].sort()).toEqual([...keys].sort());
  });

  it('grows past many thousands of keys and keeps composite keys as strings beside them', () => {
    const set = new BlobKeySet();
    const keys = Array.from({ length: 20_000 }, (_, i) => keyOf(`object ${i}`));
    const composite = `${keys[0]!.slice(0, 8)}-composite-${'a'.repeat(32)}-5`;
    for (const k of keys) set.add(k);
    expect(set.add(composite)).toBe(true);
    expect(set.add(composite)).toBe(false);
    expect(set.size).toBe(20_001);
    expect(keys.every((k) => set.has(k))).toBe(true);
    expect(set.has(composite)).toBe(true);
    expect(set.has(keyOf('never added'))).toBe(false);
  });
});

describe('the index of stored blobs, packed', () => {
  const sound = (key: string, generation: string) => {
    const [crc, md5, size] = key.split('-');
    return {
      generation,
      size: Number(size),
      crc32c: Buffer.from(crc!, 'hex').toString('base64'),
      md5: Buffer.from(md5!, 'hex').toString('base64'),
    };
  };

  it('looks each blob up by its key, among keys that share the bytes it hashes on', () => {
    const index = new BlobIndex();
    const keys = sharingPrefix(200);
    keys.forEach((k, i) => index.set(k, sound(k, String(1_700_000_000_000_000 + i))));
    expect(index.size).toBe(200);
    keys.forEach((k, i) => {
      expect(index.holds(k)).toBe(true);
      expect(index.get(k)).toEqual(sound(k, String(1_700_000_000_000_000 + i)));
    });
    expect(index.holds(`0badcafe-00112233${'e'.repeat(24)}-1000`)).toBe(false);
    expect(index.get(`0badcafe-00112233${'e'.repeat(24)}-1000`)).toBeUndefined();
  });

  it('keeps the last listing of a key: a blob listed again with other content is no longer held, and again when sound', () => {
    const index = new BlobIndex();
    const [k] = sharingPrefix(1);
    index.set(k!, sound(k!, '5'));
    index.set(k!, { ...sound(k!, '6'), size: 7 });
    expect(index.holds(k!)).toBe(false);
    expect(index.get(k!)).toMatchObject({ generation: '6', size: 7 });
    expect(index.size).toBe(1);
    index.set(k!, sound(k!, '8'));
    expect(index.holds(k!)).toBe(true);
    expect(index.get(k!)?.generation).toBe('8');
    expect(index.size).toBe(1);
  });

  it('keeps a generation too large for a float exactly, as a string', () => {
    const index = new BlobIndex();
    const [k] = sharingPrefix(1);
    index.set(k!, sound(k!, '9223372036854775807'));
    expect(index.holds(k!)).toBe(true);
    expect(index.get(k!)?.generation).toBe('9223372036854775807');
  });
});

describe('blob keys with a number each', () => {
  it('give each key its first number once, composite keys too, and name the numbers not taken', () => {
    const m = new BlobKeyNumbers();
    const composite = blobKey({ name: 'c', generation: '1', size: 1, crc32c: contentHashes(Buffer.from('c')).crc32c });
    const keys = Array.from({ length: 5000 }, (_, i) => keyOf(`content ${i}`));
    keys.forEach((k, n) => m.add(k, n));
    m.add(keys[0]!, 99_999); // a second object with the same content keeps the first's number
    m.add(composite, 7777);
    expect(m.size).toBe(5001);
    expect(m.take(keys[0]!)).toBe(0);
    expect(m.take(keys[0]!)).toBeUndefined();
    expect(m.take(keys[4999]!)).toBe(4999);
    expect(m.take(composite)).toBe(7777);
    expect(m.take(composite)).toBeUndefined();
    expect(m.take(keyOf('never added'))).toBeUndefined();
    expect([...m.left()]).toEqual(keys.map((_, n) => n).slice(1, 4999));
  });
});
