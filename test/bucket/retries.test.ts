import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openBucketAdmin, type LifecycleRule } from '../../src/lib/cloud/buckets.js';
import { openEnvironmentAdmins } from '../../src/lib/cloud/environment-admins.js';
import { openObjectStore } from '../../src/lib/cloud/gcs-object-store.js';
import type { RetryOptions } from '../../src/lib/cloud/retry.js';
import type { RecordedRequest } from '@gwctl/emulators/common';
import { startGcsEmulator, type GcsEmulator } from '@gwctl/emulators/gcs';
import { gcsClient } from '@gwctl/emulators/testing';
import { testEnvironment } from '../helpers/migrate-env.js';
import { LOSE_ANSWER, startInterceptor, type CannedResponse, type Interceptor } from './gcs-interceptor.js';

/**
 * One layer of retries per call, with a total deadline. The waits are recorded instead of slept and the
 * clock advances by them, so nothing here depends on wall-clock speed: only on tries and giving up.
 */
function virtualTime(): { waits: number[]; retry: RetryOptions } {
  const waits: number[] = [];
  let t = 0;
  return {
    waits,
    retry: {
      now: () => t,
      sleep: async (ms) => {
        waits.push(ms);
        t += ms;
      },
    },
  };
}

/** A throttled (429, RFC 6585) or unavailable (503) answer carrying Retry-After in delta-seconds (RFC 9110 §10.2.3). */
const busy = (status: 429 | 503, retryAfter: string): CannedResponse => ({
  status,
  headers: { 'retry-after': retryAfter },
  body: {
    error: { code: status, message: status === 429 ? 'The rate of change requests is too high.' : 'Backend Error' },
  },
});

const BUCKET = 'gateway-retry-parcels';
let emu: GcsEmulator;
let standIn: Interceptor | undefined;
const envAt = (url: string) => testEnvironment({ emulators: { storage: url }, kubeServer: 'http://127.0.0.1:1' });
const triesOf = (from: number, method: string, path: string): RecordedRequest[] =>
  emu.log.entries.slice(from).filter((r) => r.method === method && r.path.split('?')[0] === path);

beforeAll(async () => {
  emu = await startGcsEmulator();
  await gcsClient(emu.url).createBucket(BUCKET);
  await gcsClient(emu.url).bucket(BUCKET).file('parcel-1').save('sealed parcel', { resumable: false });
});
afterEach(async () => {
  emu.faults.set({});
  await standIn?.close();
  standIn = undefined;
});
afterAll(() => emu.close());

describe('a call that keeps failing is tried at most one layer’s worth of times', () => {
  it('env commands: a bucket read answered 503 every time is tried 8 times, not 8 × 8', async () => {
    const time = virtualTime();
    const { buckets } = await openEnvironmentAdmins(envAt(emu.url), { retry: time.retry });
    emu.faults.set({ p503: 1 });
    const from = emu.log.entries.length;
    const err = (await buckets.settings(BUCKET).catch((e: unknown) => e)) as Error;
    expect(triesOf(from, 'GET', `/storage/v1/b/${BUCKET}`)).toHaveLength(8);
    expect(time.waits).toHaveLength(7);
    expect(err.message).toMatch(/^bucket gs:\/\/gateway-retry-parcels: .*\(gave up after 8 tries in .*\)$/);
  });

  it('bucket ttl: a dropped connection on every listing page is tried 8 times, then reported', async () => {
    const time = virtualTime();
    const admin = await openBucketAdmin(envAt(emu.url), { retry: time.retry });
    emu.faults.set({ pReset: 1 });
    const from = emu.log.entries.length;
    await expect(admin.inventory(BUCKET)).rejects.toThrow(/^listing gs:\/\/gateway-retry-parcels: /);
    expect(triesOf(from, 'GET', `/storage/v1/b/${BUCKET}/o`)).toHaveLength(8);
  });

  it('backup: a stat and a download (the SDK path) answered 503 are each tried 10 times', async () => {
    const time = virtualTime();
    const store = await openObjectStore(envAt(emu.url), { retry: time.retry });
    emu.faults.set({ p503: 1 });
    let from = emu.log.entries.length;
    await expect(store.stat({ bucket: BUCKET, name: 'parcel-1' })).rejects.toThrow(/gave up after 10 tries/);
    expect(triesOf(from, 'GET', `/storage/v1/b/${BUCKET}/o/parcel-1`)).toHaveLength(10);
    from = emu.log.entries.length;
    await expect(store.read({ bucket: BUCKET, name: 'parcel-1' })).rejects.toThrow(/gave up after 10 tries/);
    expect(emu.log.entries.slice(from)).toHaveLength(10);
  });
});

describe('a request that hangs', () => {
  it('backup: a request the service never answers is abandoned and tried again, not waited on forever', async () => {
    let hung = false;
    standIn = await startInterceptor(emu.url, () => {
      if (hung) return undefined;
      hung = true;
      return new Promise<undefined>(() => {}); // accepted, never answered
    });
    const store = await openObjectStore(envAt(standIn.url), { retry: virtualTime().retry, requestTimeoutMs: 200 });
    expect((await store.stat({ bucket: BUCKET, name: 'parcel-1' }))?.name).toBe('parcel-1');
    expect(hung).toBe(true);
  });
});

