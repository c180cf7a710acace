import { describe, expect, it } from 'vitest';
import type { ObjectInfo } from '../../src/lib/cloud/object-store.js';
import { canonicalJson } from '../../src/lib/audit/record.js';
import { BlobIndex } from '../../src/lib/backup/catalog.js';
import { contentHashes } from '../../src/lib/backup/hashes.js';
import { blobKey } from '../../src/lib/backup/layout.js';
import {
  dropListed,
  entryOf,
  keyOf,
  lineBytesOf,
  lineOf,
  ListedObjects,
  replaceListed,
  sizeOf,
} from '../../src/lib/backup/listed-objects.js';
import { manifestEntry } from '../../src/lib/backup/manifest.js';

function object(name: string, content = name, extra: Partial<ObjectInfo> = {}): ObjectInfo {
  const h = contentHashes(Buffer.from(content));
  return {
    bucket: 'vault-bucket',
    name,
    generation: '1',
    size: Buffer.byteLength(content),
    md5: h.md5,
    crc32c: h.crc32c,
    created: '',
    updated: '',
    contentType: 'text/plain',
    metadata: { 'vault-entry': name },
    ...extra,
  };
}

const names = (l: ListedObjects) => [...l.refs()].map((r) => entryOf(r).name);

describe('the source listing, as a backup keeps it', () => {
  it("holds each object's manifest entry, blob key and size, byte for byte, names with unicode too", () => {
    const objects = [object('a/é'), object('a/\uffff', 'other content'), object('b', 'x', { md5: undefined })];
    const listed = new ListedObjects();
    listed.add(objects);
    listed.seal();
    const refs = [...listed.refs()];
    refs.forEach((r, i) => {
      const o = objects[i]!;
      expect(lineOf(r)).toBe(canonicalJson(manifestEntry(o, blobKey(o))));
      expect(lineBytesOf(r).toString()).toBe(lineOf(r));
      expect(keyOf(r)).toBe(blobKey(o));
      expect(sizeOf(r)).toBe(o.size);
    });
  });

  it('puts pages listed out of order (parallel ranges) in name order', () => {
    const listed = new ListedObjects();
    listed.add([object('m'), object('n')]);
    listed.add([object('a'), object('b')]);
    listed.add([object('x'), object('\uffff')]);
    listed.seal();
    expect(names(listed)).toEqual(['a', 'b', 'm', 'n', 'x', '\uffff']);
  });

  it('sorts every object when pages overlap, so the manifest is in name order whatever the listing did', () => {
    const listed = new ListedObjects();
    listed.add([object('b'), object('d')]);
    listed.add([object('a'), object('c')]);
    listed.seal();
    expect(names(listed)).toEqual(['a', 'b', 'c', 'd']);
    expect(keyOf([...listed.refs()][1]!)).toBe(blobKey(object('b')));
  });

  it('records objects changed or deleted during the backup', () => {
    const listed = new ListedObjects();
    listed.add([object('a'), object('b'), object('c')]);
    listed.seal();
    const [a, b] = [...listed.refs()];
    const live = object('a', 'rewritten', { generation: '2' });
    replaceListed(a!, live, blobKey(live));
    dropListed(b!);
    expect(names(listed)).toEqual(['a', 'c']);
    const now = [...listed.refs()][0]!;
    expect(entryOf(now)).toEqual(manifestEntry(live, blobKey(live)));
    expect(keyOf(now)).toBe(blobKey(live));
    expect(sizeOf(now)).toBe('rewritten'.length);
    expect(lineBytesOf(now).toString()).toBe(lineOf(now));
  });
});

describe('the index of stored blobs', () => {
  it('knows a blob listed with the size and hashes its key names holds that content, and keeps one listed otherwise whole', () => {
    const o = object('a');
    const composite = object('c', 'c', { md5: undefined });
    const index = new BlobIndex();
    index.set(blobKey(o), { ...o, generation: '7' });
    index.set(blobKey(composite), { ...composite, generation: '8' });
    index.set('00000000-00000000000000000000000000000000-1', { ...o, generation: '9' });
    expect(index.holds(blobKey(o))).toBe(true);
    expect(index.get(blobKey(o))).toEqual({ generation: '7', size: o.size, crc32c: o.crc32c, md5: o.md5 });
    expect(index.holds(blobKey(composite))).toBe(true);
    expect(index.get(blobKey(composite))).toEqual({ generation: '8', size: 1, crc32c: composite.crc32c });
    expect(index.holds('00000000-00000000000000000000000000000000-1')).toBe(false);
    expect(index.get('00000000-00000000000000000000000000000000-1')).toMatchObject({ generation: '9', size: o.size });
    expect(index.size).toBe(3);
  });
});
