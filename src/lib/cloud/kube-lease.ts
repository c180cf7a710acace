import type { Environment } from '../config/schema.js';
import { httpStatusOf } from './gcs-errors.js';
import { kubeError } from './kube-resources.js';
import { openKubeConfig } from './kube.js';
import { withRetry } from './retry.js';

/** A `coordination.k8s.io/v1` Lease as gwctl's logic sees it: plain values, no SDK classes. */
export interface LeaseRecord {
  name: string;
  namespace: string;
  resourceVersion: string;
  holder?: string;
  acquireTime?: string;
  renewTime?: string;
  durationSeconds?: number;
  transitions: number;
  annotations: Record<string, string>;
}

/** What a holder writes: who, since when, last renewed when, for how long. */
export interface LeaseSpec {
  holder: string;
  acquireTime: Date;
  renewTime: Date;
  durationSeconds: number;
  transitions: number;
  annotations: Record<string, string>;
}

/**
 * The Lease calls, each a compare-and-swap the API server arbitrates: `create` fails with `exists` when someone else
 * made it first, `replace` and `remove` carry the resourceVersion read and fail with `conflict` when it changed since.
 */
export interface LeaseAdmin {
  read(namespace: string, name: string): Promise<LeaseRecord | undefined>;
  create(namespace: string, name: string, spec: LeaseSpec): Promise<LeaseRecord | 'exists'>;
  replace(current: LeaseRecord, spec: LeaseSpec): Promise<LeaseRecord | 'conflict' | 'gone'>;
  remove(current: LeaseRecord): Promise<'deleted' | 'conflict' | 'gone'>;
}

export async function openLeaseAdmin(env: Environment): Promise<LeaseAdmin> {
  const k8s = await import('@kubernetes/client-node');
  const api = (await openKubeConfig(env)).makeApiClient(k8s.CoordinationV1Api);
  // MicroTime takes six fractional digits; a plain Date serialises three, which the API server refuses.
  const micro = (d: Date) => new k8s.V1MicroTime(d.getTime());
  const body = (namespace: string, name: string, spec: LeaseSpec, resourceVersion?: string) => ({
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name, namespace, annotations: spec.annotations, ...(resourceVersion ? { resourceVersion } : {}) },
    spec: {
      holderIdentity: spec.holder,
      acquireTime: micro(spec.acquireTime),
      renewTime: micro(spec.renewTime),
      leaseDurationSeconds: spec.durationSeconds,
      leaseTransitions: spec.transitions,
    },
  });
  const call = async <T>(what: string, fn: () => Promise<T>, expected: number[]): Promise<T | number> => {
    try {
      return await withRetry(fn);
    } catch (err) {
      const status = httpStatusOf(err);
      if (status !== undefined && expected.includes(status)) return status;
      throw kubeError(err, what);
    }
  };
  const ref = (namespace: string, name: string) => `lease/${namespace}/${name}`;
  return {
    async read(namespace, name) {
      const r = await call(
        `reading ${ref(namespace, name)}`,
        () => api.readNamespacedLease({ name, namespace }),
        [404],
      );
      return typeof r === 'number' ? undefined : toRecord(r);
    },
    async create(namespace, name, spec) {
      const r = await call(
        `creating ${ref(namespace, name)}`,
        () => api.createNamespacedLease({ namespace, body: body(namespace, name, spec) }),
        [409],
      );
      return typeof r === 'number' ? 'exists' : toRecord(r);
    },
    async replace(current, spec) {
      const r = await call(
        `renewing ${ref(current.namespace, current.name)}`,
        () =>
          api.replaceNamespacedLease({
            name: current.name,
            namespace: current.namespace,
            body: body(current.namespace, current.name, spec, current.resourceVersion),
          }),
        [404, 409],
      );
      return r === 404 ? 'gone' : r === 409 ? 'conflict' : toRecord(r as never);
    },
    async remove(current) {
      const r = await call(
        `releasing ${ref(current.namespace, current.name)}`,
        () =>
          api.deleteNamespacedLease({
            name: current.name,
            namespace: current.namespace,
            body: { preconditions: { resourceVersion: current.resourceVersion } },
          }),
        [404, 409],
      );
      return r === 404 ? 'gone' : r === 409 ? 'conflict' : 'deleted';
    },
  };
}

interface SdkLease {
  metadata?: { name?: string; namespace?: string; resourceVersion?: string; annotations?: Record<string, string> };
  spec?: {
    holderIdentity?: string;
    acquireTime?: Date;
    renewTime?: Date;
    leaseDurationSeconds?: number;
    leaseTransitions?: number;
  };
}

function toRecord(l: SdkLease): LeaseRecord {
  const m = l.metadata ?? {};
  const s = l.spec ?? {};
  const iso = (d: Date | undefined) => (d ? new Date(d).toISOString() : undefined);
  const acquireTime = iso(s.acquireTime);
  const renewTime = iso(s.renewTime);
  return {
    name: m.name ?? '',
    namespace: m.namespace ?? '',
    resourceVersion: m.resourceVersion ?? '',
    ...(s.holderIdentity ? { holder: s.holderIdentity } : {}),
    ...(acquireTime ? { acquireTime } : {}),
    ...(renewTime ? { renewTime } : {}),
    ...(s.leaseDurationSeconds !== undefined ? { durationSeconds: s.leaseDurationSeconds } : {}),
    transitions: s.leaseTransitions ?? 0,
    annotations: m.annotations ?? {},
  };
}
