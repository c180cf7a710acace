import { afterAll, beforeAll, expect, it } from 'vitest';
import { FaultInjector, ratesFromProbability } from '../../src/common/faults.js';
import { RequestLog } from '../../src/common/request-log.js';
import { DAY_MS, startGcsEmulator, type GcsEmulator } from '../../src/gcs/index.js';
import { gcsClient } from '../../src/testing/index.js';

let emu: GcsEmulator;
const log = new RequestLog();

beforeAll(async () => {
  emu = await startGcsEmulator({ log, faults: new FaultInjector() });
  await gcsClient(emu.url).createBucket('faulty-bucket');
});
afterAll(() => emu.close());

interface ControlReply {
  now: string;
  deleted: number;
  requests: unknown[];
  rates: unknown;
}

const control = (path: string, body?: unknown): Promise<ControlReply> =>
  fetch(`${emu.url}/_emulator/${path}`, body === undefined ? {} : { method: 'POST', body: JSON.stringify(body) }).then(
    (r) => r.json() as Promise<ControlReply>,
  );

it('with 30% injected faults, idempotent operations still succeed through the library’s retries', async () => {
  // Quick back-off (the 1 s floor comes from the library's jitter) and enough retries that 0.3^11 never bites.
  const flaky = gcsClient(emu.url, { retryOptions: { maxRetries: 10, retryDelayMultiplier: 0.001 } }).bucket(
    'faulty-bucket',
  );
  emu.faults.set(ratesFromProbability(0.3));
  const names = Array.from({ length: 12 }, (_, i) => `parcel-${i}`);
  try {
    await Promise.all(
      names.map(async (name) => {
        const file = flaky.file(name);
        // ifGenerationMatch makes the write idempotent, so the library retries it. Single-request
        // uploads: the library's resumable uploader (v7.22) mishandles a failed status query during
        // its own retry (it restarts at offset 0 while a retry is pending, then throws a RangeError).
        await file.save(`body of ${name}`, { resumable: false, preconditionOpts: { ifGenerationMatch: 0 } });
        await file.getMetadata();
        const [data] = await file.download({ validation: 'crc32c' });
        expect(data.toString()).toBe(`body of ${name}`);
      }),
    );
    const [listed] = await flaky.getFiles();
    expect(listed.map((f) => f.name).sort()).toEqual([...names].sort());
  } finally {
    emu.faults.set({});
  }
  const faulted = log.list({ service: 'gcs' }).filter((r) => r.fault);
  expect(faulted.length).toBeGreaterThan(0);
  for (const r of faulted) expect(r.status).toBe(r.fault === 'reset' ? 0 : Number(r.fault));
}, 30_000);

it('records a dropped connection as status 0 with fault "reset"', async () => {
  const before = log.entries.length;
  emu.faults.set({ pReset: 1 });
  try {
    await expect(fetch(`${emu.url}/storage/v1/b/faulty-bucket`)).rejects.toThrow();
  } finally {
    emu.faults.set({});
  }
  expect(log.entries.slice(before)).toContainEqual(
    expect.objectContaining({
      service: 'gcs',
      method: 'GET',
      path: '/storage/v1/b/faulty-bucket',
      status: 0,
      fault: 'reset',
    }),
  );
});

it('answers injected 429/503 with GCS-shaped errors', async () => {
  emu.faults.set({ p503: 1 });
  try {
    const res = await fetch(`${emu.url}/storage/v1/b/faulty-bucket`);
    expect(res.status).toBe(503);
    expect(((await res.json()) as { error: unknown }).error).toMatchObject({
      code: 503,
      errors: [{ reason: 'backendError' }],
    });
  } finally {
    emu.faults.set({});
  }
});

it('control endpoints drive the emulator from another process, unrecorded and never faulted', async () => {
  const [swept] = await gcsClient(emu.url).createBucket('swept-bucket');
  await swept.file('doomed').save('x');
  const recorded = log.entries.length;
  expect(await control('faults', { p429: 0, p503: 0, pReset: 1 })).toEqual({ rates: { p429: 0, p503: 0, pReset: 1 } });
  try {
    await swept
      .setMetadata({ lifecycle: { rule: [{ action: { type: 'Delete' }, condition: { age: 1 } }] } })
      .catch(() => undefined);
    await control('faults', {});
    await swept.setMetadata({ lifecycle: { rule: [{ action: { type: 'Delete' }, condition: { age: 1 } }] } });
    const before = new Date((await control('clock')).now).getTime();
    const advanced = await control('clock/advance', { ms: 2 * DAY_MS });
    expect(new Date(advanced.now).getTime() - before).toBeGreaterThanOrEqual(2 * DAY_MS);
    expect((await control('sweep', {})).deleted).toBe(1);
    expect(emu.objectCount('swept-bucket')).toBe(0);
    const { requests } = await control('requests');
    expect(requests.length).toBe(log.entries.length);
  } finally {
    emu.faults.set({});
  }
  const since = log.entries.slice(recorded);
  expect(since.some((r) => r.path.startsWith('/_emulator/'))).toBe(false);
  expect(since.some((r) => r.fault === 'reset')).toBe(true);
  const bad = await fetch(`${emu.url}/_emulator/faults`, { method: 'POST', body: JSON.stringify({ p429: 2 }) });
  expect(bad.status).toBe(400);
});

it('with latencyMs, answers each request only after that network round trip', async () => {
  const slow = await startGcsEmulator({ latencyMs: 60 });
  try {
    const t0 = performance.now();
    const res = await fetch(`${slow.url}/storage/v1/b?project=p`);
    expect(res.status).toBe(200);
    await res.arrayBuffer();
    expect(performance.now() - t0).toBeGreaterThanOrEqual(55);
    expect(slow.log.list()).toEqual([
      expect.objectContaining({ method: 'GET', path: '/storage/v1/b?project=p', status: 200 }),
    ]);
  } finally {
    await slow.close();
  }
});
