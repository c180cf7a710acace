import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startGcsEmulator, type GcsEmulator } from '@gwctl/emulators/gcs';
import { gcsClient } from '@gwctl/emulators/testing';
import { gcsHashes } from '../../src/lib/checksums/gcs-hashes.js';
import { GcsObjectStore } from '../../src/lib/cloud/gcs-object-store.js';
import { InMemoryObjectStore } from '../../src/lib/cloud/in-memory-object-store.js';
import { PreconditionFailedError } from '../../src/lib/cloud/object-store.js';
import { environment } from '../backup/harness.js';

// ObjectStore.writeStream over the wire: gwctl's GCS client → the GCS emulator. Resumable uploads as
// https://cloud.google.com/storage/docs/performing-resumable-uploads has them (a POST with uploadType=resumable opens a
// session, the bytes follow with PUT); the precondition goes on the session's creation, as
// https://cloud.google.com/storage/docs/json_api/v1/objects/insert takes `ifGenerationMatch` ("0": only if no live
// object exists), answered 412 when it fails.
let emu: GcsEmulator;
beforeEach(async () => {
  emu = await startGcsEmulator();
  await gcsClient(emu.url).createBucket('backups');
});
afterEach(() => emu.close());

const store = () =>
  new GcsObjectStore(environment(emu.url), { retry: { baseDelayMs: 10, maxDelayMs: 50, attempts: 5 } });
const at = { bucket: 'backups', name: 'vault/staging/20250601T120000Z-3fa9c1.csv' };
/** 3 MiB in 64 KiB chunks, each made when asked for. */
function* chunks(): Generator<Buffer> {
  for (let i = 0; i < 48; i++) yield Buffer.alloc(64 * 1024, `row ${i},`);
}
const whole = Buffer.concat([...chunks()]);

describe('ObjectStore.writeStream: an object of any size from chunks, never held whole', () => {
  it('uploads the chunks as one object, with its attributes and the hashes of the bytes sent', async () => {
    const info = await store().writeStream(at, chunks, {
      ifGenerationMatch: '0',
      attributes: { contentType: 'text/csv', metadata: { run: 'x' } },
    });
    expect(info).toMatchObject({ ...at, size: whole.length, contentType: 'text/csv', metadata: { run: 'x' } });
    expect({ md5: info.md5, crc32c: info.crc32c }).toEqual(gcsHashes(whole));
    const [data] = await gcsClient(emu.url).bucket(at.bucket).file(at.name).download();
    expect(data.equals(whole)).toBe(true);
    expect(emu.log.list({ method: 'POST' }).some((r) => r.path.includes('uploadType=resumable'))).toBe(true);
  });

  it('write-once: with ifGenerationMatch 0 an existing object is refused (412) and left as it was', async () => {
    const first = await store().write(at, Buffer.from('"first"\n'));
    const err = await store()
      .writeStream(at, chunks, { ifGenerationMatch: '0' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PreconditionFailedError);
    expect((await store().stat(at))?.generation).toBe(first.generation);
  });

  it('a failed attempt (503) is retried from the first chunk: the object holds every byte once', async () => {
    let calls = 0;
    emu.faults.failNext('503');
    const info = await store().writeStream(at, () => (calls++, chunks()), { ifGenerationMatch: '0' });
    expect(calls).toBe(2);
    expect(info.size).toBe(whole.length);
    expect({ md5: info.md5, crc32c: info.crc32c }).toEqual(gcsHashes(whole));
  });

  it('the in-memory store keeps the same contract', async () => {
    const mem = new InMemoryObjectStore();
    await mem.createBucket('backups');
    const info = await mem.writeStream(at, chunks, { ifGenerationMatch: '0' });
    expect({ size: info.size, md5: info.md5, crc32c: info.crc32c }).toEqual({
      size: whole.length,
      ...gcsHashes(whole),
    });
    await expect(mem.writeStream(at, chunks, { ifGenerationMatch: '0' })).rejects.toBeInstanceOf(
      PreconditionFailedError,
    );
  });
});
