import type { StoredSeries } from './lb-metrics.js';

/** A request Cloud Monitoring refuses with INVALID_ARGUMENT; the message is sent as it stands. */
export class InvalidRequest extends Error {}

/**
 * A filter the stand-in cannot parse, worded as the API words it: `Field filter had an invalid value of "…": …`
 * (the API's troubleshooting page, https://cloud.google.com/monitoring/api/troubleshooting).
 */
export class FilterError extends InvalidRequest {
  constructor(filter: string, reason: string) {
    super(`Field filter had an invalid value of "${filter}": ${reason}`);
  }
}

/** What a term could not be parsed as; parseFilter words it as the API does. */
class UnparsableTerm extends Error {}

type Matcher = (value: string | undefined) => boolean;

export interface ParsedFilter {
  metricType: string;
  /** `resource.type = "…"` when the filter names one. */
  resourceType?: string;
  /** Every label the filter compares, so the caller can check them against the descriptors. */
  labels: Array<{ kind: 'metric' | 'resource'; key: string }>;
  matches: (series: StoredSeries) => boolean;
}

/**
 * The subset of the Monitoring filter language operator tools use: `AND`-joined comparisons of
 * `metric.type`, `resource.type`, `project`, `metric.labels.K` / `resource.labels.K` (or `.label.`)
 * with `=`/`!=` against a quoted string, a number, `one_of(…)` or `starts_with(…)`.
 */
export function parseFilter(filter: string): ParsedFilter {
  try {
    return parseTerms(filter);
  } catch (err) {
    if (err instanceof UnparsableTerm) throw new FilterError(filter, err.message);
    throw err;
  }
}

function parseTerms(filter: string): ParsedFilter {
  const terms = splitAnd(filter);
  const checks: Array<(s: StoredSeries) => boolean> = [];
  const labels: ParsedFilter['labels'] = [];
  let metricType: string | undefined;
  let resourceType: string | undefined;
  for (const term of terms) {
    const m = /^([a-z_]+(?:\.[a-z_]+)*(?:\.[A-Za-z0-9_]+)?)\s*(!=|=)\s*(.+)$/s.exec(term);
    if (!m) throw new UnparsableTerm(`could not parse filter term "${term}"`);
    const [, selector, op, rawValue] = m as unknown as [string, string, string, string];
    const { get, label } = selectorGetter(selector);
    if (label) labels.push(label);
    const matcher = valueMatcher(rawValue.trim());
    const check = op === '=' ? (s: StoredSeries) => matcher(get(s)) : (s: StoredSeries) => !matcher(get(s));
    checks.push(check);
    const quoted = /^"([^"]*)"$/.exec(rawValue.trim())?.[1];
    if (selector === 'metric.type' && op === '=') metricType = quoted;
    if (selector === 'resource.type' && op === '=') resourceType = quoted;
  }
  if (!metricType) throw new UnparsableTerm('the filter must name exactly one metric type: metric.type = "…"');
  return { metricType, ...(resourceType ? { resourceType } : {}), labels, matches: (s) => checks.every((c) => c(s)) };
}

function splitAnd(filter: string): string[] {
  const terms: string[] = [];
  let depth = 0;
  let quoted = false;
  let current = '';
  const tokens = filter.trim().split(/(\s+)/);
  for (const token of tokens) {
    for (const ch of token) {
      if (ch === '"') quoted = !quoted;
      else if (!quoted && ch === '(') depth += 1;
      else if (!quoted && ch === ')') depth -= 1;
    }
    if (!quoted && depth === 0 && token === 'AND') {
      terms.push(current.trim());
      current = '';
    } else if (!quoted && depth === 0 && (token === 'OR' || token === 'NOT')) {
      throw new UnparsableTerm(`the stand-in supports AND-joined terms only, got ${token}`);
    } else current += token;
  }
  terms.push(current.trim());
  if (terms.some((t) => t === '')) throw new UnparsableTerm(`could not parse filter "${filter}"`);
  return terms;
}

function selectorGetter(selector: string): {
  get: (s: StoredSeries) => string | undefined;
  label?: ParsedFilter['labels'][number];
} {
  if (selector === 'metric.type') return { get: (s) => s.metric.type };
  if (selector === 'resource.type') return { get: (s) => s.resource.type };
  if (selector === 'project') return { get: (s) => s.resource.labels.project_id };
  const m = /^(metric|resource)\.labels?\.([A-Za-z0-9_]+)$/.exec(selector);
  if (!m) throw new UnparsableTerm(`unknown filter selector "${selector}"`);
  const [, kind, key] = m as unknown as [string, 'metric' | 'resource', string];
  return { get: (s) => s[kind].labels[key], label: { kind, key } };
}

function valueMatcher(raw: string): Matcher {
  const fn = /^(one_of|starts_with|ends_with)\((.*)\)$/s.exec(raw);
  if (fn) {
    const args = literals(fn[2]!);
    if (fn[1] === 'one_of') return (v) => v !== undefined && args.includes(v);
    if (args.length !== 1) throw new UnparsableTerm(`${fn[1]} takes one string`);
    return fn[1] === 'starts_with' ? (v) => v?.startsWith(args[0]!) ?? false : (v) => v?.endsWith(args[0]!) ?? false;
  }
  const [value, ...rest] = literals(raw);
  if (value === undefined || rest.length > 0) throw new UnparsableTerm(`could not parse filter value ${raw}`);
  return (v) => v === value;
}

function literals(text: string): string[] {
  const literal = /^\s*(?:"((?:[^"\\]|\\.)*)"|(-?\d+(?:\.\d+)?)|(true|false))\s*/;
  const values: string[] = [];
  let rest = text;
  for (;;) {
    const m = literal.exec(rest);
    if (!m) throw new UnparsableTerm(`could not parse filter value ${text}`);
    values.push(m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : (m[2] ?? m[3]!));
    rest = rest.slice(m[0].length);
    if (rest === '') return values;
    if (!rest.startsWith(',')) throw new UnparsableTerm(`could not parse filter value ${text}`);
    rest = rest.slice(1);
  }
}
