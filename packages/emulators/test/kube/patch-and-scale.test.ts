import { PatchStrategy, type V1Deployment } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startKubeEmulator, type KubeEmulator } from '../../src/kube/index.js';
import { expectStatus } from '../helpers/kube.js';
import { jsonPatch, kubeClients, mergePatch, strategicMergePatch, type KubeClients } from '../../src/testing/index.js';

let emu: KubeEmulator;
let k: KubeClients;
const namespace = 'gw';

beforeAll(async () => {
  emu = await startKubeEmulator();
  k = kubeClients(emu.url);
  await k.core.createNamespace({ body: { metadata: { name: namespace } } });
});
afterAll(async () => emu.close());

const gateway = (name: string): V1Deployment => ({
  metadata: { name, labels: { app: name } },
  spec: {
    replicas: 1,
    selector: { matchLabels: { app: name } },
    template: {
      metadata: { labels: { app: name } },
      spec: {
        containers: [
          {
            name: 'poweb',
            image: 'gateway:1.0.0',
            env: [
              { name: 'MONGODB_DB', value: 'gw' },
              { name: 'LOG_LEVEL', value: 'info' },
            ],
            ports: [{ containerPort: 8080, name: 'http' }],
          },
          { name: 'sidecar', image: 'proxy:1' },
        ],
      },
    },
  },
});

describe('patches', () => {
  test('merge patch merges maps, replaces lists and deletes with null', async () => {
    await k.apps.createNamespacedDeployment({ namespace, body: gateway('merge') });
    const d = await k.apps.patchNamespacedDeployment(
      {
        name: 'merge',
        namespace,
        body: {
          metadata: { labels: { tier: 'web', app: null } },
          spec: { template: { spec: { containers: [{ name: 'poweb', image: 'gateway:1.1.0' }] } } },
        },
      },
      mergePatch,
    );
    expect(d.metadata?.labels).toEqual({ tier: 'web' });
    // A merge patch replaces the whole list: the sidecar and env are gone (the server defaults the rest).
    expect(d.spec?.template.spec?.containers).toEqual([
      {
        name: 'poweb',
        image: 'gateway:1.1.0',
        imagePullPolicy: 'IfNotPresent',
        resources: {},
        terminationMessagePath: '/dev/termination-log',
        terminationMessagePolicy: 'File',
      },
    ]);
  });

  test('strategic merge patch merges containers and env by name', async () => {
    await k.apps.createNamespacedDeployment({ namespace, body: gateway('smp') });
    const d = await k.apps.patchNamespacedDeployment(
      {
        name: 'smp',
        namespace,
        body: {
          spec: {
            template: {
              spec: {
                containers: [
                  { name: 'poweb', image: 'gateway:2.0.0', env: [{ name: 'LOG_LEVEL', value: 'debug' }] },
                  { name: 'sidecar', $patch: 'delete' },
                ],
              },
            },
          },
        },
      },
      strategicMergePatch,
    );
    const [poweb, ...others] = d.spec!.template.spec!.containers;
    expect(others).toEqual([]);
    expect(poweb.image).toBe('gateway:2.0.0');
    expect(poweb.env).toEqual([
      { name: 'MONGODB_DB', value: 'gw' },
      { name: 'LOG_LEVEL', value: 'debug' },
    ]);
    expect(poweb.ports).toEqual([{ containerPort: 8080, name: 'http', protocol: 'TCP' }]);
    expect(d.metadata?.generation).toBe(2);
  });

  test('JSON patch: add, replace, remove, test; a failed test is 422 and changes nothing', async () => {
    await k.apps.createNamespacedDeployment({ namespace, body: gateway('jp') });
    const d = await k.apps.patchNamespacedDeployment(
      {
        name: 'jp',
        namespace,
        body: [
          { op: 'test', path: '/spec/replicas', value: 1 },
          { op: 'replace', path: '/spec/template/spec/containers/0/image', value: 'gateway:3.0.0' },
          { op: 'add', path: '/metadata/annotations', value: { 'gwctl.io/by': 'test' } },
          { op: 'remove', path: '/spec/template/spec/containers/1' },
        ],
      },
      jsonPatch,
    );
    expect(d.spec?.template.spec?.containers.map((c) => c.image)).toEqual(['gateway:3.0.0']);
    expect(d.metadata?.annotations).toEqual({ 'gwctl.io/by': 'test' });
    await expectStatus(
      k.apps.patchNamespacedDeployment(
        {
          name: 'jp',
          namespace,
          body: [
            { op: 'test', path: '/spec/replicas', value: 9 },
            { op: 'replace', path: '/spec/replicas', value: 9 },
          ],
        },
        jsonPatch,
      ),
      422,
    );
    expect((await k.apps.readNamespacedDeployment({ name: 'jp', namespace })).spec?.replicas).toBe(1);
  });

  test('client-node v2 sends JSON patch by default', async () => {
    await k.core.createNamespacedConfigMap({
      namespace,
      body: { metadata: { name: 'default-patch' }, data: { a: '1' } },
    });
    const cm = await k.core.patchNamespacedConfigMap({
      name: 'default-patch',
      namespace,
      body: [{ op: 'add', path: '/data/b', value: '2' }],
    });
    expect(cm.data).toEqual({ a: '1', b: '2' });
    const last = emu.log.list({ method: 'PATCH' }).at(-1);
    expect(last?.status).toBe(200);
  });

  test('a patch carrying a stale resourceVersion is a Conflict', async () => {
    const cm = await k.core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'stale-patch' } } });
    await k.core.patchNamespacedConfigMap({ name: 'stale-patch', namespace, body: { data: { a: '1' } } }, mergePatch);
    await expectStatus(
      k.core.patchNamespacedConfigMap(
        {
          name: 'stale-patch',
          namespace,
          body: { metadata: { resourceVersion: cm.metadata?.resourceVersion }, data: { a: '2' } },
        },
        mergePatch,
      ),
      409,
      'Conflict',
    );
  });

  test('KubernetesObjectApi.patch takes the strategy as a parameter', async () => {
    await k.apps.createNamespacedDeployment({ namespace, body: gateway('generic') });
    const patched = await k.objects.patch(
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'generic', namespace, labels: { patched: 'yes' } },
      },
      undefined,
      undefined,
      'test',
      undefined,
      PatchStrategy.MergePatch,
    );
    expect(patched.metadata?.labels).toEqual({ app: 'generic', patched: 'yes' });
  });

  test('an unknown patch content type is 415', async () => {
    const res = await fetch(`${emu.url}/api/v1/namespaces/${namespace}/configmaps/x`, {
      method: 'PATCH',
      headers: { 'content-type': 'text/plain' },
      body: '{}',
    });
    expect(res.status).toBe(415);
  });
});

