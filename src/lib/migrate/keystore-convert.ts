import type { FieldMap, FieldValue } from '../cloud/firestore.js';
import type { MongoDocument } from '../cloud/mongo.js';
import { binaryBytes, bsonTypeOf, describeType, longValue, objectIdHex } from './plain-value.js';

/** A value Firestore cannot hold faithfully: the document is refused rather than silently changed. */
export class ConversionError extends Error {}

/**
 * A keystore document as Firestore fields: Binary → bytes, Date → timestamp (expiry and TTL fields
 * keep their instant), embedded documents → maps, ObjectId → hex string, Long → number (decimal
 * string beyond 2^53), Decimal128 → string. `_id` becomes the document id, so it is not a field.
 */
export function toFirestoreFields(doc: MongoDocument): FieldMap {
  const out: FieldMap = {};
  for (const [field, value] of Object.entries(doc)) {
    if (field === '_id' || value === undefined) continue;
    out[field] = convert(value, field, false);
  }
  return out;
}

function convert(v: unknown, path: string, inArray: boolean): FieldValue {
  if (v === null || typeof v === 'string' || typeof v === 'boolean' || typeof v === 'number') return v;
  if (v instanceof Date) {
    if (Number.isNaN(v.getTime())) throw new ConversionError(`${path} is an invalid date`);
    return v;
  }
  if (Buffer.isBuffer(v)) return v;
  if (Array.isArray(v)) {
    // Firestore has no arrays of arrays.
    if (inArray) throw new ConversionError(`${path} is an array inside an array, which Firestore cannot store`);
    return v.map((x, i) => convert(x, `${path}.${i}`, true));
  }
  switch (bsonTypeOf(v)) {
    case undefined:
      if (typeof v === 'object') {
        return Object.fromEntries(
          Object.entries(v as object)
            .filter(([, x]) => x !== undefined)
            .map(([k, x]) => [k, convert(x, `${path}.${k}`, false)]),
        );
      }
      break;
    case 'Binary':
      return binaryBytes(v);
    case 'ObjectId':
      return objectIdHex(v);
    case 'Long':
      return longValue(v);
    case 'Int32':
    case 'Double':
      return (v as { value: number }).value;
    case 'Decimal128':
      return (v as { toString(): string }).toString();
  }
  throw new ConversionError(`${path} is ${describeType(v)}, which the keystore migration does not convert`);
}

/**
 * Firestore's storage size of a document (https://cloud.google.com/firestore/docs/storage-size),
 * used to keep documents under 1 MiB and batches under 10 MiB.
 */
export function firestoreDocumentSize(collection: string, id: string, fields: FieldMap): number {
  const name = Buffer.byteLength(collection) + 1 + Buffer.byteLength(id) + 1 + 16;
  return name + mapSize(fields) + 32;
}

function mapSize(map: Record<string, FieldValue>): number {
  return Object.entries(map).reduce((n, [k, v]) => n + Buffer.byteLength(k) + 1 + valueSize(v), 0);
}

function valueSize(v: FieldValue): number {
  if (v === null || typeof v === 'boolean') return 1;
  if (typeof v === 'number' || v instanceof Date) return 8;
  if (typeof v === 'string') return Buffer.byteLength(v) + 1;
  if (Buffer.isBuffer(v)) return v.length;
  if (Array.isArray(v)) return v.reduce((n: number, x) => n + valueSize(x), 0);
  return mapSize(v);
}
