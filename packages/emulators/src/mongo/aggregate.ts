import { notImplemented } from './errors.js';
import { project } from './projection.js';
import { matches, valuesAtPath } from './query.js';
import { sortDocs } from './sort.js';
import { isDoc, toNumber, type Doc } from './values.js';

/**
 * The pipelines drivers build for counting (`countDocuments`: $match, $skip, $limit, $group by a
 * constant with $sum) plus simple $sort/$project/$count. Anything else is refused, not guessed.
 */
export function runPipeline(docs: Doc[], pipeline: unknown[]): Doc[] {
  let out = docs;
  for (const stage of pipeline) {
    if (!isDoc(stage) || Object.keys(stage).length !== 1)
      throw notImplemented('a pipeline stage that is not a one-field document');
    const [name, arg] = Object.entries(stage)[0];
    switch (name) {
      case '$match':
        out = out.filter((d) => matches(d, arg as Doc));
        break;
      case '$sort':
        out = sortDocs(out, arg as Doc);
        break;
      case '$skip':
        out = out.slice(toNumber(arg) ?? 0);
        break;
      case '$limit':
        out = out.slice(0, toNumber(arg) ?? out.length);
        break;
      case '$project':
        out = out.map((d) => project(d, arg as Doc));
        break;
      case '$count':
        out = out.length > 0 ? [{ [String(arg)]: out.length }] : [];
        break;
      case '$group':
        out = group(out, arg as Doc);
        break;
      default:
        throw notImplemented(`aggregation stage ${name}`);
    }
  }
  return out;
}

/** `$group` with a constant `_id` (null, 1, …): one output document of `$sum` accumulators. */
function group(docs: Doc[], spec: Doc): Doc[] {
  const { _id, ...accumulators } = spec;
  if (typeof _id === 'string' && _id.startsWith('$')) throw notImplemented('$group by a field');
  if (docs.length === 0) return [];
  const out: Doc = { _id: _id ?? null };
  for (const [field, acc] of Object.entries(accumulators)) {
    if (!isDoc(acc) || !('$sum' in acc)) throw notImplemented(`$group accumulator for ${field}`);
    const what = acc.$sum;
    out[field] = docs.reduce((sum, d) => {
      if (typeof what === 'string' && what.startsWith('$'))
        return sum + (toNumber(valuesAtPath(d, what.slice(1))[0]) ?? 0);
      return sum + (toNumber(what) ?? 0);
    }, 0);
  }
  return [out];
}
