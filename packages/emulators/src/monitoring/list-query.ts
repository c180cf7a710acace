import { ApiError } from './api-error.js';
import type { Json } from './field-mask.js';
import { compare, FilterSyntaxError, parseFilterText, type FilterNode } from './filter-grammar.js';

const MAP_FIELDS = new Set(['userLabels', 'labels', 'headers']);
const camel = (s: string) => s.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

/**
 * The values at a field reference of the sorting-and-filtering language
 * (https://cloud.google.com/monitoring/api/v3/sorting-and-filtering): snake_case paths such as `display_name`,
 * `user_label.team` / `user_labels.team`, `conditions.display_name` (any element of a list), `display_name.size`.
 */
export function fieldValues(resource: Json, path: string): Array<string | number | boolean> {
  let values: unknown[] = [resource];
  let inMap = false;
  for (const raw of path.split('.')) {
    if (raw === 'size' && !inMap) {
      values = values.map((v) => (typeof v === 'string' || Array.isArray(v) ? v.length : v));
      continue;
    }
    // Map keys (label names) are taken as written; field names are snake_case in the language, camelCase here.
    const name: string = inMap ? raw : camel(raw === 'user_label' ? 'user_labels' : raw);
    inMap = !inMap && MAP_FIELDS.has(name);
    values = values.flatMap((v) => {
      if (v === null || typeof v !== 'object') return [];
      const next = (v as Json)[name];
      return Array.isArray(next) ? next : next === undefined ? [] : [next];
    });
  }
  return values.map((v) =>
    v !== null && typeof v === 'object' && 'value' in (v as Json) ? ((v as Json).value as never) : (v as never),
  );
}

function matches(node: FilterNode, resource: Json): boolean {
  switch (node.kind) {
    case 'and':
      return node.terms.every((t) => matches(t, resource));
    case 'or':
      return node.terms.some((t) => matches(t, resource));
    case 'not':
      return !matches(node.term, resource);
    case 'compare': {
      const values = fieldValues(resource, node.selector);
      if (values.length === 0) return compare(undefined, node.op, node.value);
      return node.op === '!='
        ? values.every((v) => compare(v, node.op, node.value))
        : values.some((v) => compare(v, node.op, node.value));
    }
  }
}

export interface ListRequest {
  filter?: string;
  orderBy?: string;
  pageSize?: number;
  pageToken?: string;
}

/** Filters, sorts and pages a collection the way the List methods of the configuration APIs do. */
export function listPage<T extends Json>(
  items: T[],
  req: ListRequest,
  opts: { filterField: string },
): { page: T[]; nextPageToken: string; totalSize: number } {
  let selected = items;
  if (req.filter) {
    let tree: FilterNode;
    try {
      tree = parseFilterText(req.filter);
      selected = items.filter((i) => matches(tree, i));
    } catch (err) {
      if (err instanceof FilterSyntaxError)
        throw new ApiError('INVALID_ARGUMENT', `Field ${opts.filterField} had an invalid value: ${err.message}`);
      throw err;
    }
  }
  if (req.orderBy) selected = [...selected].sort(comparator(req.orderBy));
  const offset = req.pageToken ? Number(req.pageToken) : 0;
  if (!Number.isInteger(offset) || offset < 0 || offset > selected.length)
    throw new ApiError('INVALID_ARGUMENT', `Field page_token had an invalid value of "${req.pageToken}"`);
  const size = req.pageSize && req.pageSize > 0 ? req.pageSize : 1000;
  const page = selected.slice(offset, offset + size);
  return {
    page,
    nextPageToken: offset + size < selected.length ? String(offset + size) : '',
    totalSize: selected.length,
  };
}

function comparator(orderBy: string): (a: Json, b: Json) => number {
  const keys = orderBy.split(',').map((k) => {
    const t = k.trim();
    return t.startsWith('-') ? { path: t.slice(1), sign: -1 } : { path: t, sign: 1 };
  });
  return (a, b) => {
    for (const { path, sign } of keys) {
      const [x] = fieldValues(a, path);
      const [y] = fieldValues(b, path);
      if (x === y) continue;
      if (x === undefined) return -sign;
      if (y === undefined) return sign;
      return (x < y ? -1 : 1) * sign;
    }
    return 0;
  };
}
