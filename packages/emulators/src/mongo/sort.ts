import { badValue } from './errors.js';
import { valuesAtPath } from './query.js';
import { compareValues, toNumber, type Doc } from './values.js';

/** Sorts like the server: missing fields sort as null; an array sorts by its smallest (ascending) or largest element. */
export function sortDocs(docs: Doc[], spec: Doc | undefined): Doc[] {
  if (!spec) return docs;
  const keys = Object.entries(spec).map(([path, dir]) => {
    const d = toNumber(dir);
    if (d !== 1 && d !== -1)
      throw badValue(
        `$sort key ordering must be 1 (for ascending) or -1 (for descending); got ${String(dir)} for ${path}`,
      );
    return { path, dir: d };
  });
  const natural = keys.length === 1 && keys[0].path === '$natural';
  if (natural) return keys[0].dir === 1 ? docs : [...docs].reverse();
  return [...docs].sort((a, b) => {
    for (const { path, dir } of keys) {
      const c = compareValues(sortKey(a, path, dir), sortKey(b, path, dir));
      if (c !== 0) return c * dir;
    }
    return 0;
  });
}

function sortKey(doc: Doc, path: string, dir: number): unknown {
  const values = valuesAtPath(doc, path).flatMap((v) => (Array.isArray(v) ? (v.length ? v : [undefined]) : [v]));
  if (values.length === 0) return null;
  return values.reduce((best, v) => (compareValues(v, best) * dir < 0 ? v : best));
}
