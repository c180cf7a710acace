import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startKubeEmulator, type KubeEmulator } from '../../src/kube/index.js';
import { parseImage, runningImage } from '../../src/kube/image-ids.js';
import { kubeClients, type KubeClients } from '../../src/testing/index.js';
import { eventually } from '../helpers/kube.js';

let emu: KubeEmulator;
let k: KubeClients;
const namespace = 'gw';
const DIGEST = `sha256:${'ab'.repeat(32)}`;

beforeAll(async () => {
  emu = await startKubeEmulator({ namespaceTeardownMs: 10 });
  k = kubeClients(emu.url);
  await k.core.createNamespace({ body: { metadata: { name: namespace } } });
});
afterAll(async () => emu.close());

const deployment = (name: string, image: string, replicas = 2) => ({
  metadata: { name, labels: { app: name } },
  spec: {
    replicas,
    selector: { matchLabels: { app: name } },
    template: {
      metadata: { labels: { app: name } },
      spec: { containers: [{ name: 'main', image, ports: [{ containerPort: 8080 }] }] },
    },
  },
});

const podsOf = async (prefix: string) =>
  (await k.core.listNamespacedPod({ namespace })).items.filter((p) => p.metadata!.name!.startsWith(prefix));

describe('what the API server and controllers add', () => {
  // https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/deployment-v1/#DeploymentSpec
  // (revisionHistoryLimit "Defaults to 10", progressDeadlineSeconds "Defaults to 600s", strategy RollingUpdate
  // 25 %/25 %) and .../pod-v1/#Container (terminationMessagePath, terminationMessagePolicy, imagePullPolicy).
  test('a Deployment is stored with the server defaults a manifest never states', async () => {
    const d = await k.apps.createNamespacedDeployment({ namespace, body: deployment('defaults', 'nginx:1.25') });
    expect(d.spec).toMatchObject({
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
    });
    expect(d.spec!.template.spec).toMatchObject({
      restartPolicy: 'Always',
      dnsPolicy: 'ClusterFirst',
      schedulerName: 'default-scheduler',
      terminationGracePeriodSeconds: 30,
      securityContext: {},
    });
    expect(d.spec!.template.spec!.containers[0]).toMatchObject({
      imagePullPolicy: 'IfNotPresent',
      terminationMessagePath: '/dev/termination-log',
      terminationMessagePolicy: 'File',
      ports: [{ containerPort: 8080, protocol: 'TCP' }],
    });
    // Sending back what was read changes nothing: defaults are part of the object. (Read it again first:
    // the Deployment controller has annotated it with its revision since it was created.)
    const read = await k.apps.readNamespacedDeployment({ name: 'defaults', namespace });
    const again = await k.apps.replaceNamespacedDeployment({ name: 'defaults', namespace, body: read });
    expect(again.metadata?.generation).toBe(1);
  });

  // https://kubernetes.io/docs/concepts/workloads/controllers/deployment/: "The Deployment creates a ReplicaSet
  // that creates … Pods"; pod-template-hash "is added by the Deployment controller to every ReplicaSet".
  test('a Deployment runs its pods through a ReplicaSet it owns, and a new template makes a new one', async () => {
    await k.apps.createNamespacedDeployment({ namespace, body: deployment('web', 'nginx:1.25') });
    const [rs1] = (await k.apps.listNamespacedReplicaSet({ namespace, labelSelector: 'app=web' })).items;
    expect(rs1!.metadata!.ownerReferences).toEqual([
      expect.objectContaining({ kind: 'Deployment', name: 'web', controller: true }),
    ]);
    expect(rs1!.metadata!.name).toBe(`web-${rs1!.metadata!.labels!['pod-template-hash']}`);
    expect(rs1!.metadata!.annotations!['deployment.kubernetes.io/revision']).toBe('1');
    const pods = await podsOf(`${rs1!.metadata!.name}-`);
    expect(pods).toHaveLength(2);
    expect(pods[0]!.metadata!.ownerReferences![0]).toMatchObject({ kind: 'ReplicaSet', uid: rs1!.metadata!.uid });
    expect(pods[0]!.status!.phase).toBe('Running');

    await k.apps.patchNamespacedDeployment({
      name: 'web',
      namespace,
      body: [{ op: 'replace', path: '/spec/template/spec/containers/0/image', value: 'nginx:1.26' }],
    });
    const sets = (await k.apps.listNamespacedReplicaSet({ namespace, labelSelector: 'app=web' })).items;
    expect(sets.map((s) => [s.metadata!.annotations!['deployment.kubernetes.io/revision'], s.spec!.replicas])).toEqual(
      expect.arrayContaining([
        ['1', 0],
        ['2', 2],
      ]),
    );
    expect(await podsOf(`${rs1!.metadata!.name}-`)).toHaveLength(0);
    const d = await k.apps.readNamespacedDeployment({ name: 'web', namespace });
    expect(d.metadata!.annotations!['deployment.kubernetes.io/revision']).toBe('2');
  });

  // https://kubernetes.io/docs/concepts/architecture/garbage-collection/#owners-dependents
  test('deleting a Deployment takes its ReplicaSets and pods along', async () => {
    await k.apps.createNamespacedDeployment({ namespace, body: deployment('gone', 'nginx:1.25', 1) });
    expect(await podsOf('gone-')).toHaveLength(1);
    await k.apps.deleteNamespacedDeployment({ name: 'gone', namespace });
    await eventually(async () => (await podsOf('gone-')).length === 0);
    expect((await k.apps.listNamespacedReplicaSet({ namespace, labelSelector: 'app=gone' })).items).toEqual([]);
  });

  // https://kubernetes.io/docs/concepts/workloads/controllers/statefulset/#stable-storage: a claim per pod,
  // named <volumeClaimTemplate>-<statefulset>-<ordinal>, kept when the pod goes.
  test('a StatefulSet owns pods <name>-<ordinal> and makes their claims', async () => {
    await k.apps.createNamespacedStatefulSet({
      namespace,
      body: {
        metadata: { name: 'vault' },
        spec: {
          replicas: 2,
          serviceName: 'vault',
          selector: { matchLabels: { app: 'vault' } },
          template: { metadata: { labels: { app: 'vault' } }, spec: { containers: [{ name: 'v', image: 'vault' }] } },
          volumeClaimTemplates: [
            {
              metadata: { name: 'data' },
              spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
            },
          ],
        },
      },
    });
    expect((await podsOf('vault-')).map((p) => p.metadata!.name).sort()).toEqual(['vault-0', 'vault-1']);
    const claim = await k.core.readNamespacedPersistentVolumeClaim({ name: 'data-vault-1', namespace });
    expect(claim.metadata!.labels).toEqual({ app: 'vault' });
    await k.apps.patchNamespacedStatefulSet({
      name: 'vault',
      namespace,
      body: [{ op: 'replace', path: '/spec/replicas', value: 1 }],
    });
    expect((await podsOf('vault-')).map((p) => p.metadata!.name)).toEqual(['vault-0']);
    expect(
      (await k.core.readNamespacedPersistentVolumeClaim({ name: 'data-vault-1', namespace })).metadata,
    ).toBeDefined();
  });

  // https://kubernetes.io/docs/concepts/security/service-accounts/#default-service-accounts and
  // https://kubernetes.io/docs/tasks/configure-pod-container/configure-service-account/ (kube-root-ca.crt).
  test('every namespace gets the default ServiceAccount and kube-root-ca.crt, and the cluster its kubernetes Service', async () => {
    await k.core.createNamespace({ body: { metadata: { name: 'fresh' } } });
    expect((await k.core.readNamespacedServiceAccount({ name: 'default', namespace: 'fresh' })).metadata).toBeDefined();
    const ca = await k.core.readNamespacedConfigMap({ name: 'kube-root-ca.crt', namespace: 'fresh' });
    expect(ca.data!['ca.crt']).toMatch(/BEGIN CERTIFICATE/);
    const api = await k.core.readNamespacedService({ name: 'kubernetes', namespace: 'default' });
    expect(api.metadata!.labels).toEqual({ component: 'apiserver', provider: 'kubernetes' });
    await k.core.deleteNamespace({ name: 'fresh' });
    await eventually(async () => !(await k.core.listNamespace()).items.some((n) => n.metadata!.name === 'fresh'));
  });
});

