import type { Value } from '@bufbuild/cel-spec/cel/expr/value_pb.js';
import { getConformanceSuite, type IncrementalTestSuite } from '@bufbuild/cel-spec/testdata/tests.js';

/**
 * The CEL conformance data (https://github.com/google/cel-spec/tree/master/tests/simple/testdata, as packaged by
 * @bufbuild/cel-spec) cut to what an admission policy over JSON objects can meet: the core-language suites, cases
 * whose bindings and expected values are JSON-like (no protobuf messages, enums or type values) and that expect a
 * value or an error rather than a type-check verdict.
 */
export const KUBERNETES_SUITES = [
  'basic',
  'comparisons',
  'conversions',
  'fields',
  'fp_math',
  'integer_math',
  'lists',
  'logic',
  'macros',
  'parse',
  'plumbing',
  'string',
  'string_ext',
  'timestamps',
];

/** A value as the conformance data writes it; `uint` and `double` are kept apart from `int`. */
export type Plain =
  | null
  | boolean
  | string
  | bigint
  | { double: number }
  | { uint: bigint }
  | { bytes: Uint8Array }
  | Plain[]
  | { map: Array<[Plain, Plain]> };

export interface ConformanceCase {
  /** suite/section/name */
  path: string;
  expr: string;
  bindings: Record<string, Plain>;
  expected: { value: Plain } | { error: true };
}

export function conformanceCases(suites = KUBERNETES_SUITES): ConformanceCase[] {
  const cases: ConformanceCase[] = [];
  const walk = (suite: IncrementalTestSuite, path: string[]) => {
    for (const t of suite.tests) {
      const o = t.original;
      // Admission policies have no container and always expand macros.
      if (o.checkOnly || o.disableMacros || o.container) continue;
      const bindings: Record<string, Plain> = {};
      let representable = true;
      for (const [name, b] of Object.entries(o.bindings)) {
        const v = b.kind.case === 'value' ? plain(b.kind.value) : undefined;
        if (v === undefined) representable = false;
        else bindings[name] = v;
      }
      let expected: ConformanceCase['expected'] | undefined;
      const m = o.resultMatcher;
      if (m.case === 'value') {
        const v = plain(m.value);
        if (v !== undefined) expected = { value: v };
      } else if (m.case === 'evalError' || m.case === 'anyEvalErrors') expected = { error: true };
      else if (m.case === undefined) expected = { value: true };
      if (!representable || !expected) continue;
      cases.push({
        path: [...path, o.name].join('/'),
        expr: o.expr,
        bindings,
        expected,
      });
    }
    for (const sub of suite.suites) walk(sub, [...path, sub.name]);
  };
  for (const s of getConformanceSuite().suites) if (suites.includes(s.name)) walk(s, [s.name]);
  return cases;
}

function plain(v: Value): Plain | undefined {
  const k = v.kind;
  switch (k.case) {
    case 'nullValue':
      return null;
    case 'boolValue':
    case 'stringValue':
      return k.value;
    case 'int64Value':
      return k.value;
    case 'uint64Value':
      return { uint: k.value };
    case 'doubleValue':
      return { double: k.value };
    case 'bytesValue':
      return { bytes: k.value };
    case 'listValue': {
      const items = k.value.values.map(plain);
      return items.every((i) => i !== undefined) ? (items as Plain[]) : undefined;
    }
    case 'mapValue': {
      const entries = k.value.entries.map((e) => [e.key && plain(e.key), e.value && plain(e.value)] as const);
      return entries.every(([a, b]) => a !== undefined && b !== undefined)
        ? { map: entries as Array<[Plain, Plain]> }
        : undefined;
    }
    default:
      return undefined;
  }
}

/**
 * A canonical text for comparing results: numbers by value whatever their CEL type (1 == 1u == 1.0, as CEL's
 * heterogeneous equality has it), NaN equal to NaN, maps in key order.
 */
export function canonical(v: unknown): string {
  return JSON.stringify(canon(v));
}

function canon(v: unknown): unknown {
  if (v === null || typeof v === 'boolean' || typeof v === 'string') return v;
  if (typeof v === 'bigint') return `n:${v}`;
  if (typeof v === 'number') return `n:${Number.isInteger(v) ? BigInt(v).toString() : String(v)}`;
  if (v instanceof Uint8Array) return `b:${Buffer.from(v).toString('hex')}`;
  if (Array.isArray(v)) return v.map(canon);
  if (v instanceof Map) return canonMap([...v.entries()]);
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if ('double' in o && typeof o.double === 'number') return canon(o.double);
    if ('uint' in o && typeof o.uint === 'bigint') return canon(o.uint);
    if ('bytes' in o && o.bytes instanceof Uint8Array) return canon(o.bytes);
    if ('map' in o && Array.isArray(o.map)) return canonMap(o.map as Array<[unknown, unknown]>);
    return canonMap(Object.entries(o));
  }
  return `?${String(v)}`;
}

function canonMap(entries: Array<[unknown, unknown]>): unknown {
  return {
    map: entries
      .map(([k, val]) => [JSON.stringify(canon(k)), canon(val)] as const)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  };
}
