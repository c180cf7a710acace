import type { EmulatorClock } from '../common/clock.js';
import { kubeTimestamp } from './object-meta.js';
import type { ResourceType } from './resources.js';
import { badRequest, conflict, invalid } from './status.js';
import type { KubeObject, KubeObjectStore } from './store.js';

export type PropagationPolicy = 'Foreground' | 'Background' | 'Orphan';

/** The finalizers the garbage collector acts on, as in the real API. */
export const FOREGROUND_FINALIZER = 'foregroundDeletion';
export const ORPHAN_FINALIZER = 'orphan';

export interface DeleteOptions {
  propagationPolicy?: string;
  orphanDependents?: boolean;
  /** Accepted and ignored: only pods delete gracefully, and the emulator serves none. */
  gracePeriodSeconds?: number;
  preconditions?: { uid?: string; resourceVersion?: string };
}

export function propagationOf(r: ResourceType, name: string, opts: DeleteOptions): PropagationPolicy {
  const p = opts.propagationPolicy;
  if (p !== undefined && opts.orphanDependents !== undefined)
    throw invalid(
      r,
      name,
      'propagationPolicy',
      'Invalid value: "' + p + '": orphanDependents and deletionPropagation cannot be both set',
    );
  if (p === undefined) return opts.orphanDependents ? 'Orphan' : 'Background';
  if (p !== 'Foreground' && p !== 'Background' && p !== 'Orphan')
    throw invalid(
      r,
      name,
      'propagationPolicy',
      `Unsupported value: "${p}": supported values: "Foreground", "Background", "Orphan"`,
    );
  return p;
}

export function checkPreconditions(r: ResourceType, current: KubeObject, opts: DeleteOptions): void {
  const { uid, resourceVersion } = opts.preconditions ?? {};
  const name = current.metadata.name ?? '';
  if (uid && uid !== current.metadata.uid)
    throw conflict(
      r,
      name,
      `Precondition failed: UID in precondition: ${uid}, UID in object meta: ${current.metadata.uid}`,
    );
  if (resourceVersion && resourceVersion !== current.metadata.resourceVersion)
    throw conflict(
      r,
      name,
      `Precondition failed: ResourceVersion in precondition: ${resourceVersion}, ResourceVersion in object meta: ${current.metadata.resourceVersion}`,
    );
  if (opts.gracePeriodSeconds !== undefined && !(opts.gracePeriodSeconds >= 0))
    throw badRequest('gracePeriodSeconds must be non-negative');
}

export const dependentsOf = (store: KubeObjectStore, uid: string | undefined) =>
  uid ? store.entries().filter((e) => e.object.metadata.ownerReferences?.some((ref) => ref.uid === uid)) : [];

/**
 * Starts deleting an object. Objects with finalizers (their own, or the one the propagation policy
 * adds when dependents exist) are kept with `deletionTimestamp` until the finalizers are removed;
 * namespaces always go Terminating first. Anything else is removed at once.
 * Returns the object if it remains, or undefined when it is gone.
 */
export function planDeletion(
  store: KubeObjectStore,
  clock: EmulatorClock,
  r: ResourceType,
  current: KubeObject,
  policy: PropagationPolicy,
): KubeObject | undefined {
  const next = structuredClone(current);
  const finalizers = new Set(next.metadata.finalizers ?? []);
  if (dependentsOf(store, next.metadata.uid).length > 0) {
    if (policy === 'Foreground') finalizers.add(FOREGROUND_FINALIZER);
    if (policy === 'Orphan') finalizers.add(ORPHAN_FINALIZER);
  }
  if (finalizers.size > 0) next.metadata.finalizers = [...finalizers];
  if (r.kind === 'Namespace') next.status = { ...(next.status as object), phase: 'Terminating' };
  if (finalizers.size === 0 && r.kind !== 'Namespace') return undefined;
  if (!next.metadata.deletionTimestamp) {
    next.metadata.deletionTimestamp = kubeTimestamp(clock);
    next.metadata.deletionGracePeriodSeconds = 0;
    next.metadata.generation = (next.metadata.generation ?? 0) + 1;
  }
  return next;
}
