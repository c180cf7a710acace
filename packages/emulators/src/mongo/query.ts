import { badValue } from './errors.js';
import {
  compareValues,
  isDoc,
  toNumber,
  truthy,
  TYPE_ALIASES,
  typeAlias,
  typeRank,
  valuesEqual,
  type Doc,
} from './values.js';

/**
 * The values a dotted path reaches in a document, descending into arrays of documents the way
 * the server does (`a.b` on `{a: [{b: 1}, {b: 2}]}` reaches 1 and 2). Empty when the path is missing.
 */
export function valuesAtPath(doc: unknown, path: string): unknown[] {
  const out: unknown[] = [];
  walk(doc, path.split('.'), 0, out);
  return out;
}

function walk(node: unknown, parts: string[], i: number, out: unknown[]): void {
  if (i === parts.length) {
    out.push(node);
    return;
  }
  const part = parts[i];
  if (Array.isArray(node)) {
    if (/^\d+$/.test(part) && Number(part) < node.length) walk(node[Number(part)], parts, i + 1, out);
    for (const el of node) if (isDoc(el)) walk(el, parts, i, out);
    return;
  }
  if (isDoc(node) && Object.hasOwn(node, part)) walk(node[part], parts, i + 1, out);
}

/** Each candidate, plus the elements of candidates that are arrays: what `{a: 1}` compares against. */
function expand(values: unknown[]): unknown[] {
  return values.flatMap((v) => (Array.isArray(v) ? [v, ...v] : [v]));
}

/** Whether a document matches a query filter (the subset of the query language gwctl relies on). */
export function matches(doc: Doc, filter: Doc | undefined): boolean {
  if (!filter) return true;
  return Object.entries(filter).every(([key, cond]) => {
    switch (key) {
      case '$and':
        return asFilters(key, cond).every((f) => matches(doc, f));
      case '$or':
        return asFilters(key, cond).some((f) => matches(doc, f));
      case '$nor':
        return !asFilters(key, cond).some((f) => matches(doc, f));
      case '$comment':
        return true;
      default:
        if (key.startsWith('$')) throw badValue(`unknown top level operator: ${key}`);
        return matchesCondition(valuesAtPath(doc, key), cond);
    }
  });
}

function asFilters(op: string, cond: unknown): Doc[] {
  if (!Array.isArray(cond) || cond.length === 0 || !cond.every(isDoc))
    throw badValue(`${op} must be a nonempty array of documents`);
  return cond as Doc[];
}

const isOperatorDoc = (cond: unknown): cond is Doc =>
  isDoc(cond) && Object.keys(cond).length > 0 && Object.keys(cond).every((k) => k.startsWith('$'));

function matchesCondition(found: unknown[], cond: unknown): boolean {
  if (isOperatorDoc(cond)) {
    return Object.entries(cond).every(([op, arg]) =>
      op === '$options' ? true : matchesOperator(found, op, arg, cond),
    );
  }
  return equalsAny(found, cond);
}

/** `{a: v}`: some reached value, or an element of a reached array, equals v; `{a: null}` also matches a missing a. */
function equalsAny(found: unknown[], value: unknown): boolean {
  if (isRegex(value)) return expand(found).some((v) => typeof v === 'string' && toRegExp(value).test(v));
  if (value === null && found.length === 0) return true;
  return expand(found).some((v) => valuesEqual(v, value));
}

function matchesOperator(found: unknown[], op: string, arg: unknown, cond: Doc): boolean {
  switch (op) {
    case '$eq':
      return equalsAny(found, arg);
    case '$ne':
      return !equalsAny(found, arg);
    case '$in':
      return inList(op, arg).some((v) => equalsAny(found, v));
    case '$nin':
      return !inList(op, arg).some((v) => equalsAny(found, v));
    case '$gt':
      return compareAny(found, arg, (c) => c > 0);
    case '$gte':
      return compareAny(found, arg, (c) => c >= 0);
    case '$lt':
      return compareAny(found, arg, (c) => c < 0);
    case '$lte':
      return compareAny(found, arg, (c) => c <= 0);
    case '$exists':
      return found.length > 0 === truthy(arg);
    case '$type': {
      const wanted = typeList(arg);
      return expand(found).some((v) => wanted.has(typeAlias(v)) || (wanted.has('number') && typeRank(v) === 3));
    }
    case '$regex': {
      const flags = typeof cond.$options === 'string' ? cond.$options : '';
      const re = typeof arg === 'string' ? new RegExp(arg, flags) : toRegExp(arg);
      return expand(found).some((v) => typeof v === 'string' && re.test(v));
    }
    case '$not':
      return !matchesCondition(found, arg);
    case '$size':
      return found.some((v) => Array.isArray(v) && valuesEqual(v.length, arg));
    case '$elemMatch':
      if (!isDoc(arg)) throw badValue('$elemMatch needs an Object');
      return found.some(
        (v) =>
          Array.isArray(v) &&
          v.some((el) => (isOperatorDoc(arg) ? matchesCondition([el], arg) : isDoc(el) && matches(el, arg))),
      );
    default:
      throw badValue(`unknown operator: ${op}`);
  }
}

/** `$type`'s argument: one alias or type number, or an array of them (https://www.mongodb.com/docs/manual/reference/operator/query/type/). */
function typeList(arg: unknown): Set<string> {
  const known = new Set([...Object.values(TYPE_ALIASES), 'number']);
  return new Set(
    (Array.isArray(arg) ? arg : [arg]).map((t) => {
      const alias = typeof t === 'string' ? t : TYPE_ALIASES[toNumber(t) ?? Number.NaN];
      if (alias === undefined || !known.has(alias)) throw badValue(`Unknown type name alias: ${String(t)}`);
      return alias;
    }),
  );
}

function inList(op: string, arg: unknown): unknown[] {
  if (!Array.isArray(arg)) throw badValue(`${op} needs an array`);
  return arg;
}

/** Range operators only compare values of the same type bracket, as the server does. */
function compareAny(found: unknown[], arg: unknown, ok: (c: number) => boolean): boolean {
  return expand(found).some((v) => typeRank(v) === typeRank(arg) && ok(compareValues(v, arg)));
}

function isRegex(v: unknown): boolean {
  return (
    v instanceof RegExp ||
    (v !== null && typeof v === 'object' && (v as { _bsontype?: string })._bsontype === 'BSONRegExp')
  );
}

function toRegExp(v: unknown): RegExp {
  if (v instanceof RegExp) return v;
  const r = v as { pattern: string; options: string };
  return new RegExp(r.pattern, r.options.replace(/[^imsu]/g, ''));
}
