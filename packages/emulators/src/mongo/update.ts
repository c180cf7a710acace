import { ObjectId } from 'bson';
import { ErrorCodes, MongoCommandError, badValue, notImplemented } from './errors.js';
import { cloneDoc, compareValues, isDoc, toNumber, type Doc } from './values.js';

const failedToParse = (message: string) => new MongoCommandError(ErrorCodes.FailedToParse, 'FailedToParse', message);

export const isOperatorUpdate = (u: Doc) => Object.keys(u).some((k) => k.startsWith('$'));

/**
 * The document an update produces: operators ($set, $unset, $inc, $setOnInsert) or a replacement
 * that keeps `_id`. Never mutates its input.
 */
export function applyUpdate(doc: Doc, update: unknown, inserting: boolean): Doc {
  if (Array.isArray(update)) throw notImplemented('update with an aggregation pipeline');
  if (!isDoc(update)) throw failedToParse('update must be a document');
  if (!isOperatorUpdate(update)) {
    if (Object.keys(update).some((k) => k.startsWith('$')))
      throw failedToParse('replacement documents cannot mix operators');
    const replaced = cloneDoc(update);
    if ('_id' in doc) {
      if ('_id' in replaced && compareValues(replaced._id, doc._id) !== 0) throw immutableId();
      return { _id: doc._id, ...replaced };
    }
    return replaced;
  }
  const out = cloneDoc(doc);
  for (const [op, fields] of Object.entries(update)) {
    if (!isDoc(fields)) throw failedToParse(`Modifiers operate on fields but we found type ${typeof fields} instead`);
    for (const [path, value] of Object.entries(fields)) {
      if (
        path === '_id' &&
        op !== '$setOnInsert' &&
        !inserting &&
        (op !== '$set' || compareValues(value, doc._id) !== 0)
      ) {
        throw immutableId();
      }
      switch (op) {
        case '$set':
          setPath(out, path, value);
          break;
        case '$setOnInsert':
          if (inserting) setPath(out, path, value);
          break;
        case '$unset':
          unsetPath(out, path);
          break;
        case '$inc': {
          const by = toNumber(value);
          if (by === undefined)
            throw badValue(`Cannot increment with non-numeric argument: {${path}: ${String(value)}}`);
          const current = getPath(out, path);
          const base = current === undefined ? 0 : toNumber(current);
          if (base === undefined)
            throw new MongoCommandError(
              ErrorCodes.TypeMismatch,
              'TypeMismatch',
              `Cannot apply $inc to a value of non-numeric type at ${path}`,
            );
          setPath(out, path, base + by);
          break;
        }
        case '$currentDate':
          setPath(out, path, new Date());
          break;
        default:
          throw failedToParse(
            `Unknown modifier: ${op}. Expected a valid update modifier or pipeline-style update specified as an array`,
          );
      }
    }
  }
  return out;
}

/** The document an upsert starts from: the query's equality conditions (`{key: 'x'}`, `{key: {$eq: 'x'}}`). */
export function upsertBase(filter: Doc | undefined): Doc {
  const base: Doc = {};
  for (const [path, cond] of Object.entries(filter ?? {})) {
    if (path === '$and' && Array.isArray(cond)) {
      for (const sub of cond) if (isDoc(sub)) Object.assign(base, upsertBase(sub));
      continue;
    }
    if (path.startsWith('$')) continue;
    if (isDoc(cond) && Object.keys(cond).some((k) => k.startsWith('$'))) {
      if ('$eq' in cond) setPath(base, path, cond.$eq);
      continue;
    }
    setPath(base, path, cond);
  }
  return base;
}

export function withId(doc: Doc): Doc {
  return '_id' in doc ? doc : { _id: new ObjectId(), ...doc };
}

const immutableId = () =>
  new MongoCommandError(
    ErrorCodes.ImmutableField,
    'ImmutableField',
    "Performing an update on the path '_id' would modify the immutable field '_id'",
  );

function getPath(doc: Doc, path: string): unknown {
  let node: unknown = doc;
  for (const part of path.split('.')) {
    if (Array.isArray(node)) node = node[Number(part)];
    else if (isDoc(node)) node = node[part];
    else return undefined;
  }
  return node;
}

function setPath(doc: Doc, path: string, value: unknown): void {
  const parts = path.split('.');
  let node: Doc | unknown[] = doc;
  parts.forEach((part, i) => {
    const last = i === parts.length - 1;
    const container = node as Record<string, unknown>;
    if (Array.isArray(node) && !/^\d+$/.test(part))
      throw badValue(`Cannot create field '${part}' in element {${parts[i - 1]}: [...]}`);
    if (last) {
      container[part] = value;
      return;
    }
    const next = container[part];
    if (next === undefined || next === null) container[part] = {};
    else if (!isDoc(next) && !Array.isArray(next))
      throw badValue(`Cannot create field '${parts[i + 1]}' in element {${part}: ${String(next)}}`);
    node = container[part] as Doc | unknown[];
  });
}

function unsetPath(doc: Doc, path: string): void {
  const parts = path.split('.');
  let node: unknown = doc;
  for (const part of parts.slice(0, -1)) {
    node = Array.isArray(node) ? node[Number(part)] : isDoc(node) ? node[part] : undefined;
    if (node === undefined) return;
  }
  const last = parts[parts.length - 1];
  if (Array.isArray(node)) node[Number(last)] = null;
  else if (isDoc(node)) delete node[last];
}
