import { CelError, parseCel, type CelNode } from './cel-parser.js';
import { deepEqual } from './json-patch.js';
import { isPlainObject } from './merge-patch.js';

/**
 * A small CEL evaluator, enough for admission policies written like the Kubernetes docs' examples.
 *
 * Supported: literals (bool, int/double, 'string', "string", null, [lists], {maps}); variables
 * `object`, `oldObject`, `request`, `params`, `namespaceObject`, `variables`; field selection
 * `a.b`, indexing `a['k']`/`a[0]`; `! - * / % + ==  != < <= > >= in && || ?:` (with CEL's rule
 * that `false && error` is false and `true || error` is true); `has(a.b)`, `size(x)`/`x.size()`,
 * `string()`, `int()`, `double()`; string methods `startsWith endsWith contains matches
 * lowerAscii upperAscii`; list macros `all exists exists_one filter map`.
 *
 * Not supported (evaluation fails, so the policy's failurePolicy decides — `Fail`, the default,
 * denies): `authorizer`, type conversions beyond the above, timestamps/durations, optional
 * syntax `?.`, quantity/url/ip libraries, raw and byte strings, message expressions beyond this subset.
 */
export type CelEnv = Record<string, unknown>;

export { CelError };

export function evaluateCel(expression: string, env: CelEnv): unknown {
  return evaluate(parseCel(expression), env);
}

function evaluate(n: CelNode, env: CelEnv): unknown {
  switch (n.t) {
    case 'lit':
      return n.v;
    case 'ident':
      if (!Object.hasOwn(env, n.name)) throw new CelError(`undeclared reference to '${n.name}'`);
      return env[n.name];
    case 'select': {
      const obj = evaluate(n.obj, env);
      if (!isPlainObject(obj)) throw new CelError(`no such key: ${n.field}`);
      if (!Object.hasOwn(obj, n.field)) throw new CelError(`no such key: ${n.field}`);
      return obj[n.field];
    }
    case 'index': {
      const obj = evaluate(n.obj, env);
      const key = evaluate(n.index, env);
      if (Array.isArray(obj) && typeof key === 'number') {
        if (key < 0 || key >= obj.length) throw new CelError(`index out of bounds: ${key}`);
        return obj[key];
      }
      if (isPlainObject(obj) && typeof key === 'string' && Object.hasOwn(obj, key)) return obj[key];
      throw new CelError(`no such key: ${String(key)}`);
    }
    case 'list':
      return n.items.map((i) => evaluate(i, env));
    case 'map':
      return Object.fromEntries(n.entries.map(([k, v]) => [String(evaluate(k, env)), evaluate(v, env)]));
    case 'cond':
      return bool(evaluate(n.test, env)) ? evaluate(n.then, env) : evaluate(n.else, env);
    case 'unary': {
      const v = evaluate(n.arg, env);
      if (n.op === '!') return !bool(v);
      if (typeof v !== 'number') throw new CelError('no such overload: -_');
      return -v;
    }
    case 'binary':
      return binary(n.op, n.left, n.right, env);
    case 'call':
      return call(n, env);
  }
}

function binary(op: string, l: CelNode, r: CelNode, env: CelEnv): unknown {
  if (op === '&&' || op === '||') {
    // CEL's logical operators are commutative over errors: a decisive side wins.
    const decisive = op === '||';
    const [a, b] = [attempt(() => bool(evaluate(l, env))), attempt(() => bool(evaluate(r, env)))];
    if (a.ok && a.v === decisive) return decisive;
    if (b.ok && b.v === decisive) return decisive;
    if (!a.ok) throw a.err;
    if (!b.ok) throw b.err;
    return !decisive;
  }
  const a = evaluate(l, env);
  const b = evaluate(r, env);
  switch (op) {
    case '==':
      return deepEqual(a, b);
    case '!=':
      return !deepEqual(a, b);
    case 'in':
      if (Array.isArray(b)) return b.some((x) => deepEqual(x, a));
      if (isPlainObject(b)) return typeof a === 'string' && Object.hasOwn(b, a);
      throw new CelError('no such overload: @in');
    case '<':
    case '<=':
    case '>':
    case '>=': {
      if (!((typeof a === 'number' && typeof b === 'number') || (typeof a === 'string' && typeof b === 'string')))
        throw new CelError(`no such overload: _${op}_`);
      return op === '<' ? a < b : op === '<=' ? a <= b : op === '>' ? a > b : a >= b;
    }
    case '+':
      if (typeof a === 'number' && typeof b === 'number') return a + b;
      if (typeof a === 'string' && typeof b === 'string') return a + b;
      if (Array.isArray(a) && Array.isArray(b)) return [...a, ...b];
      throw new CelError('no such overload: _+_');
  }
  if (typeof a !== 'number' || typeof b !== 'number') throw new CelError(`no such overload: _${op}_`);
  if ((op === '/' || op === '%') && b === 0) throw new CelError(op === '/' ? 'division by zero' : 'modulus by zero');
  return op === '-'
    ? a - b
    : op === '*'
      ? a * b
      : op === '/'
        ? Number.isInteger(a) && Number.isInteger(b)
          ? Math.trunc(a / b)
          : a / b
        : a % b;
}

