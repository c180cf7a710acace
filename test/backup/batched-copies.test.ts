import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ObjectNotFoundError,
  PreconditionFailedError,
  type CopyRequest,
  type ObjectInfo,
} from '../../src/lib/cloud/object-store.js';
import { GcsObjectStore } from '../../src/lib/cloud/gcs-object-store.js';
import { startGcsEmulator, type GcsEmulator } from '@gwctl/emulators/gcs';
import { gcsClient } from '@gwctl/emulators/testing';
import { environment, seedFast, vaultLike } from './harness.js';

let emu: GcsEmulator;
beforeEach(async () => {
  // Small rewrite calls: objects above 1 KiB take a rewrite token, as large ones do on GCS.
  emu = await startGcsEmulator({ rewriteChunkBytes: 1024 });
  const gcs = gcsClient(emu.url);
  await gcs.createBucket('src');
  await gcs.createBucket('dst');
});
afterEach(() => emu.close());

const storeAt = (url: string) =>
  new GcsObjectStore(environment(url), { retry: { baseDelayMs: 10, maxDelayMs: 50, attempts: 5 } });
const copyOf = (name: string, to = `copy/${name}`, ifGenerationMatch = '0'): CopyRequest => ({
  source: { bucket: 'src', name },
  destination: { bucket: 'dst', name: to },
  opts: { ifGenerationMatch, attributes: { contentType: 'application/octet-stream', metadata: {} } },
});
const wire = () => emu.log.list().filter((r) => !r.batch);

describe('ObjectStore.copyMany over JSON API batches', () => {
  it('copies many objects in one HTTP request, each answered in its own slot', async () => {
    const objects = vaultLike(20);
    await seedFast(emu.url, 'src', objects);
    emu.log.clear();
    const results = await storeAt(emu.url).copyMany(objects.map((o) => copyOf(o.name)));
    expect(wire().map((r) => `${r.method} ${r.path}`)).toEqual(['POST /batch/storage/v1']);
    expect(emu.log.list().filter((r) => r.batch && r.path.includes('/rewriteTo/'))).toHaveLength(20);
    results.forEach((r, i) =>
      expect(r).toMatchObject({
        bucket: 'dst',
        name: `copy/${objects[i]!.name}`,
        size: objects[i]!.data.length,
        contentType: 'application/octet-stream',
      }),
    );
    expect(emu.objectCount('dst')).toBe(20);
  });

  it('returns a missing source and a destination already there as their own errors, and copies the rest', async () => {
    await seedFast(emu.url, 'src', vaultLike(3));
    const store = storeAt(emu.url);
    await store.copy({ bucket: 'src', name: 'logical/00001' }, { bucket: 'dst', name: 'taken' });
    const [ok, missing, taken] = await store.copyMany([
      copyOf('logical/00000'),
      copyOf('no/such/object'),
      copyOf('logical/00002', 'taken'),
    ]);
    expect((ok as ObjectInfo).name).toBe('copy/logical/00000');
    expect(missing).toBeInstanceOf(ObjectNotFoundError);
    expect(taken).toBeInstanceOf(PreconditionFailedError);
  });

  it('finishes a copy that needs a rewrite token with follow-up calls of its own', async () => {
    const big = { name: 'big', data: Buffer.alloc(5000, 7), contentType: 'application/octet-stream', metadata: {} };
    await seedFast(emu.url, 'src', [big, ...vaultLike(2)]);
    emu.log.clear();
    const results = await storeAt(emu.url).copyMany([copyOf('big'), copyOf('logical/00000'), copyOf('logical/00001')]);
    expect(results.map((r) => (r as ObjectInfo).size)).toEqual([5000, expect.any(Number), expect.any(Number)]);
    // 5000 bytes at 1 KiB a call: the batched call, then four more with its token.
    expect(wire().filter((r) => r.path.includes('rewriteToken='))).toHaveLength(4);
  });

  it('copies one request per object through an endpoint without batches, and stops asking for them', async () => {
    await seedFast(emu.url, 'src', vaultLike(4));
    const proxy = await noBatchProxy(emu.url);
    try {
      const store = storeAt(proxy.url);
      const first = await store.copyMany([copyOf('logical/00000'), copyOf('logical/00001')]);
      const second = await store.copyMany([copyOf('logical/00002'), copyOf('logical/00003')]);
      expect([...first, ...second].every((r) => !(r instanceof Error))).toBe(true);
      expect(proxy.batchAttempts()).toBe(1);
      expect(emu.objectCount('dst')).toBe(4);
    } finally {
      await proxy.close();
    }
  });
});

