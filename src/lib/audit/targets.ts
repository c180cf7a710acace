import { sha256 } from './record.js';

/** At most this many targets are listed in a record, like MAX_IDS for step ids. */
export const MAX_TARGETS = 100;
/** And at most this many bytes of them: object names run to 1,024 bytes, and a shared-log entry to 65,535. */
const MAX_TARGET_BYTES = 16 * 1024;

/** What a record keeps of its plan's targets: the first ones, and how many more with a digest of them all. */
export interface RecordedTargets {
  targets: string[];
  /** Targets left out of `targets` to keep the record small (a restore of 5,000 objects). */
  targetsOmitted?: number;
  /** `sha256:` of every target, sorted, one a line: proves which the full list was, without listing it. */
  targetsDigest?: string;
}

/** The distinct targets, in plan order, capped by count and bytes; the rest counted and digested. */
export function recordedTargets(all: readonly string[]): RecordedTargets {
  const distinct = [...new Set(all)];
  const targets: string[] = [];
  let bytes = 0;
  for (const t of distinct) {
    bytes += Buffer.byteLength(t) + 3;
    if (targets.length === MAX_TARGETS || bytes > MAX_TARGET_BYTES) break;
    targets.push(t);
  }
  if (targets.length === distinct.length) return { targets };
  return {
    targets,
    targetsOmitted: distinct.length - targets.length,
    targetsDigest: targetsDigest(distinct),
  };
}

export const targetsDigest = (targets: readonly string[]) =>
  `sha256:${sha256([...new Set(targets)].sort().join('\n'))}`;
