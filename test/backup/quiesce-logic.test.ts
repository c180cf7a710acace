import { describe, expect, it } from 'vitest';
import { withQuiesce, type WorkloadRef, type WorkloadScaler } from '../../src/lib/backup/quiesce.js';

const vault: WorkloadRef = { kind: 'StatefulSet', name: 'vault', namespace: 'default' };

function fakeScaler(replicas: number, opts: { failScaleUp?: number } = {}) {
  const history: number[] = [];
  let failures = opts.failScaleUp ?? 0;
  const scaler: WorkloadScaler = {
    read: async () => ({ desired: replicas, ready: replicas }),
    scale: async (_w, n) => {
      if (n > 0 && failures-- > 0) throw new Error('apiserver unavailable');
      history.push(n);
      replicas = n;
    },
  };
  return { scaler, history, replicas: () => replicas };
}

const sleep = async () => {};

describe('quiesce (logic)', () => {
  it('scales Vault to 0 for the copy and back to its replica count', async () => {
    const f = fakeScaler(3);
    let during = -1;
    const { result, quiesce } = await withQuiesce(f.scaler, vault, async () => ((during = f.replicas()), 'copied'), {
      sleep,
    });
    expect(result).toBe('copied');
    expect(during).toBe(0);
    expect(f.history).toEqual([0, 3]);
    expect(quiesce).toEqual({ workload: 'statefulset/default/vault', replicas: 3 });
  });

  it('scales back even when the copy fails, and reports the copy failure', async () => {
    const f = fakeScaler(2);
    await expect(
      withQuiesce(f.scaler, vault, async () => Promise.reject(new Error('copy failed')), { sleep }),
    ).rejects.toThrow('copy failed');
    expect(f.replicas()).toBe(2);
  });

  it('retries scaling back up, and when it cannot, says so with the command that fixes it', async () => {
    const flaky = fakeScaler(2, { failScaleUp: 2 });
    await withQuiesce(flaky.scaler, vault, async () => 'ok', { sleep });
    expect(flaky.replicas()).toBe(2);
    const broken = fakeScaler(2, { failScaleUp: 99 });
    await expect(withQuiesce(broken.scaler, vault, async () => 'ok', { sleep })).rejects.toThrow(
      /still scaled to 0.*kubectl scale statefulset\/vault -n default --replicas=2/,
    );
  });

  it('refuses when the workload does not exist (exit 2)', async () => {
    const scaler: WorkloadScaler = { read: async () => undefined, scale: async () => {} };
    await expect(withQuiesce(scaler, vault, async () => 'x')).rejects.toMatchObject({ exitCode: 2 });
  });
});
