import { afterEach, describe, expect, it } from 'vitest';
import { resultOf, runGwctl, tempDir } from '../helpers/cli.js';
import { startGatewayFixture, type GatewayFixture } from '../helpers/gateway-fixture.js';

let f: GatewayFixture | undefined;
afterEach(async () => {
  await f?.close();
  f = undefined;
});

const gwctl = (fx: GatewayFixture, ...args: string[]) => runGwctl(args, { cwd: tempDir(), env: fx.cliEnv });

/** Parcels straight through the JSON API's media upload, 64 at a time: what a busy gateway's bucket holds. */
async function seedParcels(fx: GatewayFixture, n: number): Promise<void> {
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < n; i = next++) {
      const name = encodeURIComponent(`parcels/gateway-bound/${(i % 97).toString(16)}/${i.toString(36)}`);
      const res = await fetch(
        `${fx.gcs.url}/upload/storage/v1/b/${fx.buckets.parcels}/o?uploadType=media&name=${name}`,
        { method: 'POST', headers: { 'content-type': 'application/vnd.awala.parcel' }, body: `parcel ${i}` },
      );
      if (!res.ok) throw new Error(`seeding parcel ${i}: HTTP ${res.status}`);
      await res.arrayBuffer();
    }
  };
  await Promise.all(Array.from({ length: 64 }, worker));
}

/** Object listings (`GET …/b/<bucket>/o`), per bucket: what a full inventory would have made thousands of. */
function listings(fx: GatewayFixture): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const r of fx.gcs.log.list({ method: 'GET' })) {
    const m = /^\/storage\/v1\/b\/([^/?]+)\/o(\?.*)?$/.exec(r.path);
    if (m) (out[m[1]!] ??= []).push(m[2] ?? '');
  }
  return out;
}

describe('planning a deprovision never lists a bucket whole', { timeout: 240_000 }, () => {
  it('--dry-run against a bucket of 20,000 objects makes a handful of list calls, and says how many objects from Cloud Monitoring', async () => {
    f = await startGatewayFixture();
    await seedParcels(f, 20_000);
    // Cloud Monitoring's daily measurement (storage/object_count, total_bytes) is what gives the count.
    f.monitoring.measureStorage();
    f.gcs.log.clear();

    const r = await gwctl(f, 'env', 'deprovision', 'staging', '--dry-run');
    expect(r.code, r.stderr).toBe(0);
    const calls = listings(f);
    const parcels = calls[f.buckets.parcels]!;
    // One listing of one object (empty or not), one page of soft-deleted objects.
    expect(parcels).toHaveLength(2);
    expect(parcels.filter((q) => q.includes('maxResults=1&') || q.endsWith('maxResults=1'))).toHaveLength(1);
    expect(Object.values(calls).flat().length).toBeLessThanOrEqual(8);
    expect(r.stdout).toMatch(
      new RegExp(
        `set-lifecycle gs://${f.buckets.parcels} — .*about 20040 object\\(s\\), [\\d.]+ KiB \\(Cloud Monitoring, measured daily\\) go at the next lifecycle run`,
      ),
    );

    f.gcs.log.clear();
    const status = await gwctl(f, 'env', 'status', 'staging', '--json');
    expect(status.code, status.stderr).toBe(0);
    const bucket = resultOf(status).leftovers.buckets.find((b: { name: string }) => b.name === f!.buckets.parcels);
    expect(bucket).toMatchObject({ exists: true, empty: false, objects: 20_040 });
    expect(listings(f)[f.buckets.parcels]).toHaveLength(2);
    expect(status.stderr).toMatch(
      /Buckets: 4 of 4 not empty \(about 20\d{3} object\(s\) at Cloud Monitoring's last daily measurement\)/,
    );
  });

  it('without Cloud Monitoring the plan still goes ahead: emptiness is known, counts are not', async () => {
    f = await startGatewayFixture();
    await f.monitoring.close();
    const r = await gwctl(f, 'env', 'deprovision', 'staging', '--dry-run');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/note: object counts unavailable \(Cloud Monitoring: UNAVAILABLE: /);
    expect(r.stdout).toMatch(
      new RegExp(
        `set-lifecycle gs://${f.buckets.parcels} — .*its objects \\(not counted: Cloud Monitoring has no measurement`,
      ),
    );
  });
});
