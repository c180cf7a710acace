import { describe, expect, it } from 'vitest';
import type { ObjectInfo } from '../../src/lib/cloud/object-store.js';
import { planCopies } from '../../src/lib/backup/create.js';
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
import {
  ManifestError,
  MANIFEST_FORMAT,
  manifestJson,
  prepareEntries,
  sealManifest,
  summaryOf,
  type Manifest,
} from '../../src/lib/backup/manifest.js';
import { openManifest } from '../../src/lib/backup/open-manifest.js';

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
    const first = planCopies(objects, new Map());
    expect(first.copies.size).toBe(2);
    // Stored blobs as listed: their size and hashes are those of the content they hold.
    const stored = new Map(first.copies);
    expect(planCopies(objects, stored).copies.size).toBe(0);
    // A blob whose listing does not match its address is copied again (replaced), not trusted.
    stored.set([...stored.keys()][0]!, objects[2]!);
    expect(planCopies(objects, stored).copies.size).toBe(1);
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

describe('the manifest, the commit marker', () => {
  it('round-trips with its checksum', () => {
    const sealed = sealManifest(manifest());
    expect(openManifest(sealed.data, { id: '20250601T120000Z-abcdef', sha256: sealed.sha256, where: 'x' })).toEqual(
      manifest(),
    );
  });

  it('is refused when a byte changed', () => {
    const sealed = sealManifest(manifest());
    const tampered = Buffer.from(sealed.data.toString().replace('"quiesced":true', '"quiesced":fals'));
    expect(() => openManifest(tampered, { id: '20250601T120000Z-abcdef', where: 'x' })).toThrow(ManifestError);
    const edited = Buffer.from(sealed.data.toString().replace('"size":6', '"size":7'));
    expect(() => openManifest(edited, { id: '20250601T120000Z-abcdef', where: 'x' })).toThrow(/checksum mismatch/);
  });

  it("is refused when it is another backup's or truncated", () => {
    const sealed = sealManifest(manifest());
    expect(() => openManifest(sealed.data, { id: '20250601T130000Z-abcdef', where: 'x' })).toThrow(/describes backup/);
    expect(() => openManifest(sealed.data.subarray(0, 100), { id: '20250601T120000Z-abcdef', where: 'x' })).toThrow(
      /not valid JSON/,
    );
  });

  it('is listed from its metadata only when that metadata is complete', () => {
    const m = manifest();
    const sealed = sealManifest(m);
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
  });
});

describe('the sealed manifest text', () => {
  it('is canonicalJson of the manifest, byte for byte, whatever its entries hold', () => {
    const entries = manifest().objects;
    const base = entries[0]!;
    const m = manifest({
      gwctlVersion: '0.1.0',
      objects: [
        base,
        { name: 'composite', generation: '9', size: 0, crc32c: 'AAAAAA==', blob: 'k', metadata: {} },
        {
          ...base,
          name: 'all "attributes"\n',
          contentEncoding: 'gzip',
          contentDisposition: 'inline',
          contentLanguage: 'fr',
          cacheControl: 'no-store',
          metadata: { z: '1', a: 'é', 10: 'ten', 2: 'two' },
        },
        { ...base, name: 'unknown member', extra: true } as unknown as (typeof entries)[number],
      ],
    });
    expect(manifestJson(m)).toBe(canonicalJson(m));
    expect(manifestJson(manifest({ objects: [] }))).toBe(canonicalJson(manifest({ objects: [] })));
  });

  it('is the same when its entries were written ahead (while copies ran), and an entry replaced since is written afresh', async () => {
    const base = manifest().objects[0]!;
    const objects: Manifest['objects'] = Array.from({ length: 600 }, (_, i) => ({
      ...base,
      name: `o${i}`,
      metadata: { n: String(i) },
    }));
    await prepareEntries(objects);
    objects[3] = { ...base, name: 'replaced after preparing', size: 7 };
    const m = manifest({ objects });
    expect(manifestJson(m)).toBe(canonicalJson(m));
  });
});
