import { describe, expect, it } from 'vitest';
import type { ApiResource, LiveObject } from '../../src/lib/cloud/kube-inventory.js';
import { planKubeScope } from '../../src/lib/verify/kube-scope.js';
import { parseManifestText } from '../../src/lib/verify/manifests.js';
import { findUndeclared } from '../../src/lib/verify/undeclared.js';

let uid = 0;
const obj = (
  apiVersion: string,
  kind: string,
  name: string,
  extra: { owner?: LiveObject; type?: string; labels?: Record<string, string>; namespace?: string } = {},
): LiveObject => ({
  apiVersion,
  kind,
  metadata: {
    name,
    namespace: extra.namespace ?? 'default',
    uid: `uid-${++uid}`,
    creationTimestamp: '2024-05-01T10:00:00Z',
    ...(extra.labels ? { labels: extra.labels } : {}),
    ...(extra.owner
      ? {
          ownerReferences: [
            {
              apiVersion: extra.owner.apiVersion,
              kind: extra.owner.kind,
              name: extra.owner.metadata.name,
              uid: extra.owner.metadata.uid!,
              controller: true,
            },
          ],
        }
      : {}),
  },
  ...(extra.type ? { type: extra.type } : {}),
});

describe('objects nobody declared', () => {
  const poweb = obj('apps/v1', 'Deployment', 'poweb');
  const rs = obj('apps/v1', 'ReplicaSet', 'poweb-5d9c', { owner: poweb });
  const pod = obj('v1', 'Pod', 'poweb-5d9c-x7k2p', { owner: rs });
  const cron = obj('batch/v1', 'CronJob', 'cleanup');
  const job = obj('batch/v1', 'Job', 'cleanup-2861', { owner: cron });
  const vault = obj('apps/v1', 'StatefulSet', 'vault');
  const claim = obj('v1', 'PersistentVolumeClaim', 'data-vault-0');
  const rogue = obj('apps/v1', 'Deployment', 'miner');
  const rogueRs = obj('apps/v1', 'ReplicaSet', 'miner-77f', { owner: rogue });
  const roguePod = obj('v1', 'Pod', 'miner-77f-abcde', { owner: rogueRs });
  const extraCm = obj('v1', 'ConfigMap', 'backdoor');
  const clusterMade = [
    obj('v1', 'ServiceAccount', 'default'),
    obj('v1', 'ConfigMap', 'kube-root-ca.crt'),
    obj('v1', 'Secret', 'default-token-x7k2p', { type: 'kubernetes.io/service-account-token' }),
    obj('v1', 'Secret', 'sh.helm.release.v1.gateway.v3', { type: 'helm.sh/release.v1' }),
    obj('v1', 'Service', 'kubernetes', { labels: { provider: 'kubernetes', component: 'apiserver' } }),
  ];
  const declared = [poweb, cron, vault];
  const verdict = findUndeclared({
    scanned: [...declared, rs, pod, job, claim, rogue, rogueRs, roguePod, extraCm, ...clusterMade],
    declaredUids: new Set(declared.map((o) => o.metadata.uid!)),
    isDeclared: (o) => declared.includes(o),
    claimTemplates: new Map([['default/vault', ['data']]]),
  });

  it('reports each undeclared object once, with what it owns counted, not listed', () => {
    expect(verdict.undeclared.map((u) => [u.object.metadata.name, u.dependents])).toEqual([
      ['miner', 2],
      ['backdoor', 0],
    ]);
  });

  it('leaves out what Kubernetes makes by itself and what a declared workload owns, saying why', () => {
    const reasons = Object.fromEntries(verdict.ignored.map((i) => [i.object, i.reason]));
    expect(reasons).toEqual({
      'replicaset/default/poweb-5d9c': 'owned by deployment/poweb',
      'pod/default/poweb-5d9c-x7k2p': 'owned by deployment/poweb',
      'job/default/cleanup-2861': 'owned by cronjob/cleanup',
      'persistentvolumeclaim/default/data-vault-0': 'a claim of statefulset/default/vault',
      'serviceaccount/default/default': "every namespace's default service account",
      'configmap/default/kube-root-ca.crt': "the cluster's CA bundle, published in every namespace",
      'secret/default/default-token-x7k2p': 'a service-account token',
      'secret/default/sh.helm.release.v1.gateway.v3': "helm's record of a release",
      'service/default/kubernetes': "the API server's own Service",
    });
  });
});

