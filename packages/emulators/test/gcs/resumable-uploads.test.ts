import { randomBytes } from 'node:crypto';
import type { Bucket } from '@google-cloud/storage';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startGcsEmulator, type GcsEmulator } from '../../src/gcs/index.js';
import { gcsClient } from '../../src/testing/index.js';

let emu: GcsEmulator;
let bucket: Bucket;

beforeAll(async () => {
  emu = await startGcsEmulator();
  [bucket] = await gcsClient(emu.url).createBucket('resumable-bucket');
});
afterAll(() => emu.close());

it('uploads a 9 MiB object in 2 MiB chunks and reads it back intact', async () => {
  const body = randomBytes(9 * 1024 * 1024 + 123);
  await bucket.file('big/object.bin').save(body, { resumable: true, chunkSize: 2 * 1024 * 1024, validation: 'crc32c' });
  const puts = emu.log.list({ method: 'PUT' }).filter((r) => r.path.includes('upload_id='));
  expect(puts.map((r) => r.status)).toEqual([308, 308, 308, 308, 200]);
  const [md] = await bucket.file('big/object.bin').getMetadata();
  expect(md.size).toBe(String(body.length));
  const [back] = await bucket.file('big/object.bin').download({ validation: 'md5' });
  expect(back.equals(body)).toBe(true);
});

it('follows the resumable protocol: session URI, 308 with Range, status query, final 200', async () => {
  const start = await fetch(
    `${emu.url}/upload/storage/v1/b/resumable-bucket/o?uploadType=resumable&name=raw%20session`,
    {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-upload-content-type': 'text/plain' },
      body: JSON.stringify({ metadata: { step: 'raw' } }),
    },
  );
  expect(start.status).toBe(200);
  const session = start.headers.get('location')!;
  expect(session).toContain('upload_id=');

  const put = (range: string, body: string) =>
    fetch(session, { method: 'PUT', headers: { 'content-range': range }, body });
  const first = await put('bytes 0-4/*', 'hello');
  expect(first.status).toBe(308);
  expect(first.headers.get('range')).toBe('bytes=0-4');

  // A retried chunk overlapping what the server holds is not appended twice.
  const overlap = await put('bytes 3-7/*', 'lo, w');
  expect(overlap.headers.get('range')).toBe('bytes=0-7');

  const status = await put('bytes */*', '');
  expect(status.status).toBe(308);
  expect(status.headers.get('range')).toBe('bytes=0-7');

  const last = await put('bytes 8-11/12', 'orld');
  expect(last.status).toBe(200);
  expect(await last.json()).toMatchObject({
    name: 'raw session',
    size: '12',
    contentType: 'text/plain',
    metadata: { step: 'raw' },
  });

  // Asking again after completion answers with the object, as GCS does.
  const again = await put('bytes */12', '');
  expect(again.status).toBe(200);
  const [data] = await bucket.file('raw session').download();
  expect(data.toString()).toBe('hello, world');
});

it('checks preconditions when the session opens', async () => {
  await bucket.file('exists').save('x');
  const res = await fetch(
    `${emu.url}/upload/storage/v1/b/resumable-bucket/o?uploadType=resumable&name=exists&ifGenerationMatch=0`,
    { method: 'POST' },
  );
  expect(res.status).toBe(412);
});

it('uploads an empty object', async () => {
  await bucket.file('empty').save(Buffer.alloc(0));
  await bucket.file('empty-chunked').save(Buffer.alloc(0), { chunkSize: 256 * 1024 });
  for (const name of ['empty', 'empty-chunked']) {
    const [md] = await bucket.file(name).getMetadata();
    expect(md.size).toBe('0');
  }
});
