import { describe, expect, it } from 'vitest';
import type { ObjectInfo } from '../../src/lib/cloud/object-store.js';
import { BlobIndex } from '../../src/lib/backup/catalog.js';
import { planCopies } from '../../src/lib/backup/create.js';
import { ListedObjects } from '../../src/lib/backup/listed-objects.js';
import { contentHashes } from '../../src/lib/backup/hashes.js';
import {
  BACKUP_ID,
  blobKey,
  idFromManifestName,
  manifestName,
  newBackupId,
  type BackupLocation,
} from '../../src/lib/backup/layout.js';
import { canonicalJson } from '../../src/lib/audit/record.js';
import { compareNames } from '../../src/lib/cloud/name-order.js';
import {
  ManifestError,
  MANIFEST_FORMAT,
  manifestParts,
  manifestSeal,
  PART_ENTRIES,
  sealManifest,
  summaryOf,
  WHOLE_MANIFEST_FORMAT,
  type Manifest,
} from '../../src/lib/backup/manifest.js';
import { openManifest, openPart } from '../../src/lib/backup/open-manifest.js';
import { sha256Hex } from '../../src/lib/backup/hashes.js';

const loc: BackupLocation = {
  env: 'prod',
  sourceBucket: 'vault-bucket',
  backupBucket: 'backup-bucket',
  prefix: 'vault-bucket/',
};

function object(name: string, content: string, extra: Partial<ObjectInfo> = {}): ObjectInfo {
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
    metadata: {},
    ...extra,
  };
}

function manifest(over: Partial<Manifest> = {}): Manifest {
  const o = object('sys/token/id/abc', 'secret');
  return {
    format: MANIFEST_FORMAT,
    id: '20250601T120000Z-abcdef',
    env: 'prod',
    sourceBucket: 'vault-bucket',
    backupBucket: 'backup-bucket',
    prefix: 'vault-bucket/',
    startedAt: '2025-06-01T12:00:00.000Z',
    completedAt: '2025-06-01T12:01:00.000Z',
    quiesced: true,
    totals: { objects: 1, bytes: 6, blobs: 1 },
    objects: [
      {
        name: o.name,
        generation: '1',
        size: 6,
        md5: o.md5,
        crc32c: o.crc32c,
        blob: blobKey(o),
        contentType: 'application/octet-stream',
        metadata: { 'vault-key': 'x' },
      },
    ],
    ...over,
  };
}

describe('content addressing', () => {
  it('gives equal content one blob, whatever the object', () => {
    expect(blobKey(object('a', 'same'))).toBe(blobKey(object('b', 'same', { generation: '7' })));
    expect(blobKey(object('a', 'same'))).not.toBe(blobKey(object('a', 'other')));
    expect(blobKey(object('a', 'same'))).toMatch(/^[0-9a-f]{8}-[0-9a-f]{32}-4$/);
  });

  it('never shares a composite object (no MD5) on its CRC32C alone', () => {
    const a = object('a', 'same', { md5: undefined });
    const b = object('b', 'same', { md5: undefined });
    expect(blobKey(a)).not.toBe(blobKey(b));
  });

  it('an unchanged bucket needs no copies; duplicates are copied once', () => {
    const objects = [object('a', 'x'), object('b', 'x'), object('c', 'y')];
    const listed = new ListedObjects();
    listed.add(objects);
    const first = planCopies(listed, new BlobIndex());
    expect(first.copies).toHaveLength(2);
    // Stored blobs as listed: their size and hashes are those of the content they hold.
    const stored = new BlobIndex();
    for (const o of objects) stored.set(blobKey(o), o);
    expect(planCopies(listed, stored).copies).toHaveLength(0);
    // A blob whose listing does not match its address is copied again (replaced), not trusted.
    stored.set(blobKey(objects[0]!), objects[2]!);
    expect(planCopies(listed, stored).copies).toHaveLength(1);
  });
});

