import { conditionNotMet, invalid } from './errors.js';
import type { BucketRecord, ObjectVersion } from './records.js';

export interface GenerationPreconditions {
  ifGenerationMatch?: number;
  ifGenerationNotMatch?: number;
  ifMetagenerationMatch?: number;
  ifMetagenerationNotMatch?: number;
}

const NAMES = ['ifGenerationMatch', 'ifGenerationNotMatch', 'ifMetagenerationMatch', 'ifMetagenerationNotMatch'] as const;
const SOURCE_PARAMS = NAMES.map((name) => name.replace(/^if/, 'ifSource'));

export function int64Param(query: URLSearchParams, name: string): number | undefined {
  const raw = query.get(name);
  if (raw === null || raw === '') return undefined;
  if (!/^-?\d+$/.test(raw)) throw invalid(`Invalid value for ${name}: ${raw}`);
  return Number(raw);
}

/**
 * Reads `ifGenerationMatch` and friends; with `source` set, the `ifSourceGenerationMatch` family
 * that copy and rewrite apply to the source object.
 */
export function readPreconditions(query: URLSearchParams, source = false): GenerationPreconditions {
  const p: GenerationPreconditions = {};
  NAMES.forEach((name, i) => {
    const value = int64Param(query, source ? SOURCE_PARAMS[i] : name);
    if (value !== undefined) p[name] = value;
  });
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
  if (p.ifMetagenerationMatch !== undefined && p.ifMetagenerationMatch !== current.metageneration) throw conditionNotMet();
  if (p.ifMetagenerationNotMatch !== undefined && p.ifMetagenerationNotMatch === current.metageneration) throw conditionNotMet();
}

/** On a read, a failed `…NotMatch` precondition means "you already have it": 304, not 412. */
export function notModified(current: { generation?: number; metageneration: number }, query: URLSearchParams): boolean {
  const generation = int64Param(query, 'ifGenerationNotMatch');
  const metageneration = int64Param(query, 'ifMetagenerationNotMatch');
  return (generation !== undefined && generation === current.generation) || (metageneration !== undefined && metageneration === current.metageneration);
}

export function checkBucketPreconditions(bucket: BucketRecord, query: URLSearchParams): void {
  const match = int64Param(query, 'ifMetagenerationMatch');
  const notMatch = int64Param(query, 'ifMetagenerationNotMatch');
  if (match !== undefined && match !== bucket.metageneration) throw conditionNotMet();
  if (notMatch !== undefined && notMatch === bucket.metageneration) throw conditionNotMet();
}
