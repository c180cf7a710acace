import { createHash } from 'node:crypto';
import type { FieldMap, FieldValue } from '../cloud/firestore.js';

/**
 * A digest of a document's fields that both sides agree on: keys sorted, bytes as base64, timestamps
 * as epoch milliseconds. Computed on the converted MongoDB document and on what Firestore returns.
 */
export function documentDigest(fields: FieldMap): string {
  return createHash('sha256')
    .update(JSON.stringify(tagged(fields)))
    .digest('hex');
}

function tagged(v: FieldValue): unknown {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number') return Number.isFinite(v) ? (Object.is(v, -0) ? 0 : v) : { $double: String(v) };
  if (v instanceof Date) return { $date: v.getTime() };
  if (Buffer.isBuffer(v)) return { $bytes: v.toString('base64') };
  if (Array.isArray(v)) return v.map(tagged);
  return Object.fromEntries(
    Object.keys(v)
      .sort()
      .map((k) => [k, tagged(v[k])]),
  );
}