describe('scale subresource', () => {
  test('deployment: read, replace and patch the Scale; status follows spec', async () => {
    await k.apps.createNamespacedDeployment({ namespace, body: gateway('scaled') });
    const scale = await k.apps.readNamespacedDeploymentScale({ name: 'scaled', namespace });
    expect(scale.kind).toBe('Scale');
    expect(scale.apiVersion).toBe('autoscaling/v1');
    expect(scale.spec?.replicas).toBe(1);
    expect(scale.status?.selector).toBe('app=scaled');

    await k.apps.replaceNamespacedDeploymentScale({
      name: 'scaled',
      namespace,
      body: { metadata: { name: 'scaled', namespace }, spec: { replicas: 3 } },
    });
    let d = await k.apps.readNamespacedDeployment({ name: 'scaled', namespace });
    expect(d.spec?.replicas).toBe(3);
    expect(d.status).toMatchObject({
      replicas: 3,
      readyReplicas: 3,
      availableReplicas: 3,
      observedGeneration: d.metadata?.generation,
    });

    const patched = await k.apps.patchNamespacedDeploymentScale(
      { name: 'scaled', namespace, body: { spec: { replicas: 0 } } },
      mergePatch,
    );
    expect(patched.spec?.replicas).toBe(0);
    d = await k.apps.readNamespacedDeployment({ name: 'scaled', namespace });
    expect(d.spec?.replicas).toBe(0);
    expect(d.status?.readyReplicas ?? 0).toBe(0);
  });

  test('statefulset: scale by JSON patch and by replace', async () => {
    await k.apps.createNamespacedStatefulSet({
      namespace,
      body: {
        metadata: { name: 'vault' },
        spec: {
          replicas: 1,
          serviceName: 'vault',
          selector: { matchLabels: { app: 'vault' } },
          template: {
            metadata: { labels: { app: 'vault' } },
            spec: { containers: [{ name: 'vault', image: 'vault' }] },
          },
        },
      },
    });
    await k.apps.patchNamespacedStatefulSetScale(
      { name: 'vault', namespace, body: [{ op: 'replace', path: '/spec/replicas', value: 0 }] },
      jsonPatch,
    );
    let sts = await k.apps.readNamespacedStatefulSet({ name: 'vault', namespace });
    expect(sts.spec?.replicas).toBe(0);
    expect(sts.status?.replicas ?? 0).toBe(0);
    const s = await k.apps.replaceNamespacedStatefulSetScale({
      name: 'vault',
      namespace,
      body: { metadata: { name: 'vault' }, spec: { replicas: 2 } },
    });
    expect(s.status?.replicas).toBe(2);
    sts = await k.apps.readNamespacedStatefulSet({ name: 'vault', namespace });
    expect(sts.status).toMatchObject({ replicas: 2, readyReplicas: 2, currentReplicas: 2 });
  });

  test('a Scale with a stale resourceVersion or negative replicas is refused', async () => {
    await k.apps.createNamespacedDeployment({ namespace, body: gateway('guarded') });
    const before = await k.apps.readNamespacedDeploymentScale({ name: 'guarded', namespace });
    await k.apps.replaceNamespacedDeploymentScale({
      name: 'guarded',
      namespace,
      body: { ...before, spec: { replicas: 2 } },
    });
    await expectStatus(
      k.apps.replaceNamespacedDeploymentScale({
        name: 'guarded',
        namespace,
        body: { ...before, spec: { replicas: 5 } },
      }),
      409,
      'Conflict',
    );
    await expectStatus(
      k.apps.patchNamespacedDeploymentScale(
        { name: 'guarded', namespace, body: { spec: { replicas: -1 } } },
        mergePatch,
      ),
      422,
      'Invalid',
    );
  });

  test('the status subresource changes only status', async () => {
    await k.apps.createNamespacedDeployment({ namespace, body: gateway('status') });
    const d = await k.apps.patchNamespacedDeploymentStatus(
      { name: 'status', namespace, body: { status: { readyReplicas: 0 }, spec: { replicas: 7 } } },
      mergePatch,
    );
    expect(d.status?.readyReplicas).toBe(0);
    expect(d.spec?.replicas).toBe(1);
  });
});
