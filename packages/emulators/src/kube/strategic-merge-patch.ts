import { isPlainObject } from './merge-patch.js';

/**
 * Merge keys of the list fields kubectl users patch most, from the Kubernetes API's `patchMergeKey`
 * tags. `ports` is keyed by `containerPort` in a container and by `port` in a Service: the first key
 * every patch item carries wins.
 */
const MERGE_KEYS: Record<string, string[]> = {
  containers: ['name'],
  initContainers: ['name'],
  ephemeralContainers: ['name'],
  env: ['name'],
  volumes: ['name'],
  volumeMounts: ['mountPath'],
  volumeDevices: ['devicePath'],
  ports: ['containerPort', 'port'],
  imagePullSecrets: ['name'],
  hostAliases: ['ip'],
  ownerReferences: ['uid'],
  conditions: ['type'],
  topologySpreadConstraints: ['topologyKey'],
  resourceClaims: ['name'],
};

/** Primitive lists with `patchStrategy: merge`: the patch adds to the set instead of replacing it. */
const SET_LISTS = new Set(['finalizers']);

/**
 * An approximation of strategic merge patch without the OpenAPI schema: maps merge, `null` deletes,
 * lists named in MERGE_KEYS merge item by item (honouring `$patch: delete|replace`), `finalizers`
 * merges as a set, `$deleteFromPrimitiveList/<field>` removes values, every other list is replaced.
 * `$setElementOrder` and `$retainKeys` are accepted and ignored.
 */
export function applyStrategicMergePatch(target: unknown, patch: unknown): unknown {
  return mergeValue(target, patch, '');
}

function mergeValue(target: unknown, patch: unknown, field: string): unknown {
  if (Array.isArray(patch)) return mergeList(Array.isArray(target) ? target : [], patch, field);
  if (!isPlainObject(patch)) return structuredClone(patch);
  if (patch.$patch === 'replace') return stripDirectives(patch);
  if (patch.$patch === 'delete') return undefined;
  const result: Record<string, unknown> = isPlainObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (key.startsWith('$deleteFromPrimitiveList/')) {
      const name = key.slice('$deleteFromPrimitiveList/'.length);
      const drop = new Set(Array.isArray(value) ? value : []);
      if (Array.isArray(result[name])) result[name] = (result[name] as unknown[]).filter((v) => !drop.has(v));
      continue;
    }
    if (key.startsWith('$')) continue;
    if (value === null) {
      delete result[key];
      continue;
    }
    const merged = mergeValue(result[key], value, key);
    if (merged === undefined) delete result[key];
    else result[key] = merged;
  }
  return result;
}

function mergeList(target: unknown[], patch: unknown[], field: string): unknown[] {
  if (SET_LISTS.has(field)) return [...new Set([...target, ...patch])];
  const objects = patch.filter(isPlainObject);
  if (objects.some((item) => item.$patch === 'replace'))
    return patch.filter((i) => !(isPlainObject(i) && i.$patch === 'replace')).map(stripDirectives);
  const key = MERGE_KEYS[field]?.find(
    (k) => objects.length === patch.length && objects.every((i) => i[k] !== undefined),
  );
  if (!key) return patch.map(stripDirectives);
  const result = target.map((t) => structuredClone(t));
  for (const item of objects) {
    const index = result.findIndex((t) => isPlainObject(t) && t[key] === item[key]);
    if (item.$patch === 'delete') {
      if (index >= 0) result.splice(index, 1);
    } else if (index >= 0) result[index] = mergeValue(result[index], item, field);
    else result.push(stripDirectives(item));
  }
  return result;
}

function stripDirectives(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(stripDirectives);
  if (!isPlainObject(v)) return v;
  return Object.fromEntries(
    Object.entries(v)
      .filter(([k]) => !k.startsWith('$'))
      .map(([k, val]) => [k, stripDirectives(val)]),
  );
}