const MACROS = new Set(['all', 'exists', 'exists_one', 'filter', 'map']);

function call(n: Extract<CelNode, { t: 'call' }>, env: CelEnv): unknown {
  if (!n.target) {
    if (n.fn === 'has') {
      const arg = n.args[0];
      if (n.args.length !== 1 || arg.t !== 'select') throw new CelError('invalid argument to has() macro');
      const obj = evaluate(arg.obj, env);
      return isPlainObject(obj) && Object.hasOwn(obj, arg.field);
    }
    const args = n.args.map((a) => evaluate(a, env));
    if (n.fn === 'size') return size(args[0]);
    if (n.fn === 'string')
      return typeof args[0] === 'string' || typeof args[0] === 'number' || typeof args[0] === 'boolean'
        ? String(args[0])
        : fail('string');
    if (n.fn === 'int') return Number.isFinite(Number(args[0])) ? Math.trunc(Number(args[0])) : fail('int');
    if (n.fn === 'double') return Number.isFinite(Number(args[0])) ? Number(args[0]) : fail('double');
    throw new CelError(`undeclared reference to '${n.fn}'`);
  }
  if (MACROS.has(n.fn)) return macro(n.fn, evaluate(n.target, env), n.args, env);
  const target = evaluate(n.target, env);
  const args = n.args.map((a) => evaluate(a, env));
  if (n.fn === 'size') return size(target);
  if (typeof target !== 'string') throw new CelError(`no such overload: ${n.fn}`);
  const s = String(args[0]);
  switch (n.fn) {
    case 'startsWith':
      return target.startsWith(s);
    case 'endsWith':
      return target.endsWith(s);
    case 'contains':
      return target.includes(s);
    case 'matches':
      return new RegExp(s).test(target);
    case 'lowerAscii':
      return target.toLowerCase();
    case 'upperAscii':
      return target.toUpperCase();
  }
  throw new CelError(`undeclared reference to '${n.fn}'`);
}

function macro(fn: string, target: unknown, args: CelNode[], env: CelEnv): unknown {
  const [v, body] = args;
  if (args.length !== 2 || v.t !== 'ident') throw new CelError(`invalid arguments to ${fn}() macro`);
  const items = Array.isArray(target) ? target : isPlainObject(target) ? Object.keys(target) : fail(fn);
  const run = (item: unknown) => evaluate(body, { ...env, [v.name]: item });
  if (fn === 'map') return items.map(run);
  if (fn === 'filter') return items.filter((i) => bool(run(i)));
  const hits = items.filter((i) => bool(run(i))).length;
  return fn === 'all' ? hits === items.length : fn === 'exists' ? hits > 0 : hits === 1;
}

function size(v: unknown): number {
  if (typeof v === 'string' || Array.isArray(v)) return v.length;
  if (isPlainObject(v)) return Object.keys(v).length;
  throw new CelError('no such overload: size');
}

function bool(v: unknown): boolean {
  if (typeof v !== 'boolean')
    throw new CelError(`no such overload: expected bool, got ${v === null ? 'null' : typeof v}`);
  return v;
}

function fail(fn: string): never {
  throw new CelError(`no such overload: ${fn}`);
}

function attempt<T>(f: () => T): { ok: true; v: T } | { ok: false; err: unknown } {
  try {
    return { ok: true, v: f() };
  } catch (err) {
    return { ok: false, err };
  }
}
