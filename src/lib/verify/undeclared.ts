import type { LiveObject } from '../cloud/kube-inventory.js';
import type { Ignored } from './drift.js';
import { groupOf, kubeRef } from './kube-refs.js';

const SA_TOKEN = 'kubernetes.io/service-account-token';
const HELM_RELEASE = 'helm.sh/release.v1';

/** What Kubernetes (or the deploying tool) makes by itself in a namespace, and why it is not drift. */
function madeByTheCluster(o: LiveObject): string | undefined {
  const { kind, metadata: m } = o;
  const group = groupOf(o.apiVersion);
  if (group !== '') return undefined;
  if (kind === 'ServiceAccount' && m.name === 'default') return "every namespace's default service account";
  if (kind === 'ConfigMap' && m.name === 'kube-root-ca.crt')
    return "the cluster's CA bundle, published in every namespace";
  if (kind === 'Secret' && o.type === SA_TOKEN) return 'a service-account token';
  if (kind === 'Secret' && o.type === HELM_RELEASE) return "helm's record of a release";
  if (kind === 'Service' && m.name === 'kubernetes' && m.namespace === 'default' && m.labels?.provider === 'kubernetes')
    return "the API server's own Service";
  return undefined;
}

export interface UndeclaredVerdict {
  /** Objects nobody declared, each the top of its owner chain (its dependents are folded into it). */
  undeclared: { object: LiveObject; dependents: number }[];
  ignored: Ignored[];
}

/**
 * The scanned objects that no manifest declares, without what the cluster makes by itself: service
 * account tokens and the like, and everything owned (through `ownerReferences`, at any depth) by a
 * declared object — a Deployment's ReplicaSets and their Pods, a CronJob's Jobs — or by a claim
 * template of a declared StatefulSet. What an undeclared object owns is counted with it, not listed.
 */
export function findUndeclared(opts: {
  scanned: LiveObject[];
  /** uids of the live objects that manifests declare. */
  declaredUids: Set<string>;
  isDeclared: (o: LiveObject) => boolean;
  /** Declared StatefulSets, as `namespace/name` → their volumeClaimTemplates' names. */
  claimTemplates: Map<string, string[]>;
}): UndeclaredVerdict {
  const byUid = new Map(opts.scanned.filter((o) => o.metadata.uid).map((o) => [o.metadata.uid!, o]));
  const ignored: Ignored[] = [];
  const roots = new Map<string, { object: LiveObject; dependents: number }>();

  /** The object at the top of `o`'s owner chain among the scanned ones, or the declared owner's uid. */
  const ownerRoot = (o: LiveObject, seen = new Set<string>()): { declared?: string; root: LiveObject } => {
    for (const ref of o.metadata.ownerReferences ?? []) {
      if (opts.declaredUids.has(ref.uid)) return { declared: `${ref.kind.toLowerCase()}/${ref.name}`, root: o };
      const owner = byUid.get(ref.uid);
      if (owner && !seen.has(ref.uid)) {
        seen.add(ref.uid);
        return ownerRoot(owner, seen);
      }
    }
    return { root: o };
  };

  for (const o of opts.scanned) {
    if (opts.isDeclared(o)) continue;
    const ref = kubeRef(o.kind, o.metadata.name, o.metadata.namespace);
    const made = madeByTheCluster(o);
    if (made) {
      ignored.push({ object: ref, reason: made });
      continue;
    }
    const claimOf = statefulSetClaim(o, opts.claimTemplates);
    if (claimOf) {
      ignored.push({ object: ref, reason: `a claim of ${claimOf}` });
      continue;
    }
    const owner = ownerRoot(o);
    if (owner.declared) {
      ignored.push({ object: ref, reason: `owned by ${owner.declared}` });
      continue;
    }
    const rootUid = owner.root.metadata.uid ?? ref;
    const entry = roots.get(rootUid) ?? { object: owner.root, dependents: 0 };
    if (owner.root !== o) entry.dependents++;
    roots.set(rootUid, entry);
  }
  return { undeclared: [...roots.values()], ignored };
}

/** `data-vault-0` is the claim the StatefulSet `vault` makes from its template `data` for pod 0. */
function statefulSetClaim(o: LiveObject, templates: Map<string, string[]>): string | undefined {
  if (o.kind !== 'PersistentVolumeClaim' || groupOf(o.apiVersion) !== '') return undefined;
  for (const [key, names] of templates) {
    const [namespace, sts] = key.split('/') as [string, string];
    if (namespace !== o.metadata.namespace) continue;
    for (const t of names)
      if (new RegExp(`^${escape(t)}-${escape(sts)}-\\d+$`).test(o.metadata.name))
        return `statefulset/${namespace}/${sts}`;
  }
  return undefined;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
