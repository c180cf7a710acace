import { createHash } from 'node:crypto';
import type { Bucket, FileMetadata, GetFilesOptions, Storage } from '@google-cloud/storage';
import { CRC32C } from '@google-cloud/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGcsEmulator, type GcsEmulator } from '../../src/gcs/index.js';
import { errorOf, gcsClient } from '../../src/testing/index.js';

let emu: GcsEmulator;
let storage: Storage;
let bucket: Bucket;

beforeAll(async () => {
  emu = await startGcsEmulator();
  storage = gcsClient(emu.url);
  [bucket] = await storage.createBucket('objects-bucket');
});
afterAll(() => emu.close());

describe('object uploads, metadata and downloads', () => {
  it('uploads with media, multipart and resumable, reporting the hashes GCS would', async () => {
    const body = Buffer.from('parcel payload ✉️');
    const md5 = createHash('md5').update(body).digest('base64');
    const crc = new CRC32C();
    crc.update(body);
    const crc32c = crc.toString();
    const file = bucket.file('hashes/one');
    await file.save(body, {
      resumable: false,
      contentType: 'application/vnd.awala.parcel',
      metadata: { metadata: { sender: 'gw-1' } },
    });
    const [md] = await file.getMetadata();
    expect(md).toMatchObject({
      kind: 'storage#object',
      name: 'hashes/one',
      bucket: 'objects-bucket',
      size: String(body.length),
      md5Hash: md5,
      crc32c,
      contentType: 'application/vnd.awala.parcel',
      metadata: { sender: 'gw-1' },
      metageneration: '1',
      storageClass: 'STANDARD',
    });
    expect(md.id).toBe(`objects-bucket/hashes/one/${md.generation}`);
    expect(md.mediaLink).toContain('alt=media');

    await bucket.file('hashes/two').save(body, { resumable: true });
    const [md2] = await bucket.file('hashes/two').getMetadata();
    expect([md2.md5Hash, md2.crc32c]).toEqual([md5, crc32c]);

    const res = await fetch(`${emu.url}/upload/storage/v1/b/objects-bucket/o?uploadType=media&name=hashes%2Fthree`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body,
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ name: 'hashes/three', contentType: 'text/plain', md5Hash: md5, crc32c });
  });

  it('downloads pass the client library’s own crc32c and md5 validation', async () => {
    const body = Buffer.alloc(300_000, 'abc');
    await bucket.file('validated').save(body);
    const [viaCrc] = await bucket.file('validated').download({ validation: 'crc32c' });
    const [viaMd5] = await bucket.file('validated').download({ validation: 'md5' });
    expect(viaCrc.equals(body)).toBe(true);
    expect(viaMd5.equals(body)).toBe(true);
  });

  it('a corrupted object fails the client’s download validation', async () => {
    await bucket.file('to-corrupt').save('precious bytes');
    emu.corruptObject('objects-bucket', 'to-corrupt');
    expect(await errorOf(bucket.file('to-corrupt').download({ validation: 'crc32c' }))).toMatchObject({
      code: 'CONTENT_DOWNLOAD_MISMATCH',
    });
  });

  it('serves byte ranges and sets x-goog headers', async () => {
    await bucket.file('ranged').save('0123456789');
    const [part] = await bucket.file('ranged').download({ start: 2, end: 5 });
    expect(part.toString()).toBe('2345');
    const res = await fetch(`${emu.url}/storage/v1/b/objects-bucket/o/ranged?alt=media`, {
      headers: { range: 'bytes=-3' },
    });
    expect(res.status).toBe(206);
    expect(res.headers.get('content-range')).toBe('bytes 7-9/10');
    expect(await res.text()).toBe('789');
    expect(res.headers.get('x-goog-hash')).toMatch(/^crc32c=.+,md5=.+$/);
    expect(res.headers.get('x-goog-generation')).toMatch(/^\d+$/);
    const past = await fetch(`${emu.url}/storage/v1/b/objects-bucket/o/ranged?alt=media`, {
      headers: { range: 'bytes=50-' },
    });
    expect(past.status).toBe(416);
  });

  it('serves the mediaLink, and answers 304 to a read whose NotMatch precondition fails', async () => {
    await bucket.file('linked').save('via media link');
    const [md] = await bucket.file('linked').getMetadata();
    expect(await (await fetch(md.mediaLink!)).text()).toBe('via media link');
    const notModified = await fetch(
      `${emu.url}/storage/v1/b/objects-bucket/o/linked?ifGenerationNotMatch=${md.generation}`,
    );
    expect(notModified.status).toBe(304);
  });

  it('handles object names with unicode, spaces, #, ?, %, / and 1024 bytes', async () => {
    const names = ['dir/sub dir/file #1?.txt', 'percent%20literal%', 'ünï/cødé/🚀', 'x'.repeat(1024)];
    for (const name of names) await bucket.file(name).save(name);
    for (const name of names) {
      const [data] = await bucket.file(name).download();
      expect(data.toString()).toBe(name);
    }
    expect(await errorOf(bucket.file('y'.repeat(1025)).save('too long', { resumable: false }))).toMatchObject({
      code: 400,
    });
  });

  it('patches metadata (metageneration increments, null removes a key) and updates with PUT', async () => {
    const file = bucket.file('patched');
    await file.save('x', { metadata: { contentType: 'text/plain', metadata: { a: '1', b: '2' } } });
    const [patched] = await file.setMetadata({ metadata: { b: null, c: '3' }, cacheControl: 'no-store' });
    expect(patched.metadata).toEqual({ a: '1', c: '3' });
    expect(patched.cacheControl).toBe('no-store');
    expect(patched.metageneration).toBe('2');
    const [reply] = await file.request({ method: 'PUT', uri: '', json: { contentType: 'application/json' } });
    const updated = reply as FileMetadata;
    expect(updated.metadata).toBeUndefined();
    expect(updated.contentType).toBe('application/json');
    expect(updated.metageneration).toBe('3');
  });

  it('refuses custom metadata over GCS’s limits with 400: 4 KiB a value, 8 KiB in all', async () => {
    // google.storage.v2 ServiceConstants.Values: MAX_CUSTOM_METADATA_FIELD_VALUE_BYTES = 4096,
    // MAX_CUSTOM_METADATA_TOTAL_SIZE_BYTES = 8192 (all names and values of one object).
    const file = bucket.file('metadata-limits');
    await file.save('x', { resumable: false, metadata: { metadata: { body: 'b'.repeat(4096) } } });
    expect(
      await errorOf(file.save('x', { resumable: false, metadata: { metadata: { body: 'b'.repeat(4097) } } })),
    ).toMatchObject({ code: 400 });
    expect(
      await errorOf(file.save('x', { resumable: true, metadata: { metadata: { body: 'b'.repeat(4097) } } })),
    ).toMatchObject({ code: 400 });
    const over = { a: 'a'.repeat(4000), b: 'b'.repeat(4000), c: 'c'.repeat(200) };
    expect(await errorOf(file.save('x', { resumable: false, metadata: { metadata: over } }))).toMatchObject({
      code: 400,
    });
    // A patch is judged on the merged result: with body's 4,100 bytes, 4,097 more go over 8 KiB.
    expect(await errorOf(file.setMetadata({ metadata: { a: 'a'.repeat(4096) } }))).toMatchObject({ code: 400 });
    const [md] = await file.getMetadata();
    expect(md.metadata).toEqual({ body: 'b'.repeat(4096) });
    expect(md.metageneration).toBe('1');
  });

  it('answers 404 notFound for a missing object', async () => {
    const err = await errorOf(bucket.file('nope').getMetadata());
    expect(err).toMatchObject({ code: 404 });
    expect(err?.errors?.[0]?.reason).toBe('notFound');
    expect((await bucket.file('nope').exists())[0]).toBe(false);
  });

  it('enforces generation and metageneration preconditions (412)', async () => {
    const file = bucket.file('guarded');
    await file.save('v1', { preconditionOpts: { ifGenerationMatch: 0 } });
    expect(await errorOf(file.save('v2', { preconditionOpts: { ifGenerationMatch: 0 } }))).toMatchObject({ code: 412 });
    expect(
      await errorOf(file.save('v2', { resumable: false, preconditionOpts: { ifGenerationMatch: 0 } })),
    ).toMatchObject({ code: 412 });
    const [md] = await file.getMetadata();
    await file.save('v2', { preconditionOpts: { ifGenerationMatch: Number(md.generation) } });
    expect(await errorOf(file.setMetadata({ metadata: { k: 'v' } }, { ifMetagenerationMatch: 5 }))).toMatchObject({
      code: 412,
    });
    expect(await errorOf(file.delete({ ifGenerationMatch: Number(md.generation) }))).toMatchObject({ code: 412 });
    const [now] = await file.getMetadata();
    expect(await errorOf(file.delete({ ifGenerationNotMatch: Number(now.generation) } as never))).toMatchObject({
      code: 412,
    });
    await file.delete({ ifGenerationMatch: Number(now.generation) });
  });

  it('rejects an upload whose declared hash does not match', async () => {
    const res = await fetch(`${emu.url}/upload/storage/v1/b/objects-bucket/o?uploadType=media&name=bad-hash`, {
      method: 'POST',
      headers: { 'x-goog-hash': 'crc32c=AAAAAA==' },
      body: 'data',
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { errors: { reason: string }[] } }).error.errors[0].reason).toBe('invalid');
  });
});

