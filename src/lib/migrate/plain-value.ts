/**
 * BSON values as the migration sees them, identified by the driver's `_bsontype` tag rather than
 * `instanceof`, so this module needs no driver or bson import.
 */
export type BsonTagged = { _bsontype: string };

export const bsonTypeOf = (v: unknown): string | undefined =>
  v !== null && typeof v === 'object' ? (v as Partial<BsonTagged>)._bsontype : undefined;

export function binaryBytes(v: unknown): Buffer {
  const b = v as { buffer: Uint8Array; position: number };
  return Buffer.from(b.buffer.subarray(0, b.position));
}

export const objectIdHex = (v: unknown) => (v as { toHexString(): string }).toHexString();

/** A Long that fits a JS number exactly becomes one; larger ones keep their decimal string. */
export function longValue(v: unknown): number | string {
  const text = (v as { toString(): string }).toString();
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : text;
}

/** A short name for a value's type, for messages ("an object", "a number"). */
export function describeType(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'missing';
  if (Array.isArray(v)) return 'an array';
  if (v instanceof Date) return 'a date';
  if (v instanceof RegExp) return 'a regular expression';
  const tag = bsonTypeOf(v);
  if (tag === 'Int32' || tag === 'Double' || tag === 'Long' || tag === 'Decimal128') return 'a number';
  if (tag) return `a BSON ${tag}`;
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}
