import { createHash } from 'node:crypto';
import { FirestoreDouble, type FieldMap, type FieldValue } from '../cloud/document-store.js';

/**
 * A digest of a document's fields that both sides agree on: keys sorted, bytes as base64, timestamps
 * as epoch milliseconds, and numbers by the type Firestore stores them as — an integer 5 and a double
 * 5.0 differ, so a double that landed as an integer reads back as a difference, not as a match.
 * Computed on the converted MongoDB document and on what Firestore returns.
 */
export function documentDigest(fields: FieldMap): string {
  return createHash('sha256')
    .update(JSON.stringify(tagged(fields)))
    .digest('hex');
}

const double = (n: number) => ({ $double: Object.is(n, -0) ? '-0' : String(n) });

function tagged(v: FieldValue): unknown {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
  // A plain number goes over the wire as an integer when it is a safe integer, else as a double.
  if (typeof v === 'number') return Number.isSafeInteger(v) && !Object.is(v, -0) ? v : double(v);
  if (typeof v === 'bigint') return { $integer: v.toString() };
  if (v instanceof FirestoreDouble) return double(v.value);
  if (v instanceof Date) return { $date: v.getTime() };
  if (Buffer.isBuffer(v)) return { $bytes: v.toString('base64') };
  if (Array.isArray(v)) return v.map(tagged);
  return Object.fromEntries(
    Object.keys(v)
      .sort()
      .map((k) => [k, tagged(v[k])]),
  );
}