describe('what to list', () => {
  const r = (group: string, version: string, kind: string, plural: string, namespaced = true): ApiResource => ({
    group,
    version,
    kind,
    plural,
    namespaced,
    verbs: ['get', 'list', 'watch'],
  });
  const resources = [
    r('', 'v1', 'ConfigMap', 'configmaps'),
    r('', 'v1', 'Secret', 'secrets'),
    r('', 'v1', 'Pod', 'pods'),
    r('', 'v1', 'Event', 'events'),
    r('', 'v1', 'Endpoints', 'endpoints'),
    r('', 'v1', 'Namespace', 'namespaces', false),
    r('apps', 'v1', 'Deployment', 'deployments'),
    r('coordination.k8s.io', 'v1', 'Lease', 'leases'),
    r('discovery.k8s.io', 'v1', 'EndpointSlice', 'endpointslices'),
    r('metrics.k8s.io', 'v1beta1', 'PodMetrics', 'pods'),
  ];
  const manifests = parseManifestText(
    `apiVersion: v1
kind: Namespace
metadata: {name: gateway-jobs}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: poweb}
---
apiVersion: cloud.google.com/v1
kind: BackendConfig
metadata: {name: cogrpc}
---
apiVersion: batch/v1
kind: Job
metadata:
  name: migrate
  annotations: {helm.sh/hook: pre-upgrade}
`,
    'rendered.yaml',
  );

  it('one list per kind and namespace; never events, endpoints, leases or metrics; the skipped kinds not at all', () => {
    const scope = planKubeScope({
      resources,
      declared: manifests.objects,
      namespace: 'default',
      skipKinds: ['secret'],
    });
    expect(scope.namespaces).toEqual(['default', 'gateway-jobs']);
    expect(
      scope.calls
        .map((c) => `${c.resource.plural}${c.namespace ? `@${c.namespace}` : ''}${c.scan ? '' : ' (declared only)'}`)
        .sort(),
    ).toEqual([
      'configmaps@default',
      'configmaps@gateway-jobs',
      'deployments@default',
      'deployments@gateway-jobs',
      'namespaces (declared only)',
      'pods@default',
      'pods@gateway-jobs',
    ]);
    // A namespaced kind without a namespace gets the environment's; a cluster-scoped one keeps none.
    expect(scope.declared.map((o) => `${o.kind}/${o.namespace ?? '-'}`)).toEqual(['Namespace/-', 'Deployment/default']);
    expect(scope.unserved.map((o) => o.kind)).toEqual(['BackendConfig']);
    expect(manifests.skipped).toEqual([
      { source: 'rendered.yaml#4', reason: 'helm hook (pre-upgrade): run by helm, not kept' },
    ]);
  });
});

describe('rendered manifests', () => {
  it('reads multi-document YAML with Kubernetes YAML 1.1 rules and unpacks Lists', () => {
    const { objects } = parseManifestText(
      `# Source: gateway/templates/cm.yaml
---
apiVersion: v1
kind: List
items:
  - {apiVersion: v1, kind: ConfigMap, metadata: {name: a}, data: {mode: "x"}}
---
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: d, namespace: gw}
spec:
  template:
    spec:
      volumes: [{name: c, configMap: {name: a, defaultMode: 0644}}]
`,
      'out.yaml',
    );
    expect(objects.map((o) => [o.source, o.kind, o.name, o.namespace])).toEqual([
      ['out.yaml#1.items[0]', 'ConfigMap', 'a', undefined],
      ['out.yaml#3', 'Deployment', 'd', 'gw'],
    ]);
    // 0644 is octal, as kubectl reads it: 420.
    expect(JSON.stringify(objects[1]!.body)).toContain('"defaultMode":420');
  });

  it('refuses what is not a manifest, naming the document', () => {
    expect(() => parseManifestText('kind: ConfigMap\nmetadata: {name: a}\n', 'x.yaml')).toThrow(
      /x\.yaml#1: missing apiVersion or kind/,
    );
    expect(() => parseManifestText('apiVersion: v1\nkind: ConfigMap\n', 'x.yaml')).toThrow(/has no metadata\.name/);
    expect(() => parseManifestText('a: [1,\n', 'x.yaml')).toThrow(/x\.yaml(:\d+)?: invalid YAML/);
  });
});
