import type { ApiResource } from '../cloud/kube-inventory.js';
import { groupOf } from './kube-refs.js';
import type { DeclaredObject } from './manifests.js';

/**
 * Kinds never listed when looking for undeclared objects: records the cluster writes about itself
 * (events, endpoints, controllers' leader leases, metrics), never anyone's configuration.
 * A manifest that declares one still gets it compared.
 */
export const RUNTIME_RECORDS: { group: string; kind?: string; why: string }[] = [
  { group: '', kind: 'Event', why: 'events are written by the cluster' },
  { group: 'events.k8s.io', kind: 'Event', why: 'events are written by the cluster' },
  { group: '', kind: 'Endpoints', why: "endpoints follow their Service's pods" },
  { group: 'discovery.k8s.io', kind: 'EndpointSlice', why: "endpoint slices follow their Service's pods" },
  { group: 'coordination.k8s.io', kind: 'Lease', why: "controllers' leader-election leases" },
  { group: 'metrics.k8s.io', why: 'live usage metrics, not objects' },
];

const isRuntimeRecord = (r: Pick<ApiResource, 'group' | 'kind'>) =>
  RUNTIME_RECORDS.some((x) => x.group === r.group && (x.kind === undefined || x.kind === r.kind));

export interface ListCall {
  resource: Pick<ApiResource, 'group' | 'version' | 'kind' | 'plural' | 'namespaced'>;
  namespace?: string;
  /** Also scanned for objects nobody declared (the environment's namespaces). */
  scan: boolean;
}

export interface KubeScope {
  /** Declared objects with their namespace settled (a namespaced kind without one gets the environment's). */
  declared: DeclaredObject[];
  /** Declared objects of kinds the cluster does not serve (a CRD not installed, a removed API version). */
  unserved: DeclaredObject[];
  /** The namespaces scanned for undeclared objects: the environment's and every Namespace the code declares. */
  namespaces: string[];
  /** One list per kind and namespace: never a get per object. */
  calls: ListCall[];
}

/**
 * What to list: every kind the manifests declare (in their namespaces, or cluster-wide), and every
 * listable namespaced kind in the environment's namespaces (runtime records and `skipKinds` aside).
 */
export function planKubeScope(opts: {
  resources: ApiResource[];
  declared: DeclaredObject[];
  namespace: string;
  skipKinds: string[];
}): KubeScope {
  const skip = new Set(opts.skipKinds.map((k) => k.toLowerCase()));
  const skipped = (kind: string) => skip.has(kind.toLowerCase());
  const byGroupKind = new Map(opts.resources.map((r) => [`${r.group}|${r.kind}`, r]));
  const declared: DeclaredObject[] = [];
  const unserved: DeclaredObject[] = [];
  for (const o of opts.declared) {
    if (skipped(o.kind)) continue;
    const served = byGroupKind.get(`${groupOf(o.apiVersion)}|${o.kind}`);
    if (!served) unserved.push(o);
    else if (served.namespaced) declared.push({ ...o, namespace: o.namespace ?? opts.namespace });
    else {
      const { namespace: _none, ...clusterScoped } = o;
      declared.push(clusterScoped);
    }
  }
  const namespaces = [
    ...new Set([
      opts.namespace,
      ...declared.filter((o) => o.kind === 'Namespace' && !groupOf(o.apiVersion)).map((o) => o.name),
    ]),
  ];

  const calls = new Map<string, ListCall>();
  const add = (call: ListCall) => {
    const key = `${call.resource.group}|${call.resource.kind}|${call.namespace ?? ''}`;
    const existing = calls.get(key);
    if (existing) existing.scan ||= call.scan;
    else calls.set(key, call);
  };
  for (const o of declared) {
    const served = byGroupKind.get(`${groupOf(o.apiVersion)}|${o.kind}`)!;
    // The manifest's own version: the server converts, and the fields compared are the manifest's.
    const version = o.apiVersion.includes('/') ? o.apiVersion.split('/')[1]! : o.apiVersion;
    add({ resource: { ...served, version }, ...(o.namespace ? { namespace: o.namespace } : {}), scan: false });
  }
  for (const r of opts.resources) {
    if (!r.namespaced || isRuntimeRecord(r) || skipped(r.kind)) continue;
    for (const namespace of namespaces) add({ resource: r, namespace, scan: true });
  }
  return { declared, unserved, namespaces, calls: [...calls.values()] };
}
