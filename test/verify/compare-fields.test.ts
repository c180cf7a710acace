import { describe, expect, it } from 'vitest';
import { compareObject } from '../../src/lib/verify/compare-fields.js';
import { parseQuantity } from '../../src/lib/verify/quantity.js';

const manifest = () => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'poweb', namespace: 'default', labels: { app: 'poweb' }, annotations: { team: 'gateway' } },
  spec: {
    replicas: 2,
    selector: { matchLabels: { app: 'poweb' } },
    template: {
      metadata: { labels: { app: 'poweb' } },
      spec: {
        containers: [
          {
            name: 'poweb',
            image: 'gw:1',
            env: [{ name: 'MONGODB_DB', value: 'awala-gateway' }],
            ports: [{ containerPort: 8080 }],
            resources: { requests: { cpu: '500m', memory: '1Gi' } },
          },
        ],
        hostNetwork: false,
      },
    },
  },
});

/** What the API server returns for it: defaults, server metadata, status, controller annotations. */
const live = () => {
  const o = structuredClone(manifest()) as ReturnType<typeof manifest> & Record<string, unknown>;
  Object.assign(o.metadata, {
    uid: 'b1c2',
    resourceVersion: '42',
    generation: 3,
    creationTimestamp: '2024-05-01T10:00:00Z',
    annotations: { team: 'gateway', 'deployment.kubernetes.io/revision': '3' },
    managedFields: [{ manager: 'kubectl' }],
  });
  Object.assign(o.spec, {
    revisionHistoryLimit: 10,
    progressDeadlineSeconds: 600,
    strategy: { type: 'RollingUpdate' },
  });
  const c = o.spec.template.spec.containers[0]! as Record<string, unknown>;
  Object.assign(c, {
    imagePullPolicy: 'IfNotPresent',
    terminationMessagePath: '/dev/termination-log',
    ports: [{ containerPort: 8080, protocol: 'TCP' }],
    resources: { requests: { cpu: '0.5', memory: '1024Mi' } },
  });
  delete (o.spec.template.spec as Record<string, unknown>).hostNetwork;
  o.status = { replicas: 2, readyReplicas: 2, observedGeneration: 3 };
  return o;
};

describe('the fields a manifest sets, as kubectl diff sees them', () => {
  it('server defaults, server metadata, status and controller annotations are never drift', () => {
    // revisionHistoryLimit, uid, status…: the manifest does not set them. 500m = 0.5, 1Gi = 1024Mi,
    // a default protocol on a keyed port, and hostNetwork: false (a zero the server omits) all match.
    expect(compareObject(manifest(), live())).toEqual([]);
  });

  it('a changed image is drift at its path, with both values', () => {
    const l = live();
    l.spec.template.spec.containers[0]!.image = 'gw:1-evil';
    expect(compareObject(manifest(), l)).toEqual([
      { path: 'spec.template.spec.containers[name=poweb].image', code: 'gw:1', live: 'gw:1-evil' },
    ]);
  });

  it('lists with merge keys match by key: an added env var or container is drift, order is not', () => {
    const l = live();
    const c = l.spec.template.spec.containers[0]!;
    c.env = [{ name: 'DEBUG', value: '1' }, ...c.env];
    l.spec.template.spec.containers.push({ name: 'sidecar', image: 'proxy' } as never);
    expect(compareObject(manifest(), l)).toEqual([
      {
        path: 'spec.template.spec.containers[name=poweb].env[name=DEBUG]',
        code: undefined,
        live: { name: 'DEBUG', value: '1' },
      },
      {
        path: 'spec.template.spec.containers[name=sidecar]',
        code: undefined,
        live: { name: 'sidecar', image: 'proxy' },
      },
    ]);
  });

  it('a missing keyed item and an atomic list of another length are drift', () => {
    const m = manifest();
    (m.spec.template.spec.containers[0] as Record<string, unknown>).args = ['poweb', '--port', '8080'];
    const l = live();
    l.spec.template.spec.containers[0]!.env = [];
    (l.spec.template.spec.containers[0] as Record<string, unknown>).args = ['poweb'];
    expect(compareObject(m, l).map((d) => d.path)).toEqual([
      'spec.template.spec.containers[name=poweb].env[name=MONGODB_DB]',
      'spec.template.spec.containers[name=poweb].args',
    ]);
  });

  it('a label added live is drift (labels are configuration); an annotation added by a controller is not', () => {
    const l = live();
    (l.metadata as { labels: Record<string, string> }).labels = { app: 'poweb', backdoor: 'yes' };
    expect(compareObject(manifest(), l)).toEqual([{ path: 'metadata.labels.backdoor', code: undefined, live: 'yes' }]);
    const ns = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'gw', labels: { team: 'gw' } } };
    const liveNs = { ...ns, metadata: { name: 'gw', labels: { team: 'gw', 'kubernetes.io/metadata.name': 'gw' } } };
    expect(compareObject(ns, liveNs)).toEqual([]);
  });

  it('int-or-string ports and quantities compare by value', () => {
    const svc = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 's' },
      spec: { ports: [{ port: 80, targetPort: '8080' }] },
    };
    const liveSvc = { ...svc, spec: { ports: [{ port: 80, targetPort: 8080, protocol: 'TCP', nodePort: 30001 }] } };
    expect(compareObject(svc, liveSvc)).toEqual([]);
    expect(parseQuantity('500m')).toBe(0.5);
    expect(parseQuantity('1Gi')).toBe(2 ** 30);
    expect(parseQuantity('1e3')).toBe(1000);
    expect(parseQuantity('1.5G')).toBe(1.5e9);
    expect(parseQuantity('lots')).toBeUndefined();
  });

  it("a ConfigMap's data is compared whole: a key added live is drift", () => {
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { A: '1' } };
    expect(compareObject(cm, { ...cm, data: { A: '1', B: '2' } })).toEqual([
      { path: 'data.B', code: undefined, live: '2' },
    ]);
  });

  it("a Secret's values never leave the comparison: only their digests; stringData is compared as data", () => {
    const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, stringData: { URI: 'mongodb://a' } };
    const same = { ...secret, stringData: undefined, data: { URI: Buffer.from('mongodb://a').toString('base64') } };
    expect(compareObject(secret, same)).toEqual([]);
    const changed = { ...same, data: { URI: Buffer.from('mongodb://evil').toString('base64'), EXTRA: 'eA==' } };
    const diffs = compareObject(secret, changed);
    expect(diffs.map((d) => d.path)).toEqual(['data.URI', 'data.EXTRA']);
    expect(JSON.stringify(diffs)).not.toMatch(/bW9uZ29kYjovL2|eA==/);
    expect(diffs[0]!.code).toMatch(/^sha256:[0-9a-f]{16}…$/);
  });

  it('finalizers the manifest names must be there; ones controllers add are not drift', () => {
    const ing = { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'i', finalizers: ['a'] } };
    expect(compareObject(ing, { ...ing, metadata: { name: 'i', finalizers: ['b', 'a'] } })).toEqual([]);
    expect(compareObject(ing, { ...ing, metadata: { name: 'i', finalizers: ['b'] } })).toHaveLength(1);
  });
});
