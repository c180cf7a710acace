import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiException, Watch } from '@kubernetes/client-node';
import { afterEach, describe, expect, test } from 'vitest';
import { FaultInjector } from '../../src/common/faults.js';
import { RequestLog } from '../../src/common/request-log.js';
import { startKubeEmulator, type KubeEmulator } from '../../src/kube/index.js';
import { eventually } from '../helpers/kube.js';
import { kubeClients, statusOf } from '../../src/testing/index.js';

const running: KubeEmulator[] = [];
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((e) => e.close()));
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function start(opts: Parameters<typeof startKubeEmulator>[0] = {}): Promise<KubeEmulator> {
  const emu = await startKubeEmulator(opts);
  running.push(emu);
  return emu;
}

/** Deterministic stand-in for Math.random, so the fault mix is the same on every run. */
function seededRandom(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const control = (emu: KubeEmulator, path: string, body?: unknown) =>
  fetch(
    `${emu.url}/_emulator/${path}`,
    body === undefined
      ? {}
      : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) },
  ).then((r) => r.json());

describe('fault injection', () => {
  test('with 20 % faults the client sees 429 and 503 Status bodies and dropped connections, all logged', async () => {
    const log = new RequestLog();
    const emu = await start({ log, faults: new FaultInjector({}, seededRandom(42)) });
    const { core } = kubeClients(emu.url);
    await core.createNamespace({ body: { metadata: { name: 'gw' } } });
    await control(emu, 'faults', { probability: 0.2 });

    const seen = { ok: 0, 429: 0, 503: 0, reset: 0 };
    for (let i = 0; i < 90; i++) {
      try {
        await core.readNamespace({ name: 'gw' });
        seen.ok++;
      } catch (err) {
        if (err instanceof ApiException) {
          const body = statusOf(err);
          expect(body.kind).toBe('Status');
          expect(body).toMatchObject(
            err.code === 429 ? { reason: 'TooManyRequests', code: 429 } : { reason: 'ServiceUnavailable', code: 503 },
          );
          seen[err.code as 429 | 503]++;
        } else seen.reset++;
      }
    }
    expect(seen[429]).toBeGreaterThan(0);
    expect(seen[503]).toBeGreaterThan(0);
    expect(seen.reset).toBeGreaterThan(0);
    expect(seen.ok).toBeGreaterThan(50);

    await control(emu, 'faults', { p429: 0, p503: 0, pReset: 0 });
    const reads = log.list({ service: 'kube' }).filter((r) => r.path === '/api/v1/namespaces/gw');
    expect(reads.filter((r) => r.fault === '429').every((r) => r.status === 429)).toBe(true);
    expect(reads.filter((r) => r.fault === 'reset')).toHaveLength(seen.reset);
    expect(reads.filter((r) => r.fault === 'reset').every((r) => r.status === 0)).toBe(true);
    expect(log.list().some((r) => r.path.startsWith('/_emulator/'))).toBe(false);
  });
});

describe('control endpoint', () => {
  test('requests, state, lb-teardown and seed', async () => {
    const emu = await start();
    const { core, networking } = kubeClients(emu.url);
    await control(emu, 'seed', {
      objects: [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'seeded', namespace: 'gw' } }],
    });
    expect((await core.readNamespacedConfigMap({ name: 'seeded', namespace: 'gw' })).metadata?.uid).toBeTruthy();

    const { requests } = (await control(emu, 'requests')) as {
      requests: { method: string; path: string; status: number }[];
    };
    expect(requests).toEqual([
      expect.objectContaining({ method: 'GET', path: '/api/v1/namespaces/gw/configmaps/seeded', status: 200 }),
    ]);

    expect(await control(emu, 'lb-teardown', { ms: 10 })).toEqual({ ms: 10 });
    await networking.createNamespacedIngress({ namespace: 'gw', body: { metadata: { name: 'lb' }, spec: {} } });
    await networking.deleteNamespacedIngress({ name: 'lb', namespace: 'gw' });
    await eventually(
      async () => (await networking.listNamespacedIngress({ namespace: 'gw' })).items.length === 0,
      1_000,
    );

    const state = (await control(emu, 'state')) as {
      resourceVersion: number;
      lbTeardownMs: number;
      objects: { kind: string; metadata: { name: string } }[];
    };
    expect(state.lbTeardownMs).toBe(10);
    expect(state.objects.filter((o) => o.kind === 'ConfigMap' && o.metadata.name === 'seeded')).toHaveLength(1);
  });
});

describe('persistence', () => {
  test('with dataDir the cluster survives a restart, resourceVersions keep rising', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'kube-emu-'));
    dirs.push(dataDir);
    const first = await startKubeEmulator({ dataDir });
    const a = kubeClients(first.url);
    await a.core.createNamespace({ body: { metadata: { name: 'gw' } } });
    const cm = await a.core.createNamespacedConfigMap({
      namespace: 'gw',
      body: { metadata: { name: 'cfg' }, data: { k: 'v' } },
    });
    await first.close();

    const second = await start({ dataDir });
    const b = kubeClients(second.url);
    const again = await b.core.readNamespacedConfigMap({ name: 'cfg', namespace: 'gw' });
    expect(again.metadata?.uid).toBe(cm.metadata?.uid);
    expect(again.data).toEqual({ k: 'v' });
    const next = await b.core.createNamespacedConfigMap({ namespace: 'gw', body: { metadata: { name: 'later' } } });
    expect(Number(next.metadata?.resourceVersion)).toBeGreaterThan(Number(cm.metadata?.resourceVersion));
  });
});

describe('watch', () => {
  test('client-node Watch sees ADDED, MODIFIED and DELETED events', async () => {
    const emu = await start();
    const k = kubeClients(emu.url);
    await k.core.createNamespace({ body: { metadata: { name: 'gw' } } });
    const events: string[] = [];
    const req = await new Watch(k.kc).watch(
      '/api/v1/namespaces/gw/configmaps',
      {},
      (type, obj: { metadata: { name: string } }) => events.push(`${type} ${obj.metadata.name}`),
      () => {},
    );
    await k.core.createNamespacedConfigMap({ namespace: 'gw', body: { metadata: { name: 'w' } } });
    await k.core.replaceNamespacedConfigMap({
      name: 'w',
      namespace: 'gw',
      body: { metadata: { name: 'w' }, data: { a: '1' } },
    });
    await k.core.deleteNamespacedConfigMap({ name: 'w', namespace: 'gw' });
    // A watch from no resourceVersion first lists what exists (kube-root-ca.crt) as ADDED.
    const ofW = () => events.filter((e) => e.endsWith(' w'));
    await eventually(() => ofW().length === 3, 2_000);
    expect(ofW()).toEqual(['ADDED w', 'MODIFIED w', 'DELETED w']);
    req.abort();
  });
});
