import { badValue, notImplemented } from './errors.js';
import { isDoc, truthy, type Doc } from './values.js';

type Tree = { [field: string]: true | Tree };

/**
 * Applies a find projection: inclusion (`{a: 1, 'b.c': 1}`) or exclusion (`{a: 0}`), `_id` kept unless
 * excluded. Field order follows the document, as on the server.
 */
export function project(doc: Doc, projection: Doc | undefined): Doc {
  if (!projection || Object.keys(projection).length === 0) return doc;
  const include: Tree = {};
  const exclude: Tree = {};
  let keepId = true;
  for (const [path, spec] of Object.entries(projection)) {
    if (isDoc(spec) || Array.isArray(spec) || typeof spec === 'string')
      throw notImplemented(`projection expression for ${path}`);
    if (path === '_id') {
      keepId = truthy(spec);
      continue;
    }
    addPath(truthy(spec) ? include : exclude, path);
  }
  const including = Object.keys(include).length > 0;
  if (including && Object.keys(exclude).length > 0) {
    throw badValue('Cannot do exclusion on a field in inclusion projection');
  }
  if (including) {
    const out = pick(doc, include);
    if (keepId && '_id' in doc) return { _id: doc._id, ...out };
    return out;
  }
  const out = omit(doc, exclude);
  if (!keepId) delete out._id;
  return out;
}

function addPath(tree: Tree, path: string): void {
  const parts = path.split('.');
  let node = tree;
  parts.forEach((part, i) => {
    if (i === parts.length - 1) node[part] = true;
    else {
      const next = node[part];
      if (next === true) return;
      node = node[part] = next ?? {};
    }
  });
}

function pick(doc: Doc, tree: Tree): Doc {
  const out: Doc = {};
  for (const [key, value] of Object.entries(doc)) {
    const spec = tree[key];
    if (spec === undefined) continue;
    if (spec === true) out[key] = value;
    else if (isDoc(value)) out[key] = pick(value, spec);
    else if (Array.isArray(value)) out[key] = value.filter(isDoc).map((el) => pick(el, spec));
  }
  return out;
}

function omit(doc: Doc, tree: Tree): Doc {
  const out: Doc = {};
  for (const [key, value] of Object.entries(doc)) {
    const spec = tree[key];
    if (spec === true) continue;
    if (spec === undefined) out[key] = value;
    else if (isDoc(value)) out[key] = omit(value, spec);
    else if (Array.isArray(value)) out[key] = value.map((el) => (isDoc(el) ? omit(el, spec) : el));
    else out[key] = value;
  }
  return out;
}