describe('listing', () => {
  let listed: Bucket;
  const names = ['a.txt', 'dir/1', 'dir/2', 'dir/sub/3', 'other/4', 'z'];

  beforeAll(async () => {
    [listed] = await storage.createBucket('listing-bucket');
    await Promise.all(names.map((n) => listed.file(n).save(n, { resumable: false })));
  });

  it('lists in name order, with prefix', async () => {
    expect((await listed.getFiles())[0].map((f) => f.name)).toEqual(names);
    expect((await listed.getFiles({ prefix: 'dir/' }))[0].map((f) => f.name)).toEqual(['dir/1', 'dir/2', 'dir/sub/3']);
  });

  it('groups by delimiter into prefixes', async () => {
    const [files, , response] = await listed.getFiles({ delimiter: '/', autoPaginate: false });
    expect(files.map((f) => f.name)).toEqual(['a.txt', 'z']);
    expect((response as { prefixes: string[] }).prefixes).toEqual(['dir/', 'other/']);
    const [inner, , innerResponse] = await listed.getFiles({ prefix: 'dir/', delimiter: '/', autoPaginate: false });
    expect(inner.map((f) => f.name)).toEqual(['dir/1', 'dir/2']);
    expect((innerResponse as { prefixes: string[] }).prefixes).toEqual(['dir/sub/']);
  });

  it('pages with maxResults and pageToken, counting prefixes towards the page', async () => {
    const seen: string[] = [];
    let query: GetFilesOptions | null = { maxResults: 2, delimiter: '/', autoPaginate: false };
    let pages = 0;
    while (query) {
      const [files, next, response] = await listed.getFiles(query);
      seen.push(...files.map((f) => f.name), ...((response as { prefixes?: string[] }).prefixes ?? []));
      query = next as GetFilesOptions | null;
      pages++;
    }
    expect(pages).toBe(2);
    expect(seen.sort()).toEqual(['a.txt', 'dir/', 'other/', 'z']);
  });

  it('walks every page one object at a time', async () => {
    const collected: string[] = [];
    let query: GetFilesOptions | null = { maxResults: 1, autoPaginate: false };
    while (query) {
      const [files, next] = await listed.getFiles(query);
      collected.push(...files.map((f) => f.name));
      query = next as GetFilesOptions | null;
    }
    expect(collected).toEqual(names);
  });

  it('can answer a first page with nothing on it but a token, as GCS may, and resume from the start', async () => {
    // "Note that the next page may be empty" (nextPageToken, https://cloud.google.com/storage/docs/json_api/v1/objects/list).
    emu.quirks.emptyFirstListPage = true;
    try {
      const [first, next] = await listed.getFiles({ delimiter: '/', autoPaginate: false });
      expect(first).toEqual([]);
      expect(next).toMatchObject({ pageToken: expect.any(String) });
      const [all] = await listed.getFiles({ startOffset: 'dir/2' });
      expect(all.map((f) => f.name)).toEqual(names.filter((n) => n >= 'dir/2'));
    } finally {
      emu.quirks.emptyFirstListPage = false;
    }
  });

  it('honours startOffset and endOffset', async () => {
    const [files] = await listed.getFiles({ startOffset: 'dir/2', endOffset: 'other/4' });
    expect(files.map((f) => f.name)).toEqual(['dir/2', 'dir/sub/3']);
  });
});

