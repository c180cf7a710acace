import type { V1Deployment } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startKubeEmulator, type KubeEmulator } from '../../src/kube/index.js';
import { eventually, expectStatus } from '../helpers/kube.js';
import { kubeClients, mergePatch, type KubeClients } from '../../src/testing/index.js';

let emu: KubeEmulator;
let k: KubeClients;

beforeAll(async () => {
  emu = await startKubeEmulator({ lbTeardownMs: 300, namespaceTeardownMs: 50 });
  k = kubeClients(emu.url);
});
afterAll(async () => emu.close());

let counter = 0;
async function freshNamespace(): Promise<string> {
  const name = `del-${++counter}`;
  await k.core.createNamespace({ body: { metadata: { name } } });
  return name;
}

const deployment = (name: string): V1Deployment => ({
  metadata: { name },
  spec: {
    replicas: 1,
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name, image: 'x' }] } },
  },
});

/** A ConfigMap owned by an object, as a controller would create it. */
async function dependentOf(
  namespace: string,
  owner: { metadata?: { name?: string; uid?: string } },
  name: string,
  finalizers?: string[],
) {
  return k.core.createNamespacedConfigMap({
    namespace,
    body: {
      metadata: {
        name,
        finalizers,
        ownerReferences: [
          { apiVersion: 'apps/v1', kind: 'Deployment', name: owner.metadata!.name!, uid: owner.metadata!.uid! },
        ],
      },
    },
  });
}

const exists = (p: Promise<unknown>) =>
  p.then(
    () => true,
    () => false,
  );

describe('propagation policies', () => {
  test('Background (the default) deletes the owner, then its dependents', async () => {
    const ns = await freshNamespace();
    const owner = await k.apps.createNamespacedDeployment({ namespace: ns, body: deployment('web') });
    await dependentOf(ns, owner, 'web-rs');
    const status = await k.apps.deleteNamespacedDeployment({ name: 'web', namespace: ns });
    expect(status).toMatchObject({ status: 'Success', details: { name: 'web', kind: 'deployments', group: 'apps' } });
    expect(await exists(k.core.readNamespacedConfigMap({ name: 'web-rs', namespace: ns }))).toBe(false);
  });

  test('Foreground keeps the owner until its dependents are gone', async () => {
    const ns = await freshNamespace();
    const owner = await k.apps.createNamespacedDeployment({ namespace: ns, body: deployment('web') });
    await dependentOf(ns, owner, 'web-rs', ['example.com/hold']);
    await k.apps.deleteNamespacedDeployment({ name: 'web', namespace: ns, propagationPolicy: 'Foreground' });
    const pending = await k.apps.readNamespacedDeployment({ name: 'web', namespace: ns });
    expect(pending.metadata?.deletionTimestamp).toBeInstanceOf(Date);
    expect(pending.metadata?.finalizers).toContain('foregroundDeletion');
    expect(
      (await k.core.readNamespacedConfigMap({ name: 'web-rs', namespace: ns })).metadata?.deletionTimestamp,
    ).toBeInstanceOf(Date);

    await k.core.patchNamespacedConfigMap(
      { name: 'web-rs', namespace: ns, body: { metadata: { finalizers: null } } },
      mergePatch,
    );
    await expectStatus(k.core.readNamespacedConfigMap({ name: 'web-rs', namespace: ns }), 404);
    await expectStatus(k.apps.readNamespacedDeployment({ name: 'web', namespace: ns }), 404);
  });

  test('Orphan deletes the owner and releases its dependents', async () => {
    const ns = await freshNamespace();
    const owner = await k.apps.createNamespacedDeployment({ namespace: ns, body: deployment('web') });
    await dependentOf(ns, owner, 'web-rs');
    await k.apps.deleteNamespacedDeployment({ name: 'web', namespace: ns, body: { propagationPolicy: 'Orphan' } });
    await expectStatus(k.apps.readNamespacedDeployment({ name: 'web', namespace: ns }), 404);
    const orphan = await k.core.readNamespacedConfigMap({ name: 'web-rs', namespace: ns });
    expect(orphan.metadata?.ownerReferences).toBeUndefined();
  });

  test('an unknown policy is Invalid; a failed precondition is a Conflict', async () => {
    const ns = await freshNamespace();
    await k.apps.createNamespacedDeployment({ namespace: ns, body: deployment('web') });
    await expectStatus(
      k.apps.deleteNamespacedDeployment({ name: 'web', namespace: ns, propagationPolicy: 'Sometimes' }),
      422,
      'Invalid',
    );
    await expectStatus(
      k.apps.deleteNamespacedDeployment({
        name: 'web',
        namespace: ns,
        body: { preconditions: { uid: 'not-the-uid' } },
      }),
      409,
      'Conflict',
    );
    await k.apps.deleteNamespacedDeployment({ name: 'web', namespace: ns, gracePeriodSeconds: 0 });
  });

  test('deletecollection deletes what the selector matches', async () => {
    const ns = await freshNamespace();
    for (const [name, tier] of [
      ['a', 'web'],
      ['b', 'web'],
      ['c', 'db'],
    ])
      await k.core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name, labels: { tier } } } });
    await k.core.deleteCollectionNamespacedConfigMap({ namespace: ns, labelSelector: 'tier=web' });
    expect((await k.core.listNamespacedConfigMap({ namespace: ns })).items.map((i) => i.metadata?.name)).toEqual([
      'c',
      'kube-root-ca.crt',
    ]);
  });
});

