import { VersionApi, type KubernetesObject } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startKubeEmulator, type KubeEmulator } from '../../src/kube/index.js';
import { expectStatus } from '../helpers/kube.js';
import { kubeClients, type KubeClients } from '../../src/testing/index.js';

let emu: KubeEmulator;
let k: KubeClients;

beforeAll(async () => {
  emu = await startKubeEmulator();
  k = kubeClients(emu.url);
  await k.core.createNamespace({ body: { metadata: { name: 'gw', labels: { env: 'sandbox' } } } });
});
afterAll(async () => emu.close());

const podTemplate = (app: string) => ({
  selector: { matchLabels: { app } },
  template: {
    metadata: { labels: { app } },
    spec: { containers: [{ name: app, image: 'relaycorp/relaynet-internet-gateway:1.0.0' }] },
  },
});

/** One object of every kind the emulator serves, as gwctl would create it. */
const EVERY_KIND: KubernetesObject[] = [
  { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' }, data: { A: '1' } } as KubernetesObject,
  {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'secret' },
    data: { key: Buffer.from('s3cret').toString('base64') },
  } as KubernetesObject,
  {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'svc' },
    spec: { selector: { app: 'x' }, ports: [{ port: 80 }] },
  } as KubernetesObject,
  {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name: 'pvc' },
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
  } as KubernetesObject,
  {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'deploy' },
    spec: { replicas: 1, ...podTemplate('deploy') },
  } as KubernetesObject,
  {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'sts' },
    spec: { replicas: 1, serviceName: 'sts', ...podTemplate('sts') },
  } as KubernetesObject,
  {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name: 'ing' },
    spec: { ingressClassName: 'nginx', defaultBackend: { service: { name: 'svc', port: { number: 80 } } } },
  } as KubernetesObject,
  {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name: 'cron' },
    spec: {
      schedule: '*/30 * * * *',
      jobTemplate: {
        spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } } },
      },
    },
  } as KubernetesObject,
  {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: 'job' },
    spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } } },
  } as KubernetesObject,
  {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingAdmissionPolicy',
    metadata: { name: 'vap' },
    spec: { matchConstraints: { resourceRules: [] }, validations: [{ expression: 'true' }] },
  } as KubernetesObject,
  {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingAdmissionPolicyBinding',
    metadata: { name: 'vapb' },
    spec: { policyName: 'vap', validationActions: ['Deny'] },
  } as KubernetesObject,
];

describe('every kind, through KubernetesObjectApi (discovery resolves the URL)', () => {
  for (const spec of EVERY_KIND) {
    test(`${spec.kind}: create, read, list, replace, delete`, async () => {
      const namespaced = !spec.kind!.startsWith('ValidatingAdmission');
      const body = structuredClone(spec);
      if (namespaced) body.metadata!.namespace = 'gw';
      const created = await k.objects.create(body);
      expect(created.metadata?.uid).toBeTruthy();
      expect(created.metadata?.resourceVersion).toMatch(/^\d+$/);
      expect(created.metadata?.creationTimestamp).toBeInstanceOf(Date);
      expect(created.metadata?.generation).toBe(1);

      const read = await k.objects.read({
        apiVersion: spec.apiVersion!,
        kind: spec.kind!,
        metadata: { name: spec.metadata!.name!, namespace: body.metadata!.namespace },
      });
      expect(read.metadata?.uid).toBe(created.metadata?.uid);

      const list = await k.objects.list(spec.apiVersion!, spec.kind!, namespaced ? 'gw' : undefined);
      expect(list.items.map((i) => i.metadata?.name)).toContain(spec.metadata!.name);

      const replaced = await k.objects.replace({ ...read, metadata: { ...read.metadata, labels: { touched: 'yes' } } });
      expect(replaced.metadata?.labels).toEqual({ touched: 'yes' });
      expect(Number(replaced.metadata?.resourceVersion)).toBeGreaterThan(Number(read.metadata?.resourceVersion));

      await k.objects.delete(replaced);
      await expectStatus(
        k.objects.read({ ...replaced, metadata: { name: spec.metadata!.name!, namespace: body.metadata!.namespace } }),
        404,
        'NotFound',
      );
    });
  }
});

