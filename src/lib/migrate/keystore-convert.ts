import { FirestoreDouble, type FieldMap, type FieldValue } from '../cloud/document-store.js';
import type { MongoDocument } from '../cloud/mongo.js';
import { LONE_SURROGATE, RESERVED_NAME } from '../keyev/key-rules.js';
import { binaryBytes, bsonTypeOf, describeType, longValue, objectIdHex } from './plain-value.js';
import { quote } from '../ui/printable.js';

/** A value Firestore cannot hold faithfully: the document is refused rather than silently changed. */
export class ConversionError extends Error {}

/** Firestore's timestamp range (https://firebase.google.com/docs/firestore/manage-data/data-types): years 1 to 9999, UTC. */
const TIMESTAMP_MIN_MS = Date.parse('0001-01-01T00:00:00.000Z');
const TIMESTAMP_MAX_MS = Date.parse('9999-12-31T23:59:59.999Z');

/**
 * A keystore document as Firestore fields: Binary → bytes, Date → timestamp (expiry and TTL fields
 * keep their instant), embedded documents → maps, ObjectId → hex string, Double → double (5.0 stays a
 * double), Int32 → integer, Long → integer (decimal string beyond 2^53), Decimal128 → string. `_id`
 * becomes the document id, so it is not a field. What Firestore cannot hold exactly is refused, naming
 * the field, so the plan refuses the document before any batch is written.
 */
export function toFirestoreFields(doc: MongoDocument): FieldMap {
  const out: FieldMap = {};
  for (const [field, value] of Object.entries(doc)) {
    if (field === '_id' || value === undefined) continue;
    checkFieldName(field, field);
    out[field] = convert(value, field, false);
  }
  return out;
}

/** Firestore field names: not empty, valid UTF-8, at most 1500 bytes, not `__.*__` (reserved). */
function checkFieldName(name: string, path: string): void {
  const problem =
    name === ''
      ? 'is empty'
      : LONE_SURROGATE.test(name)
        ? 'is not valid UTF-8 (it holds a lone UTF-16 surrogate)'
        : RESERVED_NAME.test(name)
          ? 'is of the form __…__, which Firestore reserves'
          : Buffer.byteLength(name) > 1500
            ? 'is over 1500 bytes'
            : undefined;
  if (problem) throw new ConversionError(`the field name ${quote(path)} ${problem}; Firestore cannot store it`);
}

function convert(v: unknown, path: string, inArray: boolean): FieldValue {
  if (v === null || typeof v === 'boolean' || typeof v === 'number') return v;
  if (typeof v === 'string') {
    if (LONE_SURROGATE.test(v))
      throw new ConversionError(
        `${path} is a string that is not valid UTF-8 (a lone UTF-16 surrogate); Firestore would store U+FFFD in its place`,
      );
    return v;
  }
  if (v instanceof Date) {
    const ms = v.getTime();
    if (Number.isNaN(ms)) throw new ConversionError(`${path} is an invalid date`);
    if (ms < TIMESTAMP_MIN_MS || ms > TIMESTAMP_MAX_MS)
      throw new ConversionError(
        `${path} is ${v.toISOString()}, outside Firestore's timestamp range (0001-01-01 to 9999-12-31 UTC)`,
      );
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
      // Embedded documents only: a RegExp (what the driver gives for a BSON regex) would otherwise pass as an empty map.
      if (typeof v === 'object' && [Object.prototype, null].includes(Object.getPrototypeOf(v))) {
        return Object.fromEntries(
          Object.entries(v as object)
            .filter(([, x]) => x !== undefined)
            .map(([k, x]) => {
              checkFieldName(k, `${path}.${k}`);
              return [k, convert(x, `${path}.${k}`, false)];
            }),
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
      return (v as { value: number }).value;
    case 'Double':
      return new FirestoreDouble((v as { value: number }).value);
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
  if (typeof v === 'number' || typeof v === 'bigint' || v instanceof FirestoreDouble || v instanceof Date) return 8;
  if (typeof v === 'string') return Buffer.byteLength(v) + 1;
  if (Buffer.isBuffer(v)) return v.length;
  if (Array.isArray(v)) return v.reduce((n: number, x) => n + valueSize(x), 0);
  return mapSize(v);
}