describe('the total deadline', () => {
  it('stops retrying once the next wait would end past it, whatever tries are left', async () => {
    // Retry-After makes every wait exactly 1 s: tries at 0, 1 and 2 s; a third wait would end at 3 s > 2.5 s.
    standIn = await startInterceptor(emu.url, () => busy(503, '1'));
    const time = virtualTime();
    const admin = await openBucketAdmin(envAt(standIn.url), { retry: { ...time.retry, deadlineMs: 2_500 } });
    const err = (await admin.settings(BUCKET).catch((e: unknown) => e)) as Error;
    expect(time.waits).toEqual([1000, 1000]);
    expect(err.message).toMatch(/gave up after 3 tries in 2\.0s: the 2\.5s retry deadline \(GWCTL_RETRY_DEADLINE\)/);
  });

  it('a Retry-After beyond the deadline fails at once instead of hanging for an hour', async () => {
    standIn = await startInterceptor(emu.url, () => busy(429, '3600'));
    const time = virtualTime();
    const admin = await openBucketAdmin(envAt(standIn.url), { retry: time.retry });
    const err = (await admin.settings(BUCKET).catch((e: unknown) => e)) as Error;
    expect(time.waits).toEqual([]);
    expect(err.message).toMatch(/asked to retry in 1h, past the 1m retry deadline \(GWCTL_RETRY_DEADLINE\)/);
  });

  it('GWCTL_RETRY_DEADLINE=0 turns retries off: a failing call is tried once', async () => {
    process.env.GWCTL_RETRY_DEADLINE = '0';
    try {
      const admin = await openBucketAdmin(envAt(emu.url), { retry: virtualTime().retry });
      emu.faults.set({ p503: 1 });
      const from = emu.log.entries.length;
      await expect(admin.settings(BUCKET)).rejects.toThrow(/not retried: GWCTL_RETRY_DEADLINE=0 turns retries off/);
      expect(triesOf(from, 'GET', `/storage/v1/b/${BUCKET}`)).toHaveLength(1);
    } finally {
      delete process.env.GWCTL_RETRY_DEADLINE;
    }
  });

  it('a malformed GWCTL_RETRY_DEADLINE is a usage error, not a silent default', async () => {
    process.env.GWCTL_RETRY_DEADLINE = 'soon';
    try {
      const admin = await openBucketAdmin(envAt(emu.url), { retry: virtualTime().retry });
      await expect(admin.settings(BUCKET)).rejects.toMatchObject({
        exitCode: 2,
        message: expect.stringMatching(/GWCTL_RETRY_DEADLINE="soon" is not a duration/),
      });
    } finally {
      delete process.env.GWCTL_RETRY_DEADLINE;
    }
  });
});

describe('Retry-After and preconditions', () => {
  it('a 429 with Retry-After: 2 waits the 2 s the service asked for, then succeeds', async () => {
    let throttled = false;
    standIn = await startInterceptor(emu.url, (req) => {
      if (req.method !== 'GET' || throttled) return undefined;
      throttled = true;
      return busy(429, '2');
    });
    const time = virtualTime();
    const admin = await openBucketAdmin(envAt(standIn.url), { retry: time.retry });
    expect((await admin.settings(BUCKET)).name).toBe(BUCKET);
    expect(time.waits).toEqual([2000]);
  });

  it('a TTL patch whose answer was lost is retried; finding its own change there (412), it succeeds', async () => {
    const rules: LifecycleRule[] = [{ action: { type: 'Delete' }, condition: { age: 14 } }];
    let lost = false;
    standIn = await startInterceptor(emu.url, (req) => {
      if (req.method !== 'PATCH' || lost) return undefined;
      lost = true;
      return LOSE_ANSWER;
    });
    const admin = await openBucketAdmin(envAt(standIn.url), { retry: virtualTime().retry });
    const { metageneration } = await admin.settings(BUCKET);
    const from = emu.log.entries.length;
    const after = await admin.patch(BUCKET, { lifecycleRules: rules }, { ifMetageneration: metageneration });
    expect(after.lifecycleRules).toEqual(rules);
    // GCS bumps the metageneration on the first (landed) patch, so the retry's precondition fails: 200, then 412.
    expect(triesOf(from, 'PATCH', `/storage/v1/b/${BUCKET}`).map((r) => r.status)).toEqual([200, 412]);
  });

  it('a patch refused by a real concurrent change (412) is not retried and not mistaken for ours', async () => {
    const admin = await openBucketAdmin(envAt(emu.url), { retry: virtualTime().retry });
    const { metageneration } = await admin.settings(BUCKET);
    await gcsClient(emu.url)
      .bucket(BUCKET)
      .setMetadata({ labels: { owner: 'someone-else' } });
    const from = emu.log.entries.length;
    await expect(
      admin.patch(BUCKET, { lifecycleRules: [] }, { ifMetageneration: metageneration }),
    ).rejects.toMatchObject({ name: 'ConcurrentChangeError' });
    expect(triesOf(from, 'PATCH', `/storage/v1/b/${BUCKET}`)).toHaveLength(1);
  });
});