describe('versioning', () => {
  it('keeps noncurrent generations in a versioned bucket and lists them with versions=true', async () => {
    const [versioned] = await storage.createBucket('versioned-bucket', { versioning: { enabled: true } });
    const file = versioned.file('doc');
    await file.save('v1');
    await file.save('v2');
    await file.save('v3');
    const [live] = await versioned.getFiles();
    expect(live).toHaveLength(1);
    const [all] = await versioned.getFiles({ versions: true });
    expect(all.map((f) => f.metadata.size)).toEqual(['2', '2', '2']);
    const generations = all.map((f) => Number(f.metadata.generation));
    expect([...generations].sort((a, b) => a - b)).toEqual(generations);
    expect(all.filter((f) => f.metadata.timeDeleted)).toHaveLength(2);

    const [oldest] = await versioned.file('doc', { generation: generations[0] }).download();
    expect(oldest.toString()).toBe('v1');

    await file.delete();
    expect((await versioned.getFiles())[0]).toHaveLength(0);
    expect((await versioned.getFiles({ versions: true }))[0]).toHaveLength(3);
    await versioned.file('doc', { generation: generations[1] }).delete();
    const [left] = await versioned.getFiles({ versions: true });
    expect(left.map((f) => Number(f.metadata.generation))).toEqual([generations[0], generations[2]]);
    expect(emu.objectCount('versioned-bucket', { versions: true })).toBe(2);
  });

  it('replaces the object in an unversioned bucket', async () => {
    const [plain] = await storage.createBucket('unversioned-bucket');
    await plain.file('doc').save('v1');
    await plain.file('doc').save('v2');
    expect((await plain.getFiles({ versions: true }))[0]).toHaveLength(1);
    expect(emu.objectCount('unversioned-bucket', { versions: true })).toBe(1);
  });
});