describe('backup ids', () => {
  it('sort as the backups were started', () => {
    const a = newBackupId(new Date('2025-06-01T09:00:00.123Z'), 'ffffff');
    const b = newBackupId(new Date('2025-06-01T10:00:00Z'), '000000');
    expect(a).toBe('20250601T090000Z-ffffff');
    expect(a < b).toBe(true);
    expect(BACKUP_ID.test(a)).toBe(true);
    expect(idFromManifestName(loc, manifestName(loc, a))).toBe(a);
    expect(idFromManifestName(loc, 'vault-bucket/manifests/notes.txt')).toBeUndefined();
  });
});

/** The manifest as written: its seal, listing the parts. */
const sealOf = (m: Manifest) =>
  manifestSeal(
    m,
    manifestParts(loc, m).map((p) => p.ref),
  );

describe('the manifest, the commit marker', () => {
  it('round-trips with its checksum, its entries in checksummed parts', () => {
    const m = manifest();
    const sealed = sealManifest(sealOf(m));
    const opened = openManifest(sealed.data, { id: m.id, sha256: sealed.sha256, where: 'x' });
    expect(opened).toEqual(sealOf(m));
    const [part] = manifestParts(loc, m);
    expect(part!.ref.name).toBe('vault-bucket/manifests/20250601T120000Z-abcdef/part-00000.jsonl');
    expect(openPart(part!.data, part!.ref, 'x')).toEqual(m.objects);
  });

  it('is refused when a byte changed', () => {
    const sealed = sealManifest(sealOf(manifest()));
    const tampered = Buffer.from(sealed.data.toString().replace('"quiesced":true', '"quiesced":fals'));
    expect(() => openManifest(tampered, { id: '20250601T120000Z-abcdef', where: 'x' })).toThrow(ManifestError);
    const edited = Buffer.from(sealed.data.toString().replace('"bytes":6', '"bytes":7'));
    expect(() => openManifest(edited, { id: '20250601T120000Z-abcdef', where: 'x' })).toThrow(/checksum mismatch/);
  });

  it("is refused when it is another backup's or truncated", () => {
    const sealed = sealManifest(sealOf(manifest()));
    expect(() => openManifest(sealed.data, { id: '20250601T130000Z-abcdef', where: 'x' })).toThrow(/describes backup/);
    expect(() => openManifest(sealed.data.subarray(0, 100), { id: '20250601T120000Z-abcdef', where: 'x' })).toThrow(
      /not valid JSON/,
    );
  });

  it('of the first format (entries inside) still opens', () => {
    const whole = manifest({ format: WHOLE_MANIFEST_FORMAT });
    const body = canonicalJson(whole);
    const data = Buffer.from(`{"sha256":"${sha256Hex(body)}","manifest":${body}}\n`);
    expect(openManifest(data, { id: whole.id, where: 'x' })).toEqual(whole);
  });

  it('of the first format, sorted by UTF-16 code units, opens in code point order (as GCS lists and restore merges)', () => {
    // Format 1 sorted with JavaScript's `<`: 'x🔑' (a surrogate pair, 0xD83D…) before 'x\uFFFF'; by code points
    // (https://cloud.google.com/storage/docs/listing-objects: lexicographic order of UTF-8 bytes) it is after.
    const [entry] = manifest().objects;
    const whole = manifest({
      format: WHOLE_MANIFEST_FORMAT,
      objects: [
        { ...entry!, name: 'x🔑' },
        { ...entry!, name: 'x\uFFFF' },
      ],
      totals: { objects: 2, bytes: 12, blobs: 1 },
    });
    const body = canonicalJson(whole);
    const data = Buffer.from(`{"sha256":"${sha256Hex(body)}","manifest":${body}}\n`);
    const opened = openManifest(data, { id: whole.id, where: 'x' }) as Manifest;
    expect(opened.objects.map((o) => o.name)).toEqual(['x\uFFFF', 'x🔑']);
  });

  it('is listed from its metadata only when that metadata is complete', () => {
    const m = manifest();
    const sealed = sealManifest(sealOf(m));
    const listed: ObjectInfo = {
      ...object(manifestName(loc, m.id), 'x'),
      bucket: 'backup-bucket',
      metadata: sealed.metadata,
    };
    expect(summaryOf(loc, listed)).toMatchObject({
      id: m.id,
      objects: 1,
      bytes: 6,
      quiesced: true,
      sha256: sealed.sha256,
    });
    expect(summaryOf(loc, { ...listed, metadata: {} })).toBeUndefined();
    expect(summaryOf(loc, { ...listed, name: 'vault-bucket/manifests/20250601T120000Z-000000.json' })).toBeUndefined();
    // A part is never taken for a backup.
    expect(summaryOf(loc, { ...listed, name: manifestParts(loc, m)[0]!.ref.name })).toBeUndefined();
  });
});