describe('typed clients', () => {
  test('a Secret keeps base64 data and folds stringData into it', async () => {
    const s = await k.core.createNamespacedSecret({
      namespace: 'gw',
      body: { metadata: { name: 'mongo' }, stringData: { MONGODB_URI: 'mongodb://x' } },
    });
    expect(s.data).toEqual({ MONGODB_URI: Buffer.from('mongodb://x').toString('base64') });
    expect(s.type).toBe('Opaque');
    await expectStatus(
      k.core.createNamespacedSecret({
        namespace: 'gw',
        body: { metadata: { name: 'bad' }, data: { k: 'not base64!' } },
      }),
      422,
      'Invalid',
    );
  });

  test('a Service gets a cluster IP and a PVC is bound', async () => {
    const svc = await k.core.createNamespacedService({
      namespace: 'gw',
      body: { metadata: { name: 'poweb' }, spec: { ports: [{ port: 80, name: 'http' }] } },
    });
    expect(svc.spec?.clusterIP).toMatch(/^10\.96\./);
    const pvc = await k.core.createNamespacedPersistentVolumeClaim({
      namespace: 'gw',
      body: {
        metadata: { name: 'data' },
        spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '5Gi' } } },
      },
    });
    expect(pvc.status?.phase).toBe('Bound');
    expect(pvc.status?.capacity).toEqual({ storage: '5Gi' });
  });

  test('a CronJob and a Job: the Job completes at once', async () => {
    await k.batch.createNamespacedCronJob({
      namespace: 'gw',
      body: {
        metadata: { name: 'cleanup' },
        spec: {
          schedule: '0 * * * *',
          jobTemplate: {
            spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'x' }] } } },
          },
        },
      },
    });
    expect((await k.batch.readNamespacedCronJob({ name: 'cleanup', namespace: 'gw' })).spec?.schedule).toBe(
      '0 * * * *',
    );
    const job = await k.batch.createNamespacedJob({
      namespace: 'gw',
      body: {
        metadata: { name: 'migrate' },
        spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'x' }] } } },
      },
    });
    expect(job.status?.succeeded).toBe(1);
    expect(job.status?.conditions?.some((c) => c.type === 'Complete' && c.status === 'True')).toBe(true);
  });

  test('deployments are listed across namespaces and by label and field selectors', async () => {
    await k.core.createNamespace({ body: { metadata: { name: 'other' } } });
    const mk = (namespace: string, name: string, labels: Record<string, string>) =>
      k.apps.createNamespacedDeployment({
        namespace,
        body: { metadata: { name, labels }, spec: { replicas: 1, ...podTemplate(name) } },
      });
    await mk('gw', 'poweb', { tier: 'web', component: 'poweb' });
    await mk('gw', 'cogrpc', { tier: 'web', component: 'cogrpc' });
    await mk('gw', 'queue', { tier: 'worker' });
    await mk('other', 'poweb', { tier: 'web', component: 'poweb' });

    const names = (l: { items: { metadata?: { name?: string; namespace?: string } }[] }) =>
      l.items.map((i) => `${i.metadata?.namespace}/${i.metadata?.name}`);
    expect(names(await k.apps.listDeploymentForAllNamespaces({ labelSelector: 'tier=web' }))).toEqual([
      'gw/cogrpc',
      'gw/poweb',
      'other/poweb',
    ]);
    expect(names(await k.apps.listNamespacedDeployment({ namespace: 'gw', labelSelector: 'tier!=web' }))).toEqual([
      'gw/queue',
    ]);
    expect(
      names(
        await k.apps.listNamespacedDeployment({ namespace: 'gw', labelSelector: 'component in (poweb, cogrpc),tier' }),
      ),
    ).toEqual(['gw/cogrpc', 'gw/poweb']);
    expect(
      names(await k.apps.listNamespacedDeployment({ namespace: 'gw', labelSelector: 'component notin (poweb)' })),
    ).toEqual(['gw/cogrpc', 'gw/queue']);
    expect(names(await k.apps.listNamespacedDeployment({ namespace: 'gw', labelSelector: '!component' }))).toEqual([
      'gw/queue',
    ]);
    expect(names(await k.apps.listDeploymentForAllNamespaces({ fieldSelector: 'metadata.name=poweb' }))).toEqual([
      'gw/poweb',
      'other/poweb',
    ]);
    expect(names(await k.apps.listDeploymentForAllNamespaces({ fieldSelector: 'metadata.namespace=other' }))).toEqual([
      'other/poweb',
    ]);
    await expectStatus(k.apps.listDeploymentForAllNamespaces({ fieldSelector: 'spec.replicas=1' }), 400, 'BadRequest');
  });

  test('limit and continue page through a list', async () => {
    await k.core.createNamespace({ body: { metadata: { name: 'paged' } } });
    for (const n of ['a', 'b', 'c', 'd', 'e'])
      await k.core.createNamespacedConfigMap({ namespace: 'paged', body: { metadata: { name: n } } });
    const seen: string[] = [];
    let token: string | undefined;
    do {
      const page = await k.core.listNamespacedConfigMap({ namespace: 'paged', limit: 2, _continue: token });
      seen.push(...page.items.map((i) => i.metadata!.name!));
      token = page.metadata?._continue;
    } while (token);
    // The root-ca-cert-publisher puts kube-root-ca.crt in every namespace.
    expect(seen).toEqual(['a', 'b', 'c', 'd', 'e', 'kube-root-ca.crt']);
  });

  test('creating twice is AlreadyExists; reading what is not there is NotFound', async () => {
    const body = { metadata: { name: 'dup' }, data: { a: '1' } };
    await k.core.createNamespacedConfigMap({ namespace: 'gw', body });
    const exists = await expectStatus(
      k.core.createNamespacedConfigMap({ namespace: 'gw', body }),
      409,
      'AlreadyExists',
    );
    expect(exists.message).toBe('configmaps "dup" already exists');
    expect(exists.details).toMatchObject({ name: 'dup', kind: 'configmaps' });
    const missing = await expectStatus(
      k.apps.readNamespacedStatefulSet({ name: 'nope', namespace: 'gw' }),
      404,
      'NotFound',
    );
    expect(missing.message).toBe('statefulsets.apps "nope" not found');
    await expectStatus(k.core.createNamespacedConfigMap({ namespace: 'no-such-ns', body }), 404, 'NotFound');
  });

  test('replacing with a stale resourceVersion is a Conflict; without one it is unconditional', async () => {
    const cm = await k.core.createNamespacedConfigMap({
      namespace: 'gw',
      body: { metadata: { name: 'rv' }, data: { v: '1' } },
    });
    const updated = await k.core.replaceNamespacedConfigMap({
      name: 'rv',
      namespace: 'gw',
      body: { ...cm, data: { v: '2' } },
    });
    const conflict = await expectStatus(
      k.core.replaceNamespacedConfigMap({ name: 'rv', namespace: 'gw', body: { ...cm, data: { v: '3' } } }),
      409,
      'Conflict',
    );
    expect(conflict.message).toMatch(/^Operation cannot be fulfilled on configmaps "rv": the object has been modified/);
    const unconditional = await k.core.replaceNamespacedConfigMap({
      name: 'rv',
      namespace: 'gw',
      body: { metadata: { name: 'rv' }, data: { v: '4' } },
    });
    expect(unconditional.data).toEqual({ v: '4' });
    expect(unconditional.metadata?.uid).toBe(updated.metadata?.uid);
  });

  test('every write bumps one cluster-wide resourceVersion; a no-op write does not', async () => {
    const a = await k.core.createNamespacedConfigMap({ namespace: 'gw', body: { metadata: { name: 'rv-a' } } });
    const b = await k.core.createNamespacedConfigMap({ namespace: 'gw', body: { metadata: { name: 'rv-b' } } });
    expect(Number(b.metadata?.resourceVersion)).toBe(Number(a.metadata?.resourceVersion) + 1);
    const same = await k.core.replaceNamespacedConfigMap({ name: 'rv-b', namespace: 'gw', body: b });
    expect(same.metadata?.resourceVersion).toBe(b.metadata?.resourceVersion);
  });

  test('dry run validates and answers without storing', async () => {
    const cm = await k.core.createNamespacedConfigMap({
      namespace: 'gw',
      body: { metadata: { name: 'dry' } },
      dryRun: 'All',
    });
    expect(cm.metadata?.name).toBe('dry');
    await expectStatus(k.core.readNamespacedConfigMap({ name: 'dry', namespace: 'gw' }), 404);
  });

  test('discovery and /version answer like a GKE cluster', async () => {
    const version = await k.kc.makeApiClient(VersionApi).getCode();
    expect(version.gitVersion).toMatch(/-gke\./);
    const res = await fetch(`${emu.url}/apis/apps/v1`);
    const list = (await res.json()) as { resources: { name: string; kind: string }[] };
    expect(list.resources.map((r) => r.name)).toEqual(
      expect.arrayContaining(['deployments', 'statefulsets', 'deployments/scale']),
    );
  });

  test('objects() and seed() give tests direct access', async () => {
    emu.seed([
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'seeded', namespace: 'fresh' },
        data: { x: '1' },
      } as KubernetesObject,
    ]);
    expect((await k.core.readNamespace({ name: 'fresh' })).status?.phase).toBe('Active');
    expect((await k.core.readNamespacedConfigMap({ name: 'seeded', namespace: 'fresh' })).data).toEqual({ x: '1' });
    expect(emu.objects('ConfigMap').some((o) => o.metadata.name === 'seeded')).toBe(true);
    expect(emu.objects('ns').map((o) => o.metadata.name)).toEqual(
      expect.arrayContaining(['default', 'kube-system', 'fresh']),
    );
  });
});
