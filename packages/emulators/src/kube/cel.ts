import {
  celEnv,
  isCelError,
  isCelList,
  isCelMap,
  isCelType,
  isCelUint,
  parse,
  plan,
  type CelInput,
  type CelValue,
} from '@bufbuild/cel';
import { strings } from '@bufbuild/cel/ext';
import { KUBERNETES_LIBRARIES } from './cel-kubernetes-libraries.js';

/**
 * CEL for admission policies: @bufbuild/cel (a conformance-tested CEL evaluator) with the extension libraries the
 * Kubernetes API server adds that are cheap to carry (cel-go's strings; Kubernetes' lists, regex and sets). Not
 * carried: `authorizer`, `quantity()`, `url()`, `ip()`/`cidr()`, `format`, optional types and type checking, so an
 * expression using them fails at evaluation and the policy's failurePolicy decides (Fail, the default, denies).
 */
const ENV = celEnv({ funcs: [...strings, ...KUBERNETES_LIBRARIES] });

/** An expression that does not parse, or whose evaluation failed; the message is CEL's. */
export class CelError extends Error {}

export type CelBindings = Record<string, CelInput>;
export type CelProgram = (bindings: CelBindings) => CelValue;

/** Parses and plans once; throws CelError `compilation error: …` for an expression that does not parse. */
export function compileCel(expression: string): CelProgram {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(expression);
  } catch (err) {
    throw new CelError(`compilation error: ${(err as Error).message}`);
  }
  const run = plan(ENV, parsed);
  return (bindings) => {
    const result = run(bindings);
    if (isCelError(result)) throw new CelError(result.message);
    return result;
  };
}

/** Evaluates an expression over JSON bindings; the result comes back as plain JS (ints as bigint). */
export function evaluateCel(expression: string, bindings: Record<string, unknown>): unknown {
  const input = Object.fromEntries(Object.entries(bindings).map(([k, v]) => [k, celFromJson(v)]));
  return jsFromCel(compileCel(expression)(input));
}

/**
 * A JSON value as CEL sees an object without a schema: integral numbers are `int`, others `double`, as the API
 * server decodes JSON into int64 and float64 (k8s.io/apimachinery's unstructured JSON).
 */
export function celFromJson(v: unknown): CelInput {
  if (typeof v === 'number') return Number.isInteger(v) ? BigInt(v) : v;
  if (Array.isArray(v)) return v.map(celFromJson);
  if (v !== null && typeof v === 'object' && !(v instanceof Map) && !isCelMap(v) && !isCelList(v)) {
    const out: Record<string, CelInput> = {};
    for (const [k, val] of Object.entries(v)) if (val !== undefined) out[k] = celFromJson(val);
    return out;
  }
  return v as CelInput;
}

/** A CEL result as plain JS: lists as arrays, maps as objects (or Maps for non-string keys), uints as bigint. */
export function jsFromCel(v: CelValue): unknown {
  if (isCelUint(v)) return v.value;
  if (isCelType(v)) return v.name;
  if (isCelList(v)) return [...v].map(jsFromCel);
  if (isCelMap(v)) {
    const entries = [...v.entries()].map(([k, val]) => [isCelUint(k) ? k.value : k, jsFromCel(val)] as const);
    return entries.every(([k]) => typeof k === 'string') ? Object.fromEntries(entries) : new Map(entries);
  }
  return v;
}
