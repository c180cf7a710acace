import type { protos } from '@google-cloud/firestore-api';
import { FirestoreDouble, type FieldMap, type FieldValue } from './document-store.js';

type Value = protos.google.firestore.v1.IValue;
type Fields = Record<string, Value>;

/**
 * Firestore's wire values (https://cloud.google.com/firestore/docs/reference/rpc/google.firestore.v1#value),
 * written by us rather than by the high-level SDK, which stores every integral JS number as an integer:
 * here a FirestoreDouble is a `doubleValue` whatever its value, so a MongoDB Double 5.0 stays a double.
 * A plain number follows the SDK's rule (safe integer → `integerValue`, anything else → `doubleValue`).
 */
export function encodeFields(fields: FieldMap): Fields {
  const out: Fields = {};
  for (const [k, v] of Object.entries(fields)) out[k] = encodeValue(v);
  return out;
}

function encodeValue(v: FieldValue): Value {
  if (v === null) return { nullValue: 'NULL_VALUE' };
  if (typeof v === 'boolean') return { booleanValue: v };
  if (typeof v === 'string') return { stringValue: v };
  if (typeof v === 'bigint') return { integerValue: v.toString() };
  if (typeof v === 'number')
    return Number.isSafeInteger(v) && !Object.is(v, -0) ? { integerValue: String(v) } : { doubleValue: v };
  if (v instanceof FirestoreDouble) return { doubleValue: v.value };
  if (v instanceof Date) {
    const ms = v.getTime();
    const seconds = Math.floor(ms / 1000);
    return { timestampValue: { seconds: String(seconds), nanos: (ms - seconds * 1000) * 1_000_000 } };
  }
  if (Buffer.isBuffer(v)) return { bytesValue: v };
  if (Array.isArray(v)) return { arrayValue: { values: v.map(encodeValue) } };
  return { mapValue: { fields: encodeFields(v) } };
}

/**
 * A document's fields as FieldValues, types kept: `doubleValue` → FirestoreDouble, `integerValue` → number
 * (bigint beyond 2^53), timestamps → Date, bytes → Buffer. References and geo points, which gwctl never
 * writes, come back under reserved (`__…__`) keys so that no document field can be mistaken for them.
 */
export function decodeFields(fields: Fields | null | undefined): FieldMap {
  const out: FieldMap = {};
  for (const [k, v] of Object.entries(fields ?? {})) out[k] = decodeValue(v);
  return out;
}

function decodeValue(v: Value & { valueType?: string }): FieldValue {
  switch (v.valueType) {
    case 'nullValue':
      return null;
    case 'booleanValue':
      return Boolean(v.booleanValue);
    case 'integerValue': {
      const n = BigInt(String(v.integerValue));
      return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n;
    }
    case 'doubleValue':
      return new FirestoreDouble(Number(v.doubleValue));
    case 'timestampValue':
      return new Date(Number(v.timestampValue?.seconds ?? 0) * 1000 + Math.floor((v.timestampValue?.nanos ?? 0) / 1e6));
    case 'stringValue':
      return v.stringValue ?? '';
    case 'bytesValue':
      return Buffer.from(v.bytesValue as Uint8Array);
    case 'arrayValue':
      return (v.arrayValue?.values ?? []).map(decodeValue);
    case 'mapValue':
      return decodeFields(v.mapValue?.fields as Fields);
    case 'referenceValue':
      return { __reference__: v.referenceValue ?? '' };
    case 'geoPointValue':
      return { __geoPoint__: [v.geoPointValue?.latitude ?? 0, v.geoPointValue?.longitude ?? 0] };
    default:
      return { __unknown__: String(v.valueType) };
  }
}
