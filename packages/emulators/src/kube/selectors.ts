import { badRequest } from './status.js';
import type { KubeObject } from './store.js';

type Labels = Record<string, string> | undefined;

export type LabelRequirement =
  | { key: string; op: 'exists' | '!exists' }
  | { key: string; op: '=' | '!='; value: string }
  | { key: string; op: 'in' | 'notin'; values: string[] };

/** `LabelSelector` as objects carry it (bindings, workloads): matchLabels plus matchExpressions. */
export interface LabelSelectorObject {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'; values?: string[] }[];
}

/**
 * Parses a `labelSelector` query: `a=b`, `a==b`, `a!=b`, `a in (x,y)`, `a notin (x)`, `a`, `!a`,
 * comma-separated (commas inside parentheses belong to the set).
 */
export function parseLabelSelector(selector: string): LabelRequirement[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of selector) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else current += ch;
  }
  parts.push(current);
  return parts
    .map((p) => p.trim())
    .filter(Boolean)
    .map(parseRequirement);
}

function parseRequirement(text: string): LabelRequirement {
  const set = /^([^\s!=()]+)\s+(in|notin)\s*\(([^)]*)\)$/.exec(text);
  if (set)
    return {
      key: set[1],
      op: set[2] as 'in' | 'notin',
      values: set[3]
        .split(',')
        .map((v) => v.trim())
        .filter(Boolean),
    };
  const eq = /^([^\s!=()]+)\s*(==|=|!=)\s*([^\s!=()]*)$/.exec(text);
  if (eq) return { key: eq[1], op: eq[2] === '!=' ? '!=' : '=', value: eq[3] };
  const not = /^!\s*([^\s!=()]+)$/.exec(text);
  if (not) return { key: not[1], op: '!exists' };
  if (/^[^\s!=(),]+$/.test(text)) return { key: text, op: 'exists' };
  throw badRequest(`unable to parse requirement: ${JSON.stringify(text)}`);
}

export function matchesRequirements(labels: Labels, reqs: LabelRequirement[]): boolean {
  const l = labels ?? {};
  return reqs.every((r) => {
    const has = Object.hasOwn(l, r.key);
    switch (r.op) {
      case 'exists':
        return has;
      case '!exists':
        return !has;
      case '=':
        return has && l[r.key] === r.value;
      case '!=':
        return !has || l[r.key] !== r.value;
      case 'in':
        return has && r.values.includes(l[r.key]);
      case 'notin':
        return !has || !r.values.includes(l[r.key]);
    }
  });
}

/** An absent selector matches everything; an empty one (`{}`) too, as in the API. */
export function matchesLabelSelector(labels: Labels, selector: LabelSelectorObject | undefined): boolean {
  if (!selector) return true;
  const reqs: LabelRequirement[] = Object.entries(selector.matchLabels ?? {}).map(([key, value]) => ({
    key,
    op: '=',
    value,
  }));
  for (const e of selector.matchExpressions ?? []) {
    if (e.operator === 'In') reqs.push({ key: e.key, op: 'in', values: e.values ?? [] });
    else if (e.operator === 'NotIn') reqs.push({ key: e.key, op: 'notin', values: e.values ?? [] });
    else if (e.operator === 'Exists') reqs.push({ key: e.key, op: 'exists' });
    else reqs.push({ key: e.key, op: '!exists' });
  }
  return matchesRequirements(labels, reqs);
}

/** `a=b,c` form of a selector, as `Scale.status.selector` reports it. */
export function selectorToString(selector: LabelSelectorObject | undefined): string {
  return Object.entries(selector?.matchLabels ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

const FIELDS: Record<string, (o: KubeObject) => string> = {
  'metadata.name': (o) => o.metadata.name ?? '',
  'metadata.namespace': (o) => o.metadata.namespace ?? '',
};

/** Parses a `fieldSelector`; only `metadata.name` and `metadata.namespace` are supported, like most built-in types. */
export function parseFieldSelector(selector: string): (o: KubeObject) => boolean {
  const tests = selector
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)
    .map((p) => {
      const m = /^([^!=]+?)\s*(==|=|!=)\s*(.*)$/.exec(p);
      if (!m) throw badRequest(`invalid selector: '${selector}'; can't understand '${p}'`);
      const field = FIELDS[m[1]];
      if (!field) throw badRequest(`field label not supported: ${m[1]}`);
      const negate = m[2] === '!=';
      return (o: KubeObject) => (field(o) === m[3]) !== negate;
    });
  return (o) => tests.every((t) => t(o));
}
