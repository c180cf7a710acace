import { requestContext, type KubeApiServer } from './api-server.js';
import type { Controller } from './controllers.js';
import { FOREGROUND_FINALIZER, ORPHAN_FINALIZER, type PropagationPolicy } from './deletion.js';
import { resourceForObject, type ResourceType } from './resources.js';
import type { KubeObject } from './store.js';

const GC_USER = {
  username: 'system:serviceaccount:kube-system:generic-garbage-collector',
  groups: ['system:serviceaccounts', 'system:serviceaccounts:kube-system', 'system:authenticated'],
};

type Entry = { resource: ResourceType; object: KubeObject };

/**
 * The garbage collector, by ownerReferences uid: dependents of a deleted owner are deleted
 * (Background), deleted first (Foreground, the owner keeps `foregroundDeletion` until they are
 * gone) or released (Orphan). Its deletes pass admission like the real one's do, so a policy can
 * hold a dependent back. Owners of kinds the emulator does not serve are assumed to exist.
 */
export class GarbageCollector implements Controller {
  constructor(private readonly api: KubeApiServer) {}

  reconcile(): void {
    const entries = this.api.store.entries();
    const byUid = new Set(entries.map((e) => e.object.metadata.uid));
    for (const owner of entries) {
      const m = owner.object.metadata;
      if (!m.deletionTimestamp) continue;
      const dependents = entries.filter((e) => e.object.metadata.ownerReferences?.some((ref) => ref.uid === m.uid));
      if (m.finalizers?.includes(ORPHAN_FINALIZER)) {
        for (const d of dependents) this.release(d, m.uid ?? '');
        this.dropFinalizer(owner, ORPHAN_FINALIZER);
      } else if (m.finalizers?.includes(FOREGROUND_FINALIZER)) {
        for (const d of dependents) if (!d.object.metadata.deletionTimestamp) this.tryDelete(d, 'Foreground');
        if (dependents.length === 0) this.dropFinalizer(owner, FOREGROUND_FINALIZER);
      }
    }
    for (const d of entries) {
      const refs = d.object.metadata.ownerReferences ?? [];
      if (refs.length === 0 || d.object.metadata.deletionTimestamp) continue;
      const ownersGone = refs.every((ref) => resourceForObject(ref) !== undefined && !byUid.has(ref.uid));
      if (ownersGone) this.tryDelete(d, 'Background');
    }
  }

  private release(d: Entry, ownerUid: string): void {
    const o = d.object;
    o.metadata.ownerReferences = (o.metadata.ownerReferences ?? []).filter((ref) => ref.uid !== ownerUid);
    if (o.metadata.ownerReferences.length === 0) delete o.metadata.ownerReferences;
    this.api.systemWrite(d.resource, o);
  }

  private dropFinalizer(e: Entry, finalizer: string): void {
    const current = this.api.store.get(e.resource, e.object.metadata.namespace, e.object.metadata.name ?? '');
    if (!current) return;
    current.metadata.finalizers = (current.metadata.finalizers ?? []).filter((f) => f !== finalizer);
    this.api.systemWrite(e.resource, current);
  }

  private tryDelete(d: Entry, propagationPolicy: PropagationPolicy): void {
    try {
      this.api.delete(
        d.resource,
        d.object.metadata.namespace,
        d.object.metadata.name ?? '',
        { propagationPolicy },
        requestContext(GC_USER),
      );
    } catch {
      // Denied by admission or already gone: the next write gives it another try, as the real GC retries.
    }
  }
}
