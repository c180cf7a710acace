import { describe, expect, it } from 'vitest';
import {
  appendToBundles,
  decodeEntryBundle,
  encodeEntryBundle,
  MAX_ENTRY_SIZE,
} from '../../src/lib/tlog/entry-bundle.js';
import { entryBundlePath } from '../../src/lib/tlog/tile-paths.js';
import { hex, mapReader, prng, sha256hex, TESSERA_ENTRIES, TESSERA_SHA256 } from './helpers.js';

const u64 = (i: number) => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(BigInt(i));
  return b;
};

describe('entry bundles', () => {
  // github.com/transparency-dev/tessera testdata/log/tile/entries/000.p/<n>, after each of the 15 appends, given as
  // SHA-256 digests (see helpers.ts): equal digests, equal bytes.
  it('match the tessera test log byte for byte', () => {
    for (let n = 1; n <= 15; n++) {
      const bundle = encodeEntryBundle(TESSERA_ENTRIES.slice(0, n).map((e) => Buffer.from(e)));
      expect(sha256hex(bundle), entryBundlePath(0, n)).toBe(TESSERA_SHA256.get(entryBundlePath(0, n)));
      expect(decodeEntryBundle(bundle, n).map((e) => Buffer.from(e).toString())).toEqual(TESSERA_ENTRIES.slice(0, n));
    }
  });

  // github.com/florolf/tlog-scales tests/test_writer.py: test_single_entry (length prefix + raw bytes) and
  // test_many_entries (SHA-256 of the bundles of entries i.to_bytes(8), i < 500, "validated by tessera/tlog_fsck").
  it('match tlog-scales', () => {
    expect(hex(encodeEntryBundle([Buffer.from('hello')]))).toBe(`0005${Buffer.from('hello').toString('hex')}`);
    const entries = Array.from({ length: 500 }, (_, i) => u64(i));
    expect(sha256hex(encodeEntryBundle(entries.slice(0, 256)))).toBe(
      'f4bae1960a3cedc6303230167918d50a56329bea77c58fbc22445dc195b60774',
    );
    expect(sha256hex(encodeEntryBundle(entries.slice(256)))).toBe(
      'b3276e3f675ec36fb28d8c09e4566a1b3038681d968af0e13fce8c9904ef1c45',
    );
  });

  // github.com/transparency-dev/tessera api/state_test.go TestLeafBundle_UnmarshalText
  it('parses like tessera', () => {
    expect(decodeEntryBundle(new Uint8Array())).toEqual([]); // "no data"
    expect(() => decodeEntryBundle(Uint8Array.of(0x0, 0x02, 0x61))).toThrow(/truncated/); // "insufficient data"
    expect(decodeEntryBundle(Uint8Array.of(0x0, 0x0, 0x0, 0x1, 0x61, 0x0, 0x0)).map(hex)).toEqual(['', '61', '']); // "empty nodes"
    expect(() => decodeEntryBundle(Uint8Array.of(0x1))).toThrow(/truncated/); // "insufficient integer bytes"
  });

  it('rejects malformed bundles', () => {
    const two = encodeEntryBundle([Buffer.from('a'), Buffer.from('bc')]);
    expect(decodeEntryBundle(two, 2)).toHaveLength(2);
    expect(() => decodeEntryBundle(two.subarray(0, two.length - 1), 2)).toThrow(/truncated/); // data cut
    expect(() => decodeEntryBundle(two.subarray(0, 4), 2)).toThrow(/truncated/); // length prefix cut
    expect(() => decodeEntryBundle(Buffer.concat([two, Uint8Array.of(0)]), 2)).toThrow(/1 bytes after its 2 entries/); // trailing bytes
    expect(() => decodeEntryBundle(Buffer.concat([two, Uint8Array.of(0, 0)]), 2)).toThrow(/after its 2 entries/); // a whole extra entry
    expect(() => decodeEntryBundle(two, 3)).toThrow(/has 2 entries, want 3/);
    expect(decodeEntryBundle(new Uint8Array(512), 256)).toHaveLength(256); // 256 empty entries
    expect(() => decodeEntryBundle(new Uint8Array(514))).toThrow(/after its 256 entries/); // 257 empty entries
    expect(() => decodeEntryBundle(two, 0)).toThrow(RangeError);
  });

  it('refuses entries a uint16 cannot length', () => {
    expect(encodeEntryBundle([new Uint8Array(MAX_ENTRY_SIZE)])).toHaveLength(MAX_ENTRY_SIZE + 2);
    expect(() => encodeEntryBundle([new Uint8Array(MAX_ENTRY_SIZE + 1)])).toThrow(/exceeds 65535/);
    expect(() => encodeEntryBundle([])).toThrow(RangeError);
    expect(() => encodeEntryBundle(Array.from({ length: 257 }, () => new Uint8Array(1)))).toThrow(RangeError);
  });
});

describe('appendToBundles', () => {
  it('computed over many small appends equals bundles computed at once', async () => {
    const next = prng(0xb0d1e);
    const entries = Array.from({ length: 3000 }, (_, i) => u64(i).subarray(next(8)));
    const store = new Map<string, Uint8Array>();
    let size = 0;
    while (size < entries.length) {
      const batch = Math.min(entries.length - size, next(10) === 0 ? next(700) : 1 + next(40));
      for (const [path, data] of await appendToBundles(size, entries.slice(size, size + batch), mapReader(store)))
        store.set(path, data);
      size += batch;
    }
    for (let start = 0, index = 0; start < entries.length; start += 256, index++) {
      const bundle = entries.slice(start, start + 256);
      expect(hex(store.get(entryBundlePath(index, bundle.length))!)).toBe(hex(encodeEntryBundle(bundle)));
    }
  });

  it('rebuilds the tessera log one entry at a time', async () => {
    const store = new Map<string, Uint8Array>();
    for (let n = 0; n < 15; n++) {
      for (const [path, data] of await appendToBundles(n, [Buffer.from(TESSERA_ENTRIES[n]!)], mapReader(store)))
        store.set(path, data);
      const path = entryBundlePath(0, n + 1);
      expect(sha256hex(store.get(path)!), path).toBe(TESSERA_SHA256.get(path));
    }
  });
});
