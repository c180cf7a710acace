import { BSON } from 'bson';

/** A stored document: BSON deserialised with `promoteValues: false`, so every type survives a round trip. */
export type Doc = Record<string, unknown>;

/** Deserialisation options that keep Int32/Double/Long/Binary as their BSON classes. */
export const EXACT: BSON.DeserializeOptions = {
  promoteValues: false,
  promoteBuffers: false,
  promoteLongs: false,
  bsonRegExp: true,
};

const bsonType = (v: unknown): string | undefined =>
  v !== null && typeof v === 'object' ? ((v as { _bsontype?: string })._bsontype ?? undefined) : undefined;

/** A plain embedded document (not an array, Date or BSON class instance). */
export function isDoc(v: unknown): v is Doc {
  return (
    v !== null &&
    typeof v === 'object' &&
    !Array.isArray(v) &&
    !(v instanceof Date) &&
    bsonType(v) === undefined &&
    !(v instanceof Uint8Array)
  );
}

/** Deep copy with the exact BSON types, via a serialise/deserialise round trip. */
export function cloneDoc<T extends Doc>(doc: T): T {
  return BSON.deserialize(BSON.serialize(doc), EXACT) as T;
}

/** A number from an Int32/Double/Long/number field (command arguments such as `limit`). */
export function toNumber(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  switch (bsonType(v)) {
    case 'Int32':
    case 'Double':
      return (v as { value: number }).value;
    case 'Long':
      return (v as { toNumber(): number }).toNumber();
    case 'Decimal128':
      return Number((v as { toString(): string }).toString());
    default:
      return undefined;
  }
}

export function truthy(v: unknown): boolean {
  const n = toNumber(v);
  if (n !== undefined) return n !== 0;
  return Boolean(v) && v !== null;
}

/** MongoDB's cross-type sort order (https://www.mongodb.com/docs/manual/reference/bson-type-comparison-order/). */
export function typeRank(v: unknown): number {
  if (v === undefined || v === null) return 2;
  if (typeof v === 'number' || typeof v === 'bigint') return 3;
  if (typeof v === 'string') return 4;
  if (typeof v === 'boolean') return 9;
  if (v instanceof Date) return 10;
  if (Array.isArray(v)) return 6;
  if (v instanceof RegExp) return 12;
  switch (bsonType(v)) {
    case 'MinKey':
      return 1;
    case 'Int32':
    case 'Double':
    case 'Long':
    case 'Decimal128':
      return 3;
    case 'BSONSymbol':
      return 4;
    case 'Binary':
      return 7;
    case 'ObjectId':
      return 8;
    case 'Timestamp':
      return 11;
    case 'BSONRegExp':
      return 12;
    case 'MaxKey':
      return 13;
    default:
      return 5;
  }
}

/** `$type` aliases by BSON type number (https://www.mongodb.com/docs/manual/reference/operator/query/type/). */
export const TYPE_ALIASES: Readonly<Record<number, string>> = {
  1: 'double',
  2: 'string',
  3: 'object',
  4: 'array',
  5: 'binData',
  6: 'undefined',
  7: 'objectId',
  8: 'bool',
  9: 'date',
  10: 'null',
  11: 'regex',
  12: 'dbPointer',
  13: 'javascript',
  14: 'symbol',
  15: 'javascriptWithScope',
  16: 'int',
  17: 'timestamp',
  18: 'long',
  19: 'decimal',
  [-1]: 'minKey',
  127: 'maxKey',
};

const ALIAS_OF_TAG: Readonly<Record<string, string>> = {
  Int32: 'int',
  Double: 'double',
  Long: 'long',
  Decimal128: 'decimal',
  BSONSymbol: 'symbol',
  Binary: 'binData',
  ObjectId: 'objectId',
  Timestamp: 'timestamp',
  BSONRegExp: 'regex',
  MinKey: 'minKey',
  MaxKey: 'maxKey',
  DBRef: 'object',
};

/** A stored value's `$type` alias. */
export function typeAlias(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'number') return 'double';
  if (typeof v === 'bigint') return 'long';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  if (v instanceof Date) return 'date';
  if (v instanceof RegExp) return 'regex';
  if (Array.isArray(v)) return 'array';
  if (v instanceof Uint8Array) return 'binData';
  const tag = bsonType(v);
  if (tag === 'Code') return (v as { scope?: unknown }).scope ? 'javascriptWithScope' : 'javascript';
  return (tag && ALIAS_OF_TAG[tag]) ?? 'object';
}

function numeric(v: unknown): number | bigint {
  if (typeof v === 'number' || typeof v === 'bigint') return v;
  if (bsonType(v) === 'Long') return (v as { toBigInt(): bigint }).toBigInt();
  return toNumber(v) ?? Number.NaN;
}

const sign = (n: number) => (n < 0 ? -1 : n > 0 ? 1 : 0);

/** Total order over BSON values, as the server sorts them. */
export function compareValues(a: unknown, b: unknown): number {
  const ra = typeRank(a);
  const rb = typeRank(b);
  if (ra !== rb) return sign(ra - rb);
  switch (ra) {
    case 1:
    case 2:
    case 13:
      return 0;
    case 3: {
      const x = numeric(a);
      const y = numeric(b);
      return x < y ? -1 : x > y ? 1 : 0;
    }
    case 4: {
      const x = String(a);
      const y = String(b);
      return x < y ? -1 : x > y ? 1 : 0;
    }
    case 5:
      return compareDocs(a as Doc, b as Doc);
    case 6: {
      const x = a as unknown[];
      const y = b as unknown[];
      for (let i = 0; i < Math.min(x.length, y.length); i++) {
        const c = compareValues(x[i], y[i]);
        if (c !== 0) return c;
      }
      return sign(x.length - y.length);
    }
    case 7: {
      const x = a as BSON.Binary;
      const y = b as BSON.Binary;
      if (x.position !== y.position) return sign(x.position - y.position);
      if (x.sub_type !== y.sub_type) return sign(x.sub_type - y.sub_type);
      return sign(Buffer.compare(Buffer.from(x.value()), Buffer.from(y.value())));
    }
    case 8:
      return sign(Buffer.compare(Buffer.from((a as BSON.ObjectId).id), Buffer.from((b as BSON.ObjectId).id)));
    case 9:
      return sign(Number(a) - Number(b));
    case 10:
      return sign((a as Date).getTime() - (b as Date).getTime());
    case 11:
      return (a as BSON.Timestamp).compare(b as BSON.Timestamp);
    default:
      return sign(String(a).localeCompare(String(b)));
  }
}

function compareDocs(a: Doc, b: Doc): number {
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  for (let i = 0; i < Math.min(ka.length, kb.length); i++) {
    const c = compareValues(a[ka[i]], b[kb[i]]);
    if (c !== 0) return c;
    if (ka[i] !== kb[i]) return ka[i] < kb[i] ? -1 : 1;
  }
  return sign(ka.length - kb.length);
}

export const valuesEqual = (a: unknown, b: unknown) => compareValues(a, b) === 0;

/** A key identifying an `_id` value exactly (type included), for the uniqueness index. */
export function idKey(id: unknown): string {
  return BSON.EJSON.stringify({ id }, { relaxed: false });
}
