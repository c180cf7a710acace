import pLimit from 'p-limit';
import type { ClusterReader, LiveObject } from '../cloud/kube-inventory.js';
import { RuntimeError } from '../errors/gwctl-error.js';
import { compareObject } from './compare-fields.js';
import { WHOLE_OBJECT, type Drift, type Ignored } from './drift.js';
import { podImageDrift, unpinnedImages } from './images.js';
import { groupOf, identity, kubeRef } from './kube-refs.js';
import { planKubeScope, type ListCall } from './kube-scope.js';
import type { DeclaredObject } from './manifests.js';
import { findUndeclared } from './undeclared.js';

type Fields = Record<string, unknown>;

export interface KubeVerification {
  drifts: Drift[];
  ignored: Ignored[];
  counts: { declared: number; listed: number; listCalls: number; namespaces: string[] };
  /** The live values that were compared (only the fields the manifests set): hashed into the audit record. */
  liveView: Record<string, unknown>;
}

const idOf = (o: LiveObject) => identity(groupOf(o.apiVersion), o.kind, o.metadata.name, o.metadata.namespace);
const idOfDeclared = (o: DeclaredObject) => identity(groupOf(o.apiVersion), o.kind, o.name, o.namespace);

/**
 * The Kubernetes half of `verify infra`: discovery, one paged list per kind and namespace (never a
 * get per object), then every declared object compared with its live self, objects nobody declared,
 * and images: named by tag, or running another digest than the code pins.
 */
export async function verifyKubernetes(opts: {
  reader: ClusterReader;
  declared: DeclaredObject[];
  namespace: string;
  skipKinds: string[];
  concurrency?: number;
}): Promise<KubeVerification> {
  const scope = planKubeScope({
    resources: await opts.reader.resources(),
    declared: opts.declared,
    namespace: opts.namespace,
    skipKinds: opts.skipKinds,
  });
  const limit = pLimit(opts.concurrency ?? 8);
  const lists = await Promise.all(
    scope.calls.map((call) =>
      limit(async () => ({ call, items: await listOrExplain(opts.reader, call.resource, call.namespace) })),
    ),
  );
  const live = new Map<string, LiveObject>();
  const scanned = new Map<string, LiveObject>();
  for (const { call, items } of lists)
    for (const o of items) {
      live.set(idOf(o), o);
      if (call.scan) scanned.set(idOf(o), o);
    }
  const byUid = new Map([...live.values()].filter((o) => o.metadata.uid).map((o) => [o.metadata.uid!, o]));

  const drifts: Drift[] = [];
  const liveView: Record<string, unknown> = {};
  const declaredLive = new Map<DeclaredObject, LiveObject>();
  for (const o of scope.unserved)
    drifts.push({
      kind: 'missing',
      object: kubeRef(o.kind, o.name, o.namespace),
      field: WHOLE_OBJECT,
      code: `${o.apiVersion} ${o.kind}, which the cluster does not serve`,
      source: o.source,
    });
  for (const o of scope.declared) {
    const ref = kubeRef(o.kind, o.name, o.namespace);
    const found = live.get(idOfDeclared(o));
    if (!found) {
      drifts.push({
        kind: 'missing',
        object: ref,
        field: WHOLE_OBJECT,
        code: `declared in ${o.source}`,
        source: o.source,
      });
      continue;
    }
    declaredLive.set(o, found);
    liveView[ref] = project(o.body, found);
    for (const d of compareObject(o.body, found))
      drifts.push({ kind: 'changed', object: ref, field: d.path, code: d.code, live: d.live, source: o.source });
  }

  const declaredUids = new Set([...declaredLive.values()].map((o) => o.metadata.uid).filter((u): u is string => !!u));
  const declaredIds = new Set(scope.declared.map(idOfDeclared));
  const claimTemplates = new Map(
    scope.declared
      .filter((o) => o.kind === 'StatefulSet' && groupOf(o.apiVersion) === 'apps')
      .map((o) => [`${o.namespace}/${o.name}`, claimTemplateNames(o.body)]),
  );
  const verdict = findUndeclared({
    scanned: [...scanned.values()],
    declaredUids,
    isDeclared: (o) => declaredIds.has(idOf(o)),
    claimTemplates,
  });
  for (const { object: o, dependents } of verdict.undeclared)
    drifts.push({
      kind: 'undeclared',
      object: kubeRef(o.kind, o.metadata.name, o.metadata.namespace),
      field: WHOLE_OBJECT,
      live: `created ${o.metadata.creationTimestamp ?? '(unknown)'}${dependents ? `, with ${dependents} dependent object(s)` : ''}`,
    });

  // Pods belong to the declared workload at the top of their owner chain.
  const pods = [...live.values()].filter((o) => o.kind === 'Pod' && groupOf(o.apiVersion) === '');
  const podsOf = (o: DeclaredObject) => {
    const uid = declaredLive.get(o)?.metadata.uid;
    return uid ? pods.filter((p) => ownerChain(p, byUid).includes(uid)) : [];
  };
  drifts.push(...unpinnedImages(scope.declared, podsOf));
  for (const o of scope.declared) drifts.push(...podImageDrift(o, podsOf(o)));

  return {
    drifts,
    ignored: verdict.ignored,
    counts: {
      declared: scope.declared.length + scope.unserved.length,
      listed: live.size,
      listCalls: scope.calls.length,
      namespaces: scope.namespaces,
    },
    liveView,
  };
}

/** A list the verifier may not make says which permission is missing, and how to do without it. */
async function listOrExplain(
  reader: ClusterReader,
  resource: ListCall['resource'],
  namespace: string | undefined,
): Promise<LiveObject[]> {
  try {
    return await reader.list(resource, namespace);
  } catch (err) {
    if ((err as { status?: number }).status !== 403) throw err;
    throw new RuntimeError(
      `${(err as Error).message}; grant \`list\` on ${resource.plural}${resource.group ? `.${resource.group}` : ''} (docs/verify.md), or pass --skip-kind ${resource.kind}`,
      { cause: err },
    );
  }
}

/** The uids above `o` in its owner chain, nearest first. */
function ownerChain(o: LiveObject, byUid: Map<string, LiveObject>): string[] {
  const out: string[] = [];
  for (let at: LiveObject | undefined = o; at && out.length < 16;) {
    const ref = at.metadata.ownerReferences?.find((r) => r.controller) ?? at.metadata.ownerReferences?.[0];
    if (!ref || out.includes(ref.uid)) break;
    out.push(ref.uid);
    at = byUid.get(ref.uid);
  }
  return out;
}

function claimTemplateNames(body: Fields): string[] {
  const spec = (body.spec ?? {}) as { volumeClaimTemplates?: { metadata?: { name?: string } }[] };
  return (spec.volumeClaimTemplates ?? []).map((t) => t.metadata?.name).filter((n): n is string => !!n);
}

/** The live object cut down to the fields the manifest sets (lists whole): what was compared. */
function project(code: unknown, live: unknown): unknown {
  if (typeof code !== 'object' || code === null || Array.isArray(code)) return live;
  if (typeof live !== 'object' || live === null || Array.isArray(live)) return live;
  const out: Fields = {};
  for (const key of Object.keys(code))
    if (key !== 'status' && key !== 'apiVersion' && key !== 'kind')
      out[key] = project((code as Fields)[key], (live as Fields)[key]);
  return out;
}
