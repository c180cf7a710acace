import { canonicalJson } from '../audit/record.js';
import { binaryBytes, bsonTypeOf, longValue, objectIdHex } from './plain-value.js';

/**
 * `--stringify`: a non-string config value as deterministic JSON — object keys sorted, dates as
 * ISO-8601 strings, ObjectIds as hex, binary as base64, Int32/Double/Long as numbers
 * (a Long beyond 2^53 as its decimal string). The same value always gives the same text.
 */
export function canonicalValueString(value: unknown): string {
  return canonicalJson(toJson(value));
}

function toJson(v: unknown): unknown {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number') return Number.isFinite(v) ? v : String(v);
  if (v instanceof Date) return v.toISOString();
  if (Array.isArray(v)) return v.map(toJson);
  switch (bsonTypeOf(v)) {
    case undefined:
      if (typeof v === 'object') return Object.fromEntries(Object.entries(v as object).map(([k, x]) => [k, toJson(x)]));
      return String(v);
    case 'ObjectId':
      return objectIdHex(v);
    case 'Binary':
      return binaryBytes(v).toString('base64');
    case 'Long':
      return longValue(v);
    case 'Int32':
    case 'Double':
      return (v as { value: number }).value;
    default:
      return String(v);
  }
}
