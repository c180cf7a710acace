import { apiVersionOf, RESOURCES, type ResourceType } from './resources.js';

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
  ownerReferences?: OwnerReference[];
  [field: string]: unknown;
}

/** A Kubernetes object as stored: plain JSON, the emulator reads only the fields it acts on. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [field: string]: unknown;
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StoreEvent {
  type: WatchEventType;
  resource: ResourceType;
  object: KubeObject;
}

/** What `dataDir` persistence writes and reads back. */
export interface StoreSnapshot {
  resourceVersion: number;
  objects: KubeObject[];
}

export const clone = <T>(v: T): T => structuredClone(v);

const keyOf = (r: ResourceType, namespace: string | undefined, name: string) =>
  `${r.group}/${r.plural}|${r.namespaced ? (namespace ?? '') : ''}|${name}`;

/**
 * Objects keyed by resource/namespace/name. Every write bumps one cluster-wide resourceVersion,
 * as etcd's revision does, and is announced to listeners (persistence, watches).
 */
export class KubeObjectStore {
  private readonly objects = new Map<string, { resource: ResourceType; object: KubeObject }>();
  private revision = 0;
  private readonly listeners = new Set<(e: StoreEvent) => void>();

  get resourceVersion(): string {
    return String(this.revision);
  }

  get(r: ResourceType, namespace: string | undefined, name: string): KubeObject | undefined {
    const found = this.objects.get(keyOf(r, namespace, name));
    return found && clone(found.object);
  }

  /** All objects of a type (or of every type), optionally in one namespace, sorted as the server lists them. */
  list(r?: ResourceType, namespace?: string): KubeObject[] {
    const out: KubeObject[] = [];
    for (const { resource, object } of this.objects.values()) {
      if (r && resource !== r) continue;
      if (namespace !== undefined && object.metadata.namespace !== namespace) continue;
      out.push(clone(object));
    }
    return out.sort(byNamespaceAndName);
  }

  /** Every stored object with its type; used by controllers that scan the whole cluster. */
  entries(): { resource: ResourceType; object: KubeObject }[] {
    return [...this.objects.values()].map(({ resource, object }) => ({ resource, object: clone(object) }));
  }

  findByUid(uid: string): { resource: ResourceType; object: KubeObject } | undefined {
    for (const e of this.objects.values())
      if (e.object.metadata.uid === uid) return { resource: e.resource, object: clone(e.object) };
    return undefined;
  }

  /** Writes an object, stamping it with the next resourceVersion. Returns what was stored. */
  put(r: ResourceType, object: KubeObject): KubeObject {
    const key = keyOf(r, object.metadata.namespace, object.metadata.name ?? '');
    const type: WatchEventType = this.objects.has(key) ? 'MODIFIED' : 'ADDED';
    const stored = clone(object);
    stored.metadata.resourceVersion = String(++this.revision);
    this.objects.set(key, { resource: r, object: stored });
    this.emit({ type, resource: r, object: clone(stored) });
    return clone(stored);
  }

  remove(r: ResourceType, namespace: string | undefined, name: string): KubeObject | undefined {
    const key = keyOf(r, namespace, name);
    const found = this.objects.get(key);
    if (!found) return undefined;
    this.objects.delete(key);
    const gone = clone(found.object);
    gone.metadata.resourceVersion = String(++this.revision);
    this.emit({ type: 'DELETED', resource: r, object: clone(gone) });
    return gone;
  }

  onChange(listener: (e: StoreEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  snapshot(): StoreSnapshot {
    return { resourceVersion: this.revision, objects: [...this.objects.values()].map((e) => clone(e.object)) };
  }

  /** Replaces the contents with a snapshot; objects of kinds this emulator no longer serves are dropped. */
  restore(s: StoreSnapshot): void {
    this.objects.clear();
    this.revision = s.resourceVersion;
    for (const object of s.objects) {
      const r = RESOURCES.find((t) => t.kind === object.kind && apiVersionOf(t) === object.apiVersion);
      if (r)
        this.objects.set(keyOf(r, object.metadata.namespace, object.metadata.name ?? ''), {
          resource: r,
          object: clone(object),
        });
    }
  }

  private emit(e: StoreEvent): void {
    for (const l of this.listeners) l(e);
  }
}

function byNamespaceAndName(a: KubeObject, b: KubeObject): number {
  const ka = `${a.metadata.namespace ?? ''}/${a.metadata.name ?? ''}`;
  const kb = `${b.metadata.namespace ?? ''}/${b.metadata.name ?? ''}`;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}