describe('image IDs the kubelet reports', () => {
  // containerd qualifies Docker Hub names (https://github.com/distribution/reference: "docker.io/library/").
  test('names are qualified and a digest pins what runs', () => {
    expect(parseImage('nginx')).toEqual({ repository: 'docker.io/library/nginx' });
    expect(parseImage('relaycorp/gw:1.0.0')).toEqual({ repository: 'docker.io/relaycorp/gw', tag: '1.0.0' });
    expect(parseImage(`ghcr.io/a/b:1@${DIGEST}`)).toEqual({ repository: 'ghcr.io/a/b', tag: '1', digest: DIGEST });
    expect(parseImage('localhost:5000/x')).toEqual({ repository: 'localhost:5000/x' });
    expect(runningImage(`ghcr.io/a/b:1@${DIGEST}`).imageID).toBe(`ghcr.io/a/b@${DIGEST}`);
    expect(runningImage('nginx:1.25').imageID).toMatch(/^docker\.io\/library\/nginx@sha256:[0-9a-f]{64}$/);
    expect(runningImage('nginx:1.25').imageID).toBe(runningImage('docker.io/library/nginx:1.25').imageID);
  });

  // https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/pod-v1/#PodStatus: containerStatuses
  // carry image and imageID; the kubelet writes status through the status subresource.
  test('a running pod reports the digest it runs; the kubelet can report another one', async () => {
    await k.apps.createNamespacedDeployment({
      namespace,
      body: deployment('pinned', `ghcr.io/relaycorp/gw:1@${DIGEST}`, 1),
    });
    const [pod] = await podsOf('pinned-');
    expect(pod!.status!.containerStatuses![0]).toMatchObject({
      name: 'main',
      image: 'ghcr.io/relaycorp/gw:1',
      imageID: `ghcr.io/relaycorp/gw@${DIGEST}`,
      ready: true,
    });
    const other = `ghcr.io/relaycorp/gw@sha256:${'cd'.repeat(32)}`;
    pod!.status!.containerStatuses![0]!.imageID = other;
    await k.core.replaceNamespacedPodStatus({ name: pod!.metadata!.name!, namespace, body: pod! });
    const read = await k.core.readNamespacedPod({ name: pod!.metadata!.name!, namespace });
    expect(read.status!.containerStatuses![0]!.imageID).toBe(other);
  });
});
