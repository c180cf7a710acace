import { createHash } from 'node:crypto';
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
  /** `sha256:` of every target, sorted by code point, one a line: proves which the full list was, without listing it. */
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

/** Code point order (UTF-8 bytes), the order GCS lists names in: a plan streamed in that order digests as it goes. */
const byCodePoint = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

export const targetsDigest = (targets: readonly string[]) =>
  `sha256:${sha256([...new Set(targets)].sort(byCodePoint).join('\n'))}`;

/**
 * recordedTargets of targets given one at a time, in code point order (a restore planned by merging
 * sorted streams): the first ones kept, the rest counted and digested as they come, none held.
 */
export class StreamedTargets {
  private readonly listed: string[] = [];
  private bytes = 0;
  private count = 0;
  private last: string | undefined;
  private full = false;
  private readonly hash = createHash('sha256');

  add(target: string): void {
    if (target === this.last) return;
    if (this.last !== undefined && byCodePoint(this.last, target) > 0)
      throw new Error(`StreamedTargets: ${target} comes before ${this.last}`);
    this.hash.update(this.count > 0 ? `\n${target}` : target);
    this.last = target;
    this.count++;
    this.bytes += Buffer.byteLength(target) + 3;
    if (this.full || this.listed.length === MAX_TARGETS || this.bytes > MAX_TARGET_BYTES) this.full = true;
    else this.listed.push(target);
  }

  recorded(): RecordedTargets {
    if (this.listed.length === this.count) return { targets: this.listed };
    return {
      targets: this.listed,
      targetsOmitted: this.count - this.listed.length,
      targetsDigest: `sha256:${this.hash.digest('hex')}`,
    };
  }
}
