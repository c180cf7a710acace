import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKubeEmulator, type KubeEmulator } from '@gwctl/emulators/kube';
import { UsageError } from '../../src/lib/errors/gwctl-error.js';
import { configMapKeyev } from '../../src/lib/keyev/configmap-backend.js';
import { openConfigMapApi } from '../../src/lib/cloud/kube-configmaps.js';
import { openKeyev, type KeyevStore } from '../../src/lib/keyev/index.js';
import { kubeClients } from '@gwctl/emulators/testing';
import { testEnvironment } from '../helpers/migrate-env.js';

describe('keyev on a Kubernetes ConfigMap', () => {
  let kube: KubeEmulator;
  let keyev: KeyevStore;
  const env = () =>
    testEnvironment({ kubeServer: kube.url, keyev: { backend: 'configmap', configMap: 'gateway-keyev' } });
  beforeAll(async () => {
    kube = await startKubeEmulator();
    keyev = await openKeyev(env());
  });
  afterAll(async () => {
    await keyev.close();
    await kube.close();
  });

  it('creates the ConfigMap on first write, then reads, lists and deletes', async () => {
    expect(keyev.backend).toBe('configmap');
    expect(await keyev.list()).toEqual(new Map());
    await keyev.set('current_id', '0b5f1c');
    await keyev.setMany(
      new Map([
        ['a', '1'],
        ['b', '2'],
      ]),
    );
    const cm = await kubeClients(kube.url).core.readNamespacedConfigMap({
      name: 'gateway-keyev',
      namespace: 'default',
    });
    expect(cm.data).toEqual({ current_id: '0b5f1c', a: '1', b: '2' });
    expect(await keyev.get('b')).toBe('2');
    expect(await keyev.delete('a')).toBe(true);
    expect(await keyev.delete('a')).toBe(false);
    expect(Object.fromEntries(await keyev.list())).toEqual({ current_id: '0b5f1c', b: '2' });
  });

  it('keeps labels and other keys, and retries instead of losing a concurrent update', async () => {
    const { core } = kubeClients(kube.url);
    const cm = await core.readNamespacedConfigMap({ name: 'gateway-keyev', namespace: 'default' });
    await core.replaceNamespacedConfigMap({
      name: 'gateway-keyev',
      namespace: 'default',
      body: { ...cm, metadata: { ...cm.metadata, labels: { app: 'gateway' } } },
    });
    // An API whose first replace races with another writer: the stale resourceVersion gets a real 409 from the emulator.
    const api = await openConfigMapApi(env());
    let raced = false;
    const racing = {
      ...api,
      async replace(namespace: string, name: string, body: Parameters<typeof api.replace>[2]) {
        if (!raced) {
          raced = true;
          const fresh = await core.readNamespacedConfigMap({ name, namespace });
          await core.replaceNamespacedConfigMap({
            name,
            namespace,
            body: { ...fresh, data: { ...fresh.data, other: 'writer' } },
          });
        }
        return api.replace(namespace, name, body);
      },
    };
    await configMapKeyev(racing, 'default', 'gateway-keyev').set('c', '3');
    const after = await core.readNamespacedConfigMap({ name: 'gateway-keyev', namespace: 'default' });
    expect(after.data).toMatchObject({ other: 'writer', c: '3', current_id: '0b5f1c' });
    expect(after.metadata?.labels).toEqual({ app: 'gateway' });
    expect(kube.log.list({ service: 'kube' }).some((r) => r.method === 'PUT' && r.status === 409)).toBe(true);
  });

  it('refuses a key that breaks the ConfigMap key rule, naming the rule, without calling the API', async () => {
    kube.log.clear();
    await expect(keyev.set('current id', 'x')).rejects.toThrow(UsageError);
    await expect(keyev.set('current id', 'x')).rejects.toThrow(/"current id".*letters, digits, '-', '_' and '\.'/);
    await expect(keyev.set('k'.repeat(254), 'x')).rejects.toThrow(/at most 253 characters/);
    expect(kube.log.list({ service: 'kube' })).toEqual([]);
  });
});
