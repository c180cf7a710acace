import { compare, comparisons, FilterSyntaxError, parseFilterText, type FilterNode } from './filter-grammar.js';

/** A request Cloud Monitoring refuses with INVALID_ARGUMENT; the message is sent as it stands. */
export class InvalidRequest extends Error {}

/**
 * A filter the API refuses, worded as the API words it: `Field filter had an invalid value of "…": …`
 * (the API's troubleshooting page, https://cloud.google.com/monitoring/api/troubleshooting).
 */
export class FilterError extends InvalidRequest {
  constructor(
    filter: string,
    readonly reason: string,
  ) {
    super(`Field filter had an invalid value of "${filter}": ${reason}`);
  }
}

/** What a time-series filter sees of a series: its metric and monitored resource. */
export interface SeriesIdentity {
  metric: { type: string; labels: Record<string, string> };
  resource: { type: string; labels: Record<string, string> };
}

export interface ParsedFilter {
  metricType: string;
  /** `resource.type = "…"` when the filter restricts it to one type. */
  resourceType?: string;
  /** Every label the filter compares, so the caller can check them against the descriptors. */
  labels: Array<{ kind: 'metric' | 'resource'; key: string }>;
  tree: FilterNode;
  matches: (series: SeriesIdentity) => boolean;
}

/**
 * A time-series filter (ListTimeSeries, alert conditions): parsed with the full filter grammar, and held to
 * the rule that it names exactly one metric type (`metric.type = "…"`, not under OR or NOT).
 * https://cloud.google.com/monitoring/api/v3/filters#time-series-filter
 */
export function parseFilter(filter: string): ParsedFilter {
  try {
    return parseTree(filter);
  } catch (err) {
    if (err instanceof FilterSyntaxError) throw new FilterError(filter, err.message);
    throw err;
  }
}

function parseTree(filter: string): ParsedFilter {
  const tree = parseFilterText(filter);
  const all = comparisons(tree);
  for (const c of all) selectorGetter(c.selector);
  const types = all.filter((c) => c.selector === 'metric.type');
  const required = types.filter((c) => c.op === '=' && !c.negated && !c.alternative && c.value.kind === 'literal');
  if (required.length !== 1 || types.length !== 1)
    throw new FilterSyntaxError('the filter must name exactly one metric type: metric.type = "…"');
  const resourceTypes = all.filter(
    (c) => c.selector === 'resource.type' && c.op === '=' && !c.negated && !c.alternative && c.value.kind === 'literal',
  );
  return {
    metricType: String((required[0]!.value as { value: string }).value),
    ...(resourceTypes.length === 1
      ? { resourceType: String((resourceTypes[0]!.value as { value: string }).value) }
      : {}),
    labels: all.flatMap((c) => labelSelector(c.selector) ?? []),
    tree,
    matches: (s) => evaluate(tree, s),
  };
}

function evaluate(node: FilterNode, s: SeriesIdentity): boolean {
  switch (node.kind) {
    case 'and':
      return node.terms.every((t) => evaluate(t, s));
    case 'or':
      return node.terms.some((t) => evaluate(t, s));
    case 'not':
      return !evaluate(node.term, s);
    case 'compare':
      return compare(selectorGetter(node.selector)(s), node.op, node.value);
  }
}

/** The selectors a time-series filter may use (project, metric and resource type and labels). */
export function selectorGetter(selector: string): (s: SeriesIdentity) => string | undefined {
  if (selector === 'metric.type') return (s) => s.metric.type;
  if (selector === 'resource.type') return (s) => s.resource.type;
  if (selector === 'project') return (s) => s.resource.labels.project_id;
  const m = labelSelector(selector);
  if (!m)
    throw new FilterSyntaxError(
      `unknown filter selector "${selector}": the lefthand side must be project, metric.type, resource.type, metric.labels.KEY or resource.labels.KEY`,
    );
  return (s) => s[m.kind].labels[m.key];
}

/** `metric.labels.K` / `metric.label.K` / `resource.labels.K` / `resource.label.K` (both spellings are accepted). */
export function labelSelector(selector: string): { kind: 'metric' | 'resource'; key: string } | undefined {
  const m = /^(metric|resource)\.labels?\.([A-Za-z0-9_]+)$/.exec(selector);
  return m ? { kind: m[1] as 'metric' | 'resource', key: m[2]! } : undefined;
}
