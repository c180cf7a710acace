import { conditionNotMet, invalid } from './errors.js';
import type { QueryParams } from './query.js';
import type { BucketRecord, ObjectVersion } from './records.js';

export interface GenerationPreconditions {
  ifGenerationMatch?: number;
  ifGenerationNotMatch?: number;
  ifMetagenerationMatch?: number;
  ifMetagenerationNotMatch?: number;
}

const NAMES = [
  'ifGenerationMatch',
  'ifGenerationNotMatch',
  'ifMetagenerationMatch',
  'ifMetagenerationNotMatch',
] as const;
const SOURCE_PARAMS = NAMES.map((name) => name.replace(/^if/, 'ifSource'));

export function int64Param(query: QueryParams, name: string): number | undefined {
  const raw = query.get(name);
  if (raw === null || raw === '') return undefined;
  if (!/^-?\d+$/.test(raw)) throw invalid(`Invalid value for ${name}: ${raw}`);
  return Number(raw);
}

// Queries are parsed once per distinct text and shared (parseQuery), so what is read from one is kept
// with it: a rewrite reads its preconditions three times, and a batch sends the same query 100 times.
const read = new WeakMap<QueryParams, Readonly<GenerationPreconditions>>();
const readForSource = new WeakMap<QueryParams, Readonly<GenerationPreconditions>>();

/**
 * Reads `ifGenerationMatch` and friends; with `source` set, the `ifSourceGenerationMatch` family
 * that copy and rewrite apply to the source object. Frozen: the same object answers every call with this query.
 */
export function readPreconditions(query: QueryParams, source = false): Readonly<GenerationPreconditions> {
  const memo = source ? readForSource : read;
  let p = memo.get(query);
  if (p === undefined) {
    const params = source ? SOURCE_PARAMS : NAMES;
    const fresh: GenerationPreconditions = {};
    for (let i = 0; i < NAMES.length; i++) {
      const value = int64Param(query, params[i]);
      if (value !== undefined) fresh[NAMES[i]] = value;
    }
    memo.set(query, (p = Object.freeze(fresh)));
  }
  return p;
}

/** Throws 412 unless the object (undefined when absent) satisfies every precondition; generation 0 means "absent". */
export function checkObjectPreconditions(current: ObjectVersion | undefined, p: GenerationPreconditions): void {
  const generation = current?.generation ?? 0;
  if (p.ifGenerationMatch !== undefined && p.ifGenerationMatch !== generation) throw conditionNotMet();
  if (p.ifGenerationNotMatch !== undefined && p.ifGenerationNotMatch === generation) throw conditionNotMet();
  const hasMeta = p.ifMetagenerationMatch !== undefined || p.ifMetagenerationNotMatch !== undefined;
  if (!hasMeta) return;
  if (!current) throw conditionNotMet();
  if (p.ifMetagenerationMatch !== undefined && p.ifMetagenerationMatch !== current.metageneration)
    throw conditionNotMet();
  if (p.ifMetagenerationNotMatch !== undefined && p.ifMetagenerationNotMatch === current.metageneration)
    throw conditionNotMet();
}

/** On a read, a failed `…NotMatch` precondition means "you already have it": 304, not 412. */
export function notModified(current: { generation?: number; metageneration: number }, query: QueryParams): boolean {
  const generation = int64Param(query, 'ifGenerationNotMatch');
  const metageneration = int64Param(query, 'ifMetagenerationNotMatch');
  return (
    (generation !== undefined && generation === current.generation) ||
    (metageneration !== undefined && metageneration === current.metageneration)
  );
}

export function checkBucketPreconditions(bucket: BucketRecord, query: QueryParams): void {
  const match = int64Param(query, 'ifMetagenerationMatch');
  const notMatch = int64Param(query, 'ifMetagenerationNotMatch');
  if (match !== undefined && match !== bucket.metageneration) throw conditionNotMet();
  if (notMatch !== undefined && notMatch === bucket.metageneration) throw conditionNotMet();
}
