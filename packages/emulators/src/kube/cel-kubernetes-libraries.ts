import {
  celEnv,
  celFunc,
  celMethod,
  CelScalar,
  isCelError,
  listType,
  parse,
  plan,
  type CelFunc,
  type CelList,
  type CelValue,
} from '@bufbuild/cel';
import { RE2JS } from 're2js';

/**
 * The Kubernetes CEL libraries that are cheap to carry, with the API server's semantics:
 * lists (k8s.io/apiserver/pkg/cel/library/lists.go), regex (library/regex.go) and cel-go's sets (ext/sets.go).
 * Equality, ordering and addition are CEL's own, taken from @bufbuild/cel rather than rewritten here.
 */
const base = celEnv();
const operator = (expr: string) => {
  const run = plan(base, parse(expr));
  return (a: CelValue, b: CelValue): CelValue => {
    const r = run({ a, b });
    if (isCelError(r)) throw r;
    return r;
  };
};
const equal = operator('a == b');
const less = operator('a < b');
const add = operator('a + b');

const LIST = listType(CelScalar.DYN);
const DYN = CelScalar.DYN;

const indexOf = (list: CelList, item: CelValue, fromEnd: boolean): bigint => {
  const items = [...list];
  const order = fromEnd ? items.map((_, i) => items.length - 1 - i) : items.map((_, i) => i);
  return BigInt(order.find((i) => equal(items[i]!, item) === true) ?? -1);
};

const extreme = (name: 'min' | 'max', list: CelList): CelValue => {
  const items = [...list];
  if (items.length === 0) throw new Error(`${name} called on empty list`);
  return items.reduce((best, next) => ((name === 'min' ? less(next, best) : less(best, next)) === true ? next : best));
};

const lists: CelFunc[] = [
  celMethod('isSorted', LIST, [], CelScalar.BOOL, function () {
    const items = [...this];
    return items.every((item, i) => i === 0 || less(item, items[i - 1]!) !== true);
  }),
  // Without types the zero is known only for an empty list: `[].sum()` is 0, as lists.go answers.
  celMethod('sum', LIST, [], DYN, function () {
    const [first = 0n, ...rest] = [...this];
    return rest.reduce<CelValue>((acc, next) => add(acc, next), first);
  }),
  celMethod('min', LIST, [], DYN, function () {
    return extreme('min', this);
  }),
  celMethod('max', LIST, [], DYN, function () {
    return extreme('max', this);
  }),
  celMethod('indexOf', LIST, [DYN], CelScalar.INT, function (item) {
    return indexOf(this, item, false);
  }),
  celMethod('lastIndexOf', LIST, [DYN], CelScalar.INT, function (item) {
    return indexOf(this, item, true);
  }),
];

/** All matches, left to right, at most `limit` (negative: no limit), with RE2's syntax as the API server has it. */
const findAll = (text: string, pattern: string, limit: number): string[] => {
  const m = RE2JS.compile(pattern).matcher(text);
  const found: string[] = [];
  while ((limit < 0 || found.length < limit) && m.find()) found.push(m.group() ?? '');
  return found;
};

const regex: CelFunc[] = [
  celMethod('find', CelScalar.STRING, [CelScalar.STRING], CelScalar.STRING, function (pattern) {
    return findAll(this, pattern, 1)[0] ?? '';
  }),
  celMethod('findAll', CelScalar.STRING, [CelScalar.STRING], LIST, function (pattern) {
    return findAll(this, pattern, -1);
  }),
  celMethod('findAll', CelScalar.STRING, [CelScalar.STRING, CelScalar.INT], LIST, function (pattern, limit) {
    return findAll(this, pattern, Number(limit));
  }),
];

const contains = (list: CelList, sub: CelList) => [...sub].every((s) => [...list].some((l) => equal(l, s) === true));
const sets: CelFunc[] = [
  celFunc('sets.contains', [LIST, LIST], CelScalar.BOOL, (list, sub) => contains(list, sub)),
  celFunc('sets.equivalent', [LIST, LIST], CelScalar.BOOL, (a, b) => contains(a, b) && contains(b, a)),
  celFunc('sets.intersects', [LIST, LIST], CelScalar.BOOL, (a, b) =>
    [...a].some((x) => [...b].some((y) => equal(x, y) === true)),
  ),
];

export const KUBERNETES_LIBRARIES: CelFunc[] = [...lists, ...regex, ...sets];
