import type { KubeApiServer } from './api-server.js';
import type { Controller } from './controllers.js';
import { GKE_INGRESS_FINALIZERS, hasGkeFinalizer } from './gke-ingress.js';
import { resourceByPath } from './resources.js';

const INGRESSES = resourceByPath('networking.k8s.io', 'v1', 'ingresses')!;

/**
 * GKE's ingress controller tearing down a load balancer: `teardownMs` after an Ingress carrying
 * its finalizer starts deleting, the finalizer is removed and the Ingress disappears.
 */
export class GkeIngressController implements Controller {
  private readonly pending = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly api: KubeApiServer,
    public teardownMs: number,
  ) {}

  reconcile(): void {
    for (const ing of this.api.store.list(INGRESSES)) {
      const uid = ing.metadata.uid ?? '';
      if (!ing.metadata.deletionTimestamp || !hasGkeFinalizer(ing) || this.pending.has(uid)) continue;
      const timer = setTimeout(
        () => this.teardown(ing.metadata.namespace, ing.metadata.name ?? '', uid),
        this.teardownMs,
      );
      timer.unref();
      this.pending.set(uid, timer);
    }
  }

  stop(): void {
    for (const t of this.pending.values()) clearTimeout(t);
    this.pending.clear();
  }

  private teardown(namespace: string | undefined, name: string, uid: string): void {
    this.pending.delete(uid);
    const ing = this.api.store.get(INGRESSES, namespace, name);
    if (!ing || ing.metadata.uid !== uid) return;
    ing.metadata.finalizers = (ing.metadata.finalizers ?? []).filter((f) => !GKE_INGRESS_FINALIZERS.includes(f));
    ing.status = { loadBalancer: {} };
    this.api.systemWrite(INGRESSES, ing);
  }
}