describe('finalizers', () => {
  test('an object with a finalizer stays, marked for deletion, until the finalizer is patched away', async () => {
    const ns = await freshNamespace();
    await k.core.createNamespacedPersistentVolumeClaim({
      namespace: ns,
      body: {
        metadata: { name: 'data', finalizers: ['kubernetes.io/pvc-protection'] },
        spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
      },
    });
    await k.core.deleteNamespacedPersistentVolumeClaim({ name: 'data', namespace: ns });
    const pending = await k.core.readNamespacedPersistentVolumeClaim({ name: 'data', namespace: ns });
    expect(pending.metadata?.deletionTimestamp).toBeInstanceOf(Date);
    // No new finalizers on an object being deleted.
    await expectStatus(
      k.core.patchNamespacedPersistentVolumeClaim(
        { name: 'data', namespace: ns, body: { metadata: { finalizers: ['kubernetes.io/pvc-protection', 'more'] } } },
        mergePatch,
      ),
      422,
      'Invalid',
    );
    await k.core.patchNamespacedPersistentVolumeClaim(
      { name: 'data', namespace: ns, body: { metadata: { finalizers: [] } } },
      mergePatch,
    );
    await expectStatus(k.core.readNamespacedPersistentVolumeClaim({ name: 'data', namespace: ns }), 404);
  });

  test('GKE tears an Ingress load balancer down after lbTeardownMs, then the Ingress is gone', async () => {
    const ns = await freshNamespace();
    const ing = await k.networking.createNamespacedIngress({
      namespace: ns,
      body: {
        metadata: { name: 'public-gateway', annotations: { 'kubernetes.io/ingress.class': 'gce' } },
        spec: { defaultBackend: { service: { name: 'poweb', port: { number: 80 } } } },
      },
    });
    expect(ing.metadata?.finalizers).toEqual(['networking.gke.io/ingress-finalizer-V2']);
    expect(ing.status?.loadBalancer?.ingress?.[0]?.ip).toMatch(/^34\.120\./);

    const started = Date.now();
    await k.networking.deleteNamespacedIngress({ name: 'public-gateway', namespace: ns });
    const pending = await k.networking.readNamespacedIngress({ name: 'public-gateway', namespace: ns });
    expect(pending.metadata?.deletionTimestamp).toBeInstanceOf(Date);
    await eventually(() =>
      exists(k.networking.readNamespacedIngress({ name: 'public-gateway', namespace: ns })).then((e) => !e),
    );
    expect(Date.now() - started).toBeGreaterThanOrEqual(280);
  });

  test('the older GKE finalizer name is honoured too, and the delay can change at run time', async () => {
    const ns = await freshNamespace();
    emu.setLbTeardownMs(50);
    try {
      await k.networking.createNamespacedIngress({
        namespace: ns,
        body: { metadata: { name: 'old', finalizers: ['networking.gke.io/ingress-finalizer'] }, spec: {} },
      });
      await k.networking.deleteNamespacedIngress({ name: 'old', namespace: ns });
      await eventually(
        () => exists(k.networking.readNamespacedIngress({ name: 'old', namespace: ns })).then((e) => !e),
        1_000,
      );
    } finally {
      emu.setLbTeardownMs(300);
    }
  });

  test('an Ingress of another class gets no GKE finalizer and goes at once', async () => {
    const ns = await freshNamespace();
    const ing = await k.networking.createNamespacedIngress({
      namespace: ns,
      body: { metadata: { name: 'nginx' }, spec: { ingressClassName: 'nginx' } },
    });
    expect(ing.metadata?.finalizers).toBeUndefined();
    await k.networking.deleteNamespacedIngress({ name: 'nginx', namespace: ns });
    await expectStatus(k.networking.readNamespacedIngress({ name: 'nginx', namespace: ns }), 404);
  });
});

describe('namespaces', () => {
  test('deleting a namespace: Terminating, contents deleted, then the namespace is gone', async () => {
    const ns = await freshNamespace();
    await k.core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'cfg' } } });
    await k.apps.createNamespacedDeployment({ namespace: ns, body: deployment('web') });
    await k.networking.createNamespacedIngress({ namespace: ns, body: { metadata: { name: 'lb' }, spec: {} } });

    const terminating = await k.core.deleteNamespace({ name: ns });
    // client-node types the answer as V1Status, but the real server returns the Terminating Namespace.
    expect(terminating.kind).toBe('Namespace');
    const read = await k.core.readNamespace({ name: ns });
    expect(read.status?.phase).toBe('Terminating');
    expect((await k.core.listNamespacedConfigMap({ namespace: ns })).items).toEqual([]);
    expect((await k.apps.listNamespacedDeployment({ namespace: ns })).items).toEqual([]);
    // The Ingress waits for its load balancer, and the namespace waits for the Ingress.
    expect((await k.networking.listNamespacedIngress({ namespace: ns })).items).toHaveLength(1);
    await expectStatus(
      k.core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'late' } } }),
      403,
      'Forbidden',
    );
    await expectStatus(k.core.deleteNamespace({ name: ns }), 409, 'Conflict');

    await eventually(() => exists(k.core.readNamespace({ name: ns })).then((e) => !e));
    expect(emu.objects().filter((o) => o.metadata.namespace === ns)).toEqual([]);
  });
});

test('replacing a namespace keeps its finalizer, so deleting it still cascades', async () => {
  const ns = await freshNamespace();
  await k.core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'cfg' } } });
  const replaced = await k.core.replaceNamespace({
    name: ns,
    body: { metadata: { name: ns, labels: { team: 'sre' } }, spec: { finalizers: [] } },
  });
  expect(replaced.spec?.finalizers).toEqual(['kubernetes']);
  expect(replaced.metadata?.labels).toEqual({ team: 'sre', 'kubernetes.io/metadata.name': ns });
  await k.core.deleteNamespace({ name: ns });
  expect((await k.core.readNamespace({ name: ns })).status?.phase).toBe('Terminating');
  await eventually(() => exists(k.core.readNamespace({ name: ns })).then((e) => !e));
});
