import { describe, expect, it } from 'vitest';
import { withQuiesce, type WorkloadRef, type WorkloadScaler } from '../../src/lib/backup/quiesce.js';
import { decideQuiesce, readMark, type QuiesceMark } from '../../src/lib/backup/quiesce-mark.js';

const vault: WorkloadRef = { kind: 'StatefulSet', name: 'vault', namespace: 'default' };

/** A workload in memory: replicas, the record a quiesced backup leaves on it, and every write in order. */
function fakeScaler(replicas: number, opts: { failScaleUp?: number; mark?: QuiesceMark; conflicts?: number } = {}) {
  const history: string[] = [];
  let failures = opts.failScaleUp ?? 0;
  let conflicts = opts.conflicts ?? 0;
  let mark = opts.mark;
  let version = 1;
  const scaler: WorkloadScaler = {
    read: async () => ({
      desired: replicas,
      ready: replicas,
      resourceVersion: String(version),
      ...(mark ? { mark } : {}),
    }),
    scaleDown: async (_w, m, resourceVersion) => {
      if (conflicts-- > 0) {
        version++; // someone else wrote in between
        return false;
      }
      if (resourceVersion !== String(version)) return false;
      history.push(`0 (recorded ${m.replicas})`);
      replicas = 0;
      mark = m;
      version++;
      return true;
    },
    restore: async (_w, n) => {
      if (failures-- > 0) throw new Error('apiserver unavailable');
      history.push(`${n} (record removed)`);
      replicas = n;
      mark = undefined;
      version++;
    },
  };
  return { scaler, history, replicas: () => replicas, mark: () => mark };
}

const sleep = async () => {};
const by = 'os:sre@laptop (backup 20250601T120000Z-abcdef)';

describe('quiesce (logic)', () => {
  it('records the replica count and scales Vault to 0 in one write, then puts it back and drops the record', async () => {
    const f = fakeScaler(3);
    let during: [number, QuiesceMark | undefined] = [-1, undefined];
    const { result, quiesce } = await withQuiesce(
      f.scaler,
      vault,
      async () => ((during = [f.replicas(), f.mark()]), 'copied'),
      { sleep, by, now: () => new Date('2025-06-01T12:00:00Z') },
    );
    expect(result).toBe('copied');
    expect(during).toEqual([0, { replicas: 3, at: '2025-06-01T12:00:00.000Z', by }]);
    expect(f.history).toEqual(['0 (recorded 3)', '3 (record removed)']);
    expect(quiesce).toEqual({ workload: 'statefulset/default/vault', replicas: 3 });
  });

  it('scales back even when the copy fails, and reports the copy failure', async () => {
    const f = fakeScaler(2);
    await expect(
      withQuiesce(f.scaler, vault, async () => Promise.reject(new Error('copy failed')), { sleep, by }),
    ).rejects.toThrow('copy failed');
    expect(f.replicas()).toBe(2);
    expect(f.mark()).toBeUndefined();
  });

  it('retries scaling back up, and when it cannot, says so with the commands that fix it', async () => {
    const flaky = fakeScaler(2, { failScaleUp: 2 });
    await withQuiesce(flaky.scaler, vault, async () => 'ok', { sleep, by });
    expect(flaky.replicas()).toBe(2);
    const broken = fakeScaler(2, { failScaleUp: 99 });
    await expect(withQuiesce(broken.scaler, vault, async () => 'ok', { sleep, by })).rejects.toThrow(
      /still scaled to 0.*kubectl scale statefulset\/vault -n default --replicas=2 && kubectl annotate statefulset\/vault -n default gwctl\.relaycorp\.tech\/quiesced-replicas-/,
    );
    // The record stays, so the next run (or env status) knows what to put back.
    expect(broken.mark()).toMatchObject({ replicas: 2 });
  });

  it('a run that finds Vault at 0 with a record of an interrupted backup puts the recorded count back', async () => {
    const interrupted = {
      replicas: 3,
      at: '2025-06-01T00:00:00.000Z',
      by: 'os:cron@node-1 (backup 20250601T000000Z-123456)',
    };
    const f = fakeScaler(0, { mark: interrupted });
    const { quiesce } = await withQuiesce(f.scaler, vault, async () => 'copied', { sleep, by });
    expect(f.history).toEqual(['3 (record removed)']);
    expect(quiesce).toEqual({ workload: 'statefulset/default/vault', replicas: 3, recovered: interrupted });
  });

  it('leaves a Vault someone stopped by hand (at 0, no record) at 0', async () => {
    const f = fakeScaler(0);
    const { quiesce } = await withQuiesce(f.scaler, vault, async () => 'copied', { sleep, by });
    expect(f.history).toEqual([]);
    expect(quiesce.replicas).toBe(0);
  });

  it('reads again when the workload changed between its read and the scale-down', async () => {
    const f = fakeScaler(3, { conflicts: 2 });
    await withQuiesce(f.scaler, vault, async () => 'copied', { sleep, by });
    expect(f.history).toEqual(['0 (recorded 3)', '3 (record removed)']);
  });

  it('refuses when the workload does not exist (exit 2)', async () => {
    const scaler: WorkloadScaler = {
      read: async () => undefined,
      scaleDown: async () => true,
      restore: async () => {},
    };
    await expect(withQuiesce(scaler, vault, async () => 'x', { by })).rejects.toMatchObject({ exitCode: 2 });
  });
});

describe('the quiesce record', () => {
  it('decides from what it finds: a record at 0 is an interrupted backup, a record with replicas is stale', () => {
    const mark = { replicas: 3, at: 't', by: 'b' };
    expect(decideQuiesce({ desired: 3 })).toEqual({ from: 3, restoreTo: 3 });
    expect(decideQuiesce({ desired: 0, mark })).toEqual({ from: 0, restoreTo: 3, recovered: mark });
    expect(decideQuiesce({ desired: 2, mark })).toEqual({ from: 2, restoreTo: 2, stale: mark });
  });

  it('refuses a replica count that is not one (exit 2), rather than guessing', () => {
    expect(() => readMark('statefulset/default/vault', { 'gwctl.relaycorp.tech/quiesced-replicas': 'three' })).toThrow(
      /not a replica count/,
    );
    expect(readMark('x', {})).toBeUndefined();
  });
});
