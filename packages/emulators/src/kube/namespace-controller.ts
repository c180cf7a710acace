import { NAMESPACES, requestContext, type KubeApiServer } from './api-server.js';
import type { Controller } from './controllers.js';

const NS_USER = {
  username: 'system:serviceaccount:kube-system:namespace-controller',
  groups: ['system:serviceaccounts', 'system:serviceaccounts:kube-system', 'system:authenticated'],
};

/**
 * Empties Terminating namespaces (its deletes pass admission, like the real controller's, so a
 * protected object keeps its namespace Terminating) and removes a namespace `teardownMs` after
 * it is empty — so callers see Terminating first, then NotFound.
 */
export class NamespaceController implements Controller {
  private readonly pending = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly api: KubeApiServer,
    private readonly teardownMs: number,
  ) {}

  reconcile(): void {
    const entries = this.api.store.entries();
    for (const ns of this.api.store.list(NAMESPACES)) {
      if (!ns.metadata.deletionTimestamp) continue;
      const name = ns.metadata.name ?? '';
      const contents = entries.filter((e) => e.resource.namespaced && e.object.metadata.namespace === name);
      for (const c of contents) {
        if (c.object.metadata.deletionTimestamp) continue;
        try {
          this.api.delete(
            c.resource,
            name,
            c.object.metadata.name ?? '',
            { propagationPolicy: 'Background' },
            requestContext(NS_USER),
          );
        } catch {
          // Denied (or already gone): retried on the next write.
        }
      }
      if (contents.length === 0 && !this.pending.has(name)) {
        const timer = setTimeout(() => this.finalize(name), this.teardownMs);
        timer.unref();
        this.pending.set(name, timer);
      }
    }
  }

  stop(): void {
    for (const t of this.pending.values()) clearTimeout(t);
    this.pending.clear();
  }

  private finalize(name: string): void {
    this.pending.delete(name);
    const ns = this.api.store.get(NAMESPACES, undefined, name);
    if (!ns?.metadata.deletionTimestamp) return;
    if (this.api.store.entries().some((e) => e.resource.namespaced && e.object.metadata.namespace === name)) {
      this.api.onWrite();
      return;
    }
    ns.spec = { ...(ns.spec as object), finalizers: [] };
    this.api.systemWrite(NAMESPACES, ns);
  }
}
