import { resourceByPath, type ResourceType } from './resources.js';

/** Where a resource URL points: a collection (no name), an object, or one of its subresources. */
export interface ResourceTarget {
  resource: ResourceType;
  namespace?: string;
  name?: string;
  subresource?: string;
}

/** Parses `/api/v1/...` and `/apis/<group>/<version>/...`, with or without `namespaces/<ns>/`. */
export function parseResourcePath(path: string): ResourceTarget | undefined {
  const seg = path.split('/').filter(Boolean).map(decodeURIComponent);
  let group: string;
  let version: string;
  let rest: string[];
  if (seg[0] === 'api' && seg.length >= 3) [group, version, rest] = ['', seg[1], seg.slice(2)];
  else if (seg[0] === 'apis' && seg.length >= 4) [group, version, rest] = [seg[1], seg[2], seg.slice(3)];
  else return undefined;
  let namespace: string | undefined;
  if (rest[0] === 'namespaces' && rest.length >= 3 && resourceByPath(group, version, rest[2])?.namespaced) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  const resource = resourceByPath(group, version, rest[0]);
  if (!resource || rest.length > 3) return undefined;
  const [, name, subresource] = rest;
  // A namespaced object is only reachable through its namespace.
  if (resource.namespaced && name !== undefined && namespace === undefined) return undefined;
  return { resource, namespace, name, subresource };
}
