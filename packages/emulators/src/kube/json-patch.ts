import { isPlainObject } from './merge-patch.js';

export interface JsonPatchOperation {
  op: 'add' | 'remove' | 'replace' | 'move' | 'copy' | 'test';
  path: string;
  from?: string;
  value?: unknown;
}

/** Why a JSON patch could not be applied; the API server answers 422. */
export class PatchError extends Error {}

/** JSON patch (RFC 6902), all six operations, applied to a copy. */
export function applyJsonPatch(target: unknown, ops: unknown): unknown {
  if (!Array.isArray(ops)) throw new PatchError('json patch must be an array of operations');
  let doc = structuredClone(target);
  for (const raw of ops as JsonPatchOperation[]) {
    if (!isPlainObject(raw) || typeof raw.path !== 'string')
      throw new PatchError(`invalid json patch operation: ${JSON.stringify(raw)}`);
    switch (raw.op) {
      case 'add':
        doc = add(doc, parsePointer(raw.path), structuredClone(raw.value));
        break;
      case 'remove':
        doc = remove(doc, parsePointer(raw.path)).doc;
        break;
      case 'replace':
        get(doc, parsePointer(raw.path));
        doc = add(remove(doc, parsePointer(raw.path)).doc, parsePointer(raw.path), structuredClone(raw.value));
        break;
      case 'move': {
        const taken = remove(doc, parsePointer(raw.from ?? ''));
        doc = add(taken.doc, parsePointer(raw.path), taken.value);
        break;
      }
      case 'copy':
        doc = add(doc, parsePointer(raw.path), structuredClone(get(doc, parsePointer(raw.from ?? ''))));
        break;
      case 'test':
        if (!deepEqual(get(doc, parsePointer(raw.path)), raw.value))
          throw new PatchError(`testing value ${raw.path} failed`);
        break;
      default:
        throw new PatchError(`Unexpected kind: ${String((raw as { op: unknown }).op)}`);
    }
  }
  return doc;
}

function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw new PatchError(`invalid JSON pointer: ${pointer}`);
  return pointer
    .slice(1)
    .split('/')
    .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function get(doc: unknown, path: string[]): unknown {
  let cur = doc;
  for (const token of path) {
    if (Array.isArray(cur) && /^\d+$/.test(token) && Number(token) < cur.length) cur = cur[Number(token)];
    else if (isPlainObject(cur) && Object.hasOwn(cur, token)) cur = cur[token];
    else throw new PatchError(`path /${path.join('/')} does not exist`);
  }
  return cur;
}

function add(doc: unknown, path: string[], value: unknown): unknown {
  if (path.length === 0) return value;
  const parent = get(doc, path.slice(0, -1));
  const last = path[path.length - 1];
  if (Array.isArray(parent)) {
    const index = last === '-' ? parent.length : Number(last);
    if (!/^\d+$/.test(last) && last !== '-') throw new PatchError(`invalid array index ${last}`);
    if (index > parent.length) throw new PatchError(`array index ${index} out of bounds`);
    parent.splice(index, 0, value);
  } else if (isPlainObject(parent)) parent[last] = value;
  else throw new PatchError(`cannot add to /${path.join('/')}: parent is not an object or array`);
  return doc;
}

function remove(doc: unknown, path: string[]): { doc: unknown; value: unknown } {
  const value = get(doc, path);
  if (path.length === 0) return { doc: undefined, value };
  const parent = get(doc, path.slice(0, -1));
  const last = path[path.length - 1];
  if (Array.isArray(parent)) parent.splice(Number(last), 1);
  else delete (parent as Record<string, unknown>)[last];
  return { doc, value };
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => deepEqual(v, b[i]));
  if (isPlainObject(a) && isPlainObject(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => Object.hasOwn(b, k) && deepEqual(a[k], b[k]));
  }
  return false;
}
