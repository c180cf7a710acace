import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GcsObjectStore } from '../../src/lib/cloud/gcs-object-store.js';
import { FaultInjector } from '@gwctl/emulators/common';
import { startGcsEmulator, type GcsEmulator } from '@gwctl/emulators/gcs';
import { environment, seedFast, vaultLike } from '../backup/harness.js';
import { gcsClient } from '@gwctl/emulators/testing';

let emu: GcsEmulator;
// Every other request draws a fault when faults are on: deterministic, unlike Math.random.
let draws = 0;
const faults = new FaultInjector({}, () => (draws++ % 2 === 0 ? 0 : 0.99));
beforeEach(async () => {
  faults.set({});
  emu = await startGcsEmulator({ faults });
  await gcsClient(emu.url).createBucket('src');
});
afterEach(() => emu.close());

const store = () =>
  new GcsObjectStore(environment(emu.url), { retry: { baseDelayMs: 10, maxDelayMs: 50, attempts: 5 } });
const listings = () => emu.log.list({ method: 'GET' }).filter((r) => r.path.startsWith('/storage/v1/b/src/o'));

async function until(condition: () => boolean): Promise<void> {
  for (let waited = 0; !condition(); waited += 10) {
    if (waited > 5_000) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('ObjectStore.list', () => {
  it('asks for the next page while the caller works on the current one, and for no page past the last', async () => {
    const objects = vaultLike(5);
    await seedFast(emu.url, 'src', objects);
    emu.log.clear();
    const pages: string[][] = [];
    for await (const page of store().list('src', { pageSize: 2 })) {
      if (pages.length === 0) await until(() => listings().length === 2);
      pages.push(page.map((o) => o.name));
    }
    expect(pages.flat()).toEqual(objects.map((o) => o.name).sort());
    expect(pages.map((p) => p.length)).toEqual([2, 2, 1]);
    expect(listings()).toHaveLength(3);
  });

  it('retries a throttled page, the prefetched one too', async () => {
    await seedFast(emu.url, 'src', vaultLike(6));
    emu.log.clear();
    faults.set({ p429: 0.5 });
    const names: string[] = [];
    for await (const page of store().list('src', { pageSize: 2 })) names.push(...page.map((o) => o.name));
    faults.set({});
    expect(names).toHaveLength(6);
    expect(listings().filter((r) => r.fault === '429')).toHaveLength(3);
    expect(listings().filter((r) => r.status === 200)).toHaveLength(3);
  });
});