describe('manifest parts', () => {
  const many = (n: number) => {
    const base = manifest().objects[0]!;
    // Names whose code unit order differs from code point order: parts follow GCS's order.
    const names = Array.from({ length: n }, (_, i) => `k/${String(i).padStart(6, '0')}${i % 2 ? '\uffff' : '🔑'}`);
    const objects = names.sort(compareNames).map((name) => ({ ...base, name }));
    return manifest({ objects, totals: { objects: n, bytes: 6 * n, blobs: 1 } });
  };

  it('split the entries in name order, one canonical entry a line, and the seal lists them all', () => {
    const m = many(PART_ENTRIES * 2 + 3);
    const parts = manifestParts(loc, m);
    expect(parts.map((p) => p.ref.objects)).toEqual([PART_ENTRIES, PART_ENTRIES, 3]);
    expect(parts.flatMap((p) => openPart(p.data, p.ref, 'x'))).toEqual(m.objects);
    expect(parts[0]!.data.toString().split('\n')[0]).toBe(canonicalJson(m.objects[0]));
    const sealed = sealManifest(sealOf(m));
    expect(openManifest(sealed.data, { id: m.id, where: 'x' })).toMatchObject({ parts: parts.map((p) => p.ref) });
  });

  it('a changed, truncated or reordered part is caught', () => {
    const [part] = manifestParts(loc, many(10));
    const { ref, data } = part!;
    const flipped = Buffer.from(data);
    flipped[20] ^= 1;
    expect(() => openPart(flipped, ref, 'x')).toThrow(/part .* checksum mismatch/);
    const lines = data.toString().split('\n');
    const truncated = Buffer.from(`${lines.slice(0, 5).join('\n')}\n`);
    expect(() => openPart(truncated, { ...ref, sha256: sha256Hex(truncated) }, 'x')).toThrow(/5 entries/);
    const swapped = Buffer.from([lines[1], lines[0], ...lines.slice(2)].join('\n'));
    expect(() => openPart(swapped, { ...ref, sha256: sha256Hex(swapped) }, 'x')).toThrow(/out of order/);
  });

  it('a seal whose parts overlap or do not add up to its totals is refused', () => {
    const m = many(PART_ENTRIES + 1);
    const seal = sealOf(m);
    const overlapping = { ...seal, parts: [seal.parts[0]!, { ...seal.parts[1]!, first: seal.parts[0]!.first }] };
    expect(() => openManifest(sealManifest(overlapping).data, { id: m.id, where: 'x' })).toThrow(/overlaps/);
    const short = { ...seal, parts: [seal.parts[0]!] };
    expect(() => openManifest(sealManifest(short).data, { id: m.id, where: 'x' })).toThrow(/parts hold/);
  });

  it('hold each entry as its canonical JSON, whatever order its members and metadata were given in', () => {
    const base = manifest().objects[0]!;
    const objects: Manifest['objects'] = Array.from({ length: 600 }, (_, i) => ({
      ...base,
      name: `o${String(i).padStart(3, '0')}`,
      metadata: { n: String(i) },
    }));
    objects[3] = { ...base, name: 'o003', size: 7, metadata: { z: '1', a: 'é' } };
    const [part] = manifestParts(loc, manifest({ objects }));
    expect(part!.data.toString()).toBe(objects.map((e) => `${canonicalJson(e)}\n`).join(''));
  });
});