describe('ObjectStore.deleteMany over JSON API batches', () => {
  it('deletes many objects in one HTTP request; a missing one is gone, a changed one fails its precondition', async () => {
    const objects = vaultLike(5);
    await seedFast(emu.url, 'src', objects);
    const store = storeAt(emu.url);
    const live = await Promise.all(objects.map((o) => store.stat({ bucket: 'src', name: o.name })));
    emu.log.clear();
    const outcomes = await store.deleteMany([
      ...live.slice(0, 3).map((o) => ({ ref: { bucket: 'src', name: o!.name }, ifGenerationMatch: o!.generation })),
      { ref: { bucket: 'src', name: 'no/such/object' } },
      { ref: { bucket: 'src', name: live[3]!.name }, ifGenerationMatch: '1' },
    ]);
    expect(outcomes.slice(0, 4)).toEqual(['deleted', 'deleted', 'deleted', 'gone']);
    expect(outcomes[4]).toBeInstanceOf(PreconditionFailedError);
    expect(wire().map((r) => `${r.method} ${r.path}`)).toEqual(['POST /batch/storage/v1']);
    expect(emu.objectCount('src')).toBe(2);
  });

  it('redoes on its own a delete its batch could not do (throttled)', async () => {
    await seedFast(emu.url, 'src', vaultLike(4));
    const store = storeAt(emu.url);
    // The batch itself goes through; then every call inside it is throttled once, and its retry alone succeeds.
    let draws = 0;
    emu.faults.decide = () => {
      const n = draws++;
      return n >= 1 && n <= 4 ? '429' : undefined;
    };
    const outcomes = await store.deleteMany(vaultLike(4).map((o) => ({ ref: { bucket: 'src', name: o.name } })));
    expect(outcomes).toEqual(['deleted', 'deleted', 'deleted', 'deleted']);
    expect(emu.log.list().filter((r) => r.batch && r.fault === '429')).toHaveLength(4);
    expect(emu.objectCount('src')).toBe(0);
  });

  it('deletes one request per object through an endpoint without batches', async () => {
    await seedFast(emu.url, 'src', vaultLike(3));
    const proxy = await noBatchProxy(emu.url);
    try {
      const outcomes = await storeAt(proxy.url).deleteMany(
        vaultLike(3).map((o) => ({ ref: { bucket: 'src', name: o.name } })),
      );
      expect(outcomes).toEqual(['deleted', 'deleted', 'deleted']);
      expect(proxy.batchAttempts()).toBe(1);
      expect(emu.objectCount('src')).toBe(0);
    } finally {
      await proxy.close();
    }
  });
});

/** A pass-through to the emulator that answers the batch path 404, as an endpoint without batches does. */
async function noBatchProxy(target: string): Promise<{ url: string; batchAttempts(): number; close(): Promise<void> }> {
  const upstream = new URL(target);
  let attempts = 0;
  const server: Server = createServer((req, res) => {
    if (req.url?.startsWith('/batch/')) {
      attempts++;
      req.resume();
      res
        .writeHead(404, { 'content-type': 'application/json' })
        .end(JSON.stringify({ error: { code: 404, message: 'Not Found' } }));
      return;
    }
    const out = request(
      { hostname: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers: req.headers },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    req.pipe(out);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    batchAttempts: () => attempts,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
