import { canonicalValueString } from './canonical-value.js';
import { binaryBytes, bsonTypeOf, objectIdHex } from './plain-value.js';

/** A MongoDB `_id` as a Firestore document id: ObjectId as its 24-digit hex, strings as they are, anything else in its plain form. */
export function documentId(id: unknown): string {
  if (typeof id === 'string') return id;
  if (typeof id === 'number') return String(id);
  switch (bsonTypeOf(id)) {
    case 'ObjectId':
      return objectIdHex(id);
    case 'Binary':
      return binaryBytes(id).toString('hex');
    case 'Long':
    case 'Int32':
    case 'Double':
    case 'Decimal128':
      return String(id);
    default:
      return id instanceof Date ? id.toISOString() : canonicalValueString(id);
  }
}
