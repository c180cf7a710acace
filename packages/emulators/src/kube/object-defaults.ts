import { isPlainObject } from './merge-patch.js';
import { uidBits } from './object-meta.js';
import type { KubeObject } from './store.js';

type Spec = Record<string, unknown>;

const specOf = (o: KubeObject): Spec => {
  if (!isPlainObject(o.spec)) o.spec = {};
  return o.spec as Spec;
};

/**
 * What the real API server and its built-in controllers fill in when an object is created:
 * enough for callers that read these fields back (a Service's clusterIP, a PVC bound to a volume,
 * a namespace's phase).
 */
export function applyCreateDefaults(o: KubeObject): void {
  switch (o.kind) {
    case 'Namespace':
      specOf(o).finalizers = ['kubernetes'];
      o.status = { phase: 'Active' };
      break;
    case 'Service': {
      const spec = specOf(o);
      spec.type ??= 'ClusterIP';
      spec.sessionAffinity ??= 'None';
      const [a, b] = uidBits(o.metadata.uid);
      if (spec.type !== 'ExternalName') {
        spec.clusterIP ??= `10.96.${a}.${b}`;
        spec.clusterIPs ??= [spec.clusterIP];
      }
      const exposed = spec.type === 'NodePort' || spec.type === 'LoadBalancer';
      if (Array.isArray(spec.ports))
        spec.ports = spec.ports.map((p: Spec, i: number) => ({
          protocol: 'TCP',
          ...p,
          targetPort: p.targetPort ?? p.port,
          ...(exposed ? { nodePort: p.nodePort ?? 30000 + ((a * 256 + b + i) % 2768) } : {}),
        }));
      o.status =
        spec.type === 'LoadBalancer'
          ? { loadBalancer: { ingress: [{ ip: `35.200.${a}.${b}`, ipMode: 'VIP' }] } }
          : { loadBalancer: {} };
      break;
    }
    case 'PersistentVolumeClaim': {
      // GKE's default class binds at once when no volumeBindingMode delays it; the emulator always does.
      const spec = specOf(o);
      spec.storageClassName ??= 'standard-rwo';
      spec.volumeMode ??= 'Filesystem';
      spec.volumeName ??= `pvc-${o.metadata.uid}`;
      const requests = (spec.resources as Spec | undefined)?.requests as Spec | undefined;
      o.status = {
        phase: 'Bound',
        accessModes: spec.accessModes ?? ['ReadWriteOnce'],
        capacity: { storage: requests?.storage ?? '1Gi' },
      };
      break;
    }
    case 'Deployment':
    case 'StatefulSet':
      specOf(o).replicas ??= 1;
      break;
    case 'CronJob':
      specOf(o).suspend ??= false;
      specOf(o).concurrencyPolicy ??= 'Allow';
      break;
    case 'Secret':
      o.type ??= 'Opaque';
      break;
  }
}

/** Write-time normalisation the real server does on every create and update. */
export function normalize(o: KubeObject): void {
  // Every namespace carries its own name as a label, so namespaceSelectors can pick one by name.
  if (o.kind === 'Namespace')
    o.metadata.labels = { ...o.metadata.labels, 'kubernetes.io/metadata.name': o.metadata.name ?? '' };
  if (o.kind === 'Secret' && isPlainObject(o.stringData)) {
    // stringData is write-only: it is folded into base64 `data` and never stored.
    const data = isPlainObject(o.data) ? { ...o.data } : {};
    for (const [k, v] of Object.entries(o.stringData)) data[k] = Buffer.from(String(v), 'utf8').toString('base64');
    o.data = data;
    delete o.stringData;
  }
}

/** The field that fails validation, if any (only checks the emulator can make cheaply). */
export function invalidField(o: KubeObject): { field: string; why: string } | undefined {
  if (o.kind === 'Secret' && isPlainObject(o.data)) {
    for (const [k, v] of Object.entries(o.data))
      if (typeof v !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(v))
        return { field: `data[${k}]`, why: 'Invalid value: illegal base64 data' };
  }
  if ((o.kind === 'Deployment' || o.kind === 'StatefulSet') && isPlainObject(o.spec)) {
    const replicas = (o.spec as Spec).replicas;
    if (replicas !== undefined && !(Number.isInteger(replicas) && (replicas as number) >= 0))
      return {
        field: 'spec.replicas',
        why: `Invalid value: ${JSON.stringify(replicas)}: must be greater than or equal to 0`,
      };
  }
  if (o.kind === 'Lease' && isPlainObject(o.spec)) {
    // ValidateLeaseSpec (pkg/apis/coordination/validation): a duration must be positive, transitions not negative.
    const { leaseDurationSeconds: d, leaseTransitions: t } = o.spec as Spec;
    if (d !== undefined && !(Number.isInteger(d) && (d as number) > 0))
      return { field: 'spec.leaseDurationSeconds', why: `Invalid value: ${JSON.stringify(d)}: must be greater than 0` };
    if (t !== undefined && !(Number.isInteger(t) && (t as number) >= 0))
      return {
        field: 'spec.leaseTransitions',
        why: `Invalid value: ${JSON.stringify(t)}: must be greater than or equal to 0`,
      };
  }
  return undefined;
}
