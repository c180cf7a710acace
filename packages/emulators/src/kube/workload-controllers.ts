import { NAMESPACES, type KubeApiServer } from './api-server.js';
import type { Controller } from './controllers.js';
import { generatedName, kubeTimestamp } from './object-meta.js';
import { controllerOf, ownerReference, runningPod, templateHash } from './pods.js';
import { resourceByPath } from './resources.js';
import type { KubeObject } from './store.js';

type Fields = Record<string, unknown>;

const DEPLOYMENTS = resourceByPath('apps', 'v1', 'deployments')!;
const REPLICA_SETS = resourceByPath('apps', 'v1', 'replicasets')!;
const STATEFUL_SETS = resourceByPath('apps', 'v1', 'statefulsets')!;
const PODS = resourceByPath('', 'v1', 'pods')!;
const PVCS = resourceByPath('', 'v1', 'persistentvolumeclaims')!;

const REVISION = 'deployment.kubernetes.io/revision';
const spec = (o: KubeObject) => (o.spec ?? {}) as Fields;
const replicas = (o: KubeObject) => (typeof spec(o).replicas === 'number' ? (spec(o).replicas as number) : 1);
const revisionOf = (o: KubeObject) => Number(o.metadata.annotations?.[REVISION] ?? 0);
const ownedBy = (owner: KubeObject) => (o: KubeObject) => controllerOf(o)?.uid === owner.metadata.uid;

/**
 * The Deployment, ReplicaSet and StatefulSet controllers, at once rather than over seconds: a
 * Deployment runs its pods through a ReplicaSet named after its template's hash (a new template
 * makes a new ReplicaSet and scales the old ones to 0, keeping `revisionHistoryLimit` of them), a
 * StatefulSet owns pods `<name>-<ordinal>` and makes their claims from `volumeClaimTemplates`.
 * Nothing is made in a namespace being deleted, nor for an owner being deleted (the garbage
 * collector takes its dependents).
 */
export class WorkloadControllers implements Controller {
  constructor(private readonly api: KubeApiServer) {}

  reconcile(): void {
    const terminating = new Set(
      this.api.store
        .list(NAMESPACES)
        .filter((ns) => ns.metadata.deletionTimestamp)
        .map((ns) => ns.metadata.name),
    );
    const live = (o: KubeObject) => !o.metadata.deletionTimestamp && !terminating.has(o.metadata.namespace);
    for (const d of this.api.store.list(DEPLOYMENTS).filter(live)) this.syncDeployment(d);
    for (const rs of this.api.store.list(REPLICA_SETS).filter(live)) this.syncReplicaSet(rs);
    for (const sts of this.api.store.list(STATEFUL_SETS).filter(live)) this.syncStatefulSet(sts);
  }

  private syncDeployment(d: KubeObject): void {
    const ns = d.metadata.namespace;
    const hash = templateHash(spec(d).template);
    const owned = this.api.store.list(REPLICA_SETS, ns).filter(ownedBy(d));
    let current = owned.find((rs) => rs.metadata.labels?.['pod-template-hash'] === hash);
    const latest = Math.max(0, ...owned.map(revisionOf));
    if (!current) {
      const template = structuredClone(spec(d).template ?? {}) as Fields;
      const meta = (template.metadata ?? {}) as Fields;
      const labels = { ...(meta.labels as Record<string, string> | undefined), 'pod-template-hash': hash };
      template.metadata = { ...meta, labels };
      const selector = (spec(d).selector ?? {}) as Fields;
      current = this.api.systemCreate(REPLICA_SETS, {
        apiVersion: 'apps/v1',
        kind: 'ReplicaSet',
        metadata: {
          name: `${d.metadata.name}-${hash}`,
          namespace: ns,
          labels,
          annotations: {
            [REVISION]: String(latest + 1),
            'deployment.kubernetes.io/desired-replicas': String(replicas(d)),
          },
          ownerReferences: [ownerReference(d)],
        },
        spec: {
          replicas: replicas(d),
          selector: {
            ...selector,
            matchLabels: { ...(selector.matchLabels as Record<string, string>), 'pod-template-hash': hash },
          },
          template,
        },
      });
    } else if (replicas(current) !== replicas(d)) {
      current.spec = { ...spec(current), replicas: replicas(d) };
      current.metadata.generation = (current.metadata.generation ?? 1) + 1;
      current = this.api.systemWrite(REPLICA_SETS, current);
    }
    const old = owned.filter((rs) => rs.metadata.uid !== current.metadata.uid);
    for (const rs of old.filter((o) => replicas(o) !== 0)) {
      rs.spec = { ...spec(rs), replicas: 0 };
      rs.metadata.generation = (rs.metadata.generation ?? 1) + 1;
      this.api.systemWrite(REPLICA_SETS, rs);
    }
    const limit = typeof spec(d).revisionHistoryLimit === 'number' ? (spec(d).revisionHistoryLimit as number) : 10;
    const byAge = old.sort((a, b) => revisionOf(a) - revisionOf(b));
    for (const rs of byAge.slice(0, Math.max(0, byAge.length - limit))) this.api.systemRemove(REPLICA_SETS, rs);
    const revision = String(revisionOf(current));
    if (d.metadata.annotations?.[REVISION] !== revision) {
      d.metadata.annotations = { ...d.metadata.annotations, [REVISION]: revision };
      this.api.systemWrite(DEPLOYMENTS, d);
    }
  }

