import type { Bucket, Storage } from '@google-cloud/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGcsEmulator, type GcsEmulator } from '../../src/gcs/index.js';
import { gcsClient } from '../../src/testing/index.js';

let emu: GcsEmulator;
let storage: Storage;
let bucket: Bucket;

beforeAll(async () => {
  emu = await startGcsEmulator();
  storage = gcsClient(emu.url);
  [bucket] = await storage.createBucket('fields-bucket', { versioning: { enabled: true } });
  for (const name of ['logs/a', 'logs/b', 'logs/c'])
    await bucket.file(name).save(`body of ${name}`, { metadata: { metadata: { owner: 'gw-1', name } } });
});
afterAll(() => emu.close());

const enc = encodeURIComponent;

async function call(
  method: string,
  path: string,
  json?: unknown,
): Promise<{ status: number; body: Record<string, unknown> & { error?: { errors: unknown[] } } }> {
  const res = await fetch(`${emu.url}${path}`, {
    method,
    headers: json === undefined ? {} : { 'content-type': 'application/json' },
    body: json === undefined ? undefined : JSON.stringify(json),
  });
  return {
    status: res.status,
    body: (await res.json()) as Record<string, unknown> & { error?: { errors: unknown[] } },
  };
}

describe('fields (partial responses)', () => {
  it('cuts an objects.list page to the items’ selected fields and the page token, page after page', async () => {
    const fields = enc('nextPageToken,items(name,generation,size,md5Hash,crc32c,metadata)');
    const first = await call('GET', `/storage/v1/b/fields-bucket/o?prefix=logs/&maxResults=2&fields=${fields}`);
    expect(first.status).toBe(200);
    expect(Object.keys(first.body)).toEqual(['items', 'nextPageToken']);
    const [full] = await bucket.getFiles({ prefix: 'logs/', maxResults: 2, autoPaginate: false });
    expect(first.body.items).toEqual(
      full.map(({ metadata: m }) => ({
        name: m.name,
        generation: m.generation,
        size: m.size,
        md5Hash: m.md5Hash,
        crc32c: m.crc32c,
        metadata: m.metadata,
      })),
    );
    const second = await call(
      'GET',
      `/storage/v1/b/fields-bucket/o?prefix=logs/&maxResults=2&fields=${fields}&pageToken=${enc(String(first.body.nextPageToken))}`,
    );
    expect(second.body).toEqual({
      items: [expect.objectContaining({ name: 'logs/c', size: String('body of logs/c'.length) })],
    });
    expect(await call('GET', `/storage/v1/b/fields-bucket/o?delimiter=/&fields=prefixes`)).toEqual({
      status: 200,
      body: { prefixes: ['logs/'] },
    });
  });

  it('applies to objects.get, buckets and uploads, with nested paths and wildcards', async () => {
    expect(
      (await call('GET', `/storage/v1/b/fields-bucket/o/${enc('logs/a')}?fields=name,metadata/owner`)).body,
    ).toEqual({ name: 'logs/a', metadata: { owner: 'gw-1' } });
    const whole = await call('GET', `/storage/v1/b/fields-bucket/o/${enc('logs/a')}`);
    expect((await call('GET', `/storage/v1/b/fields-bucket/o/${enc('logs/a')}?fields=*`)).body).toEqual(whole.body);
    expect((await call('GET', `/storage/v1/b/fields-bucket?fields=name,versioning`)).body).toEqual({
      name: 'fields-bucket',
      versioning: { enabled: true },
    });
    expect((await call('GET', `/storage/v1/b?project=test&fields=items/name`)).body).toEqual({
      items: [{ name: 'fields-bucket' }],
    });
    const patched = await call(
      'PATCH',
      `/storage/v1/b/fields-bucket/o/${enc('logs/b')}?fields=metageneration,metadata(tag)`,
      { metadata: { tag: 'x' } },
    );
    expect(patched.body).toEqual({ metageneration: '2', metadata: { tag: 'x' } });

    const boundary = 'fields_boundary';
    const upload = await fetch(
      `${emu.url}/upload/storage/v1/b/fields-bucket/o?uploadType=multipart&fields=name,size,etag`,
      {
        method: 'POST',
        headers: { 'content-type': `multipart/related; boundary=${boundary}` },
        body: `--${boundary}\r\nContent-Type: application/json\r\n\r\n{"name":"logs/up"}\r\n--${boundary}\r\nContent-Type: text/plain\r\n\r\nhello\r\n--${boundary}--\r\n`,
      },
    );
    const uploaded = (await upload.json()) as Record<string, unknown>;
    expect(Object.keys(uploaded)).toEqual(['name', 'size', 'etag']);
    expect(uploaded).toMatchObject({ name: 'logs/up', size: '5' });
  });

  it('cuts rewrite answers, done or not, down to the selection', async () => {
    const rewrite = (to: string, query: string) =>
      call(
        'POST',
        `/storage/v1/b/fields-bucket/o/${enc('logs/a')}/rewriteTo/b/fields-bucket/o/${enc(to)}?${query}`,
        {},
      );
    const fields = `fields=${enc('done,rewriteToken,resource(name,generation,size,md5Hash,crc32c)')}`;
    const done = await rewrite('copies/a', `ifGenerationMatch=0&${fields}`);
    const [source] = await bucket.file('logs/a').getMetadata();
    expect(done.body).toEqual({
      done: true,
      resource: {
        name: 'copies/a',
        generation: expect.any(String),
        size: source.size,
        md5Hash: source.md5Hash,
        crc32c: source.crc32c,
      },
    });
    const partial = await rewrite('copies/a2', `maxBytesRewrittenPerCall=4&${fields}`);
    expect(partial.body).toEqual({ done: false, rewriteToken: expect.any(String) });
    expect((await rewrite('copies/a3', 'fields=kind')).body).toEqual({ kind: 'storage#rewriteResponse' });
    expect((await bucket.file('copies/a3').exists())[0]).toBe(true);
  });

  it('rejects a malformed mask with 400 invalidParameter before doing anything, and never cuts an error body', async () => {
    for (const fields of ['', 'items(name', 'name)', 'items()', 'a,,b']) {
      const { status, body } = await call(
        'POST',
        `/storage/v1/b/fields-bucket/o/${enc('logs/a')}/rewriteTo/b/fields-bucket/o/never?fields=${enc(fields)}`,
        {},
      );
      expect(status).toBe(400);
      expect(body.error?.errors).toEqual([
        expect.objectContaining({ reason: 'invalidParameter', location: 'fields', locationType: 'parameter' }),
      ]);
    }
    expect((await bucket.file('never').exists())[0]).toBe(false);
    const missing = await call('GET', `/storage/v1/b/fields-bucket/o/nope?fields=name`);
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({
      error: expect.objectContaining({ code: 404, errors: [expect.objectContaining({ reason: 'notFound' })] }),
    });
  });
});