  private syncReplicaSet(rs: KubeObject): void {
    const ns = rs.metadata.namespace ?? 'default';
    const pods = this.api.store.list(PODS, ns).filter((p) => ownedBy(rs)(p) && !p.metadata.deletionTimestamp);
    for (let n = pods.length; n < replicas(rs); n++)
      this.api.systemCreate(
        PODS,
        runningPod({
          name: generatedName(`${rs.metadata.name}-`),
          namespace: ns,
          template: spec(rs).template,
          owner: rs,
          now: kubeTimestamp(this.api.clock),
        }),
      );
    // Scaling down removes the newest pods first, as the ReplicaSet controller ranks them.
    const extra = pods.sort((a, b) => (a.metadata.creationTimestamp! < b.metadata.creationTimestamp! ? 1 : -1));
    for (const p of extra.slice(0, Math.max(0, pods.length - replicas(rs)))) this.api.systemRemove(PODS, p);
  }

  private syncStatefulSet(sts: KubeObject): void {
    const ns = sts.metadata.namespace ?? 'default';
    const name = sts.metadata.name ?? '';
    const revision = `${name}-${templateHash(spec(sts).template)}`;
    // RollingUpdate: a pod of an older template is replaced (all at once here, not one by one).
    const pods = this.api.store.list(PODS, ns).filter((p) => {
      if (!ownedBy(sts)(p)) return false;
      if (p.metadata.labels?.['controller-revision-hash'] === revision) return true;
      this.api.systemRemove(PODS, p);
      return false;
    });
    const claims = (Array.isArray(spec(sts).volumeClaimTemplates) ? spec(sts).volumeClaimTemplates : []) as {
      metadata?: { name?: string; labels?: Record<string, string> };
      spec?: Fields;
    }[];
    const selector = ((spec(sts).selector ?? {}) as { matchLabels?: Record<string, string> }).matchLabels;
    for (let i = 0; i < replicas(sts); i++) {
      const podName = `${name}-${i}`;
      if (pods.some((p) => p.metadata.name === podName)) continue;
      const volumes: Fields[] = [];
      for (const t of claims) {
        const claimName = `${t.metadata?.name}-${podName}`;
        volumes.push({ name: t.metadata?.name, persistentVolumeClaim: { claimName } });
        if (!this.api.store.get(PVCS, ns, claimName))
          this.api.systemCreate(PVCS, {
            apiVersion: 'v1',
            kind: 'PersistentVolumeClaim',
            metadata: { name: claimName, namespace: ns, labels: { ...t.metadata?.labels, ...selector } },
            spec: structuredClone(t.spec ?? {}),
          });
      }
      const templateSpec = ((spec(sts).template as Fields | undefined)?.spec ?? {}) as Fields;
      this.api.systemCreate(
        PODS,
        runningPod({
          name: podName,
          namespace: ns,
          template: spec(sts).template,
          owner: sts,
          labels: {
            'controller-revision-hash': revision,
            'statefulset.kubernetes.io/pod-name': podName,
            'apps.kubernetes.io/pod-index': String(i),
          },
          spec: {
            hostname: podName,
            ...(spec(sts).serviceName ? { subdomain: spec(sts).serviceName } : {}),
            ...(volumes.length
              ? { volumes: [...((templateSpec.volumes as Fields[] | undefined) ?? []), ...volumes] }
              : {}),
          },
          now: kubeTimestamp(this.api.clock),
        }),
      );
    }
    for (const p of pods) {
      const ordinal = Number(p.metadata.name?.slice(name.length + 1));
      if (!(ordinal < replicas(sts))) this.api.systemRemove(PODS, p);
    }
  }
}
