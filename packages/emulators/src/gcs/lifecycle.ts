import { deletionBlocker } from './protection.js';
import { DAY_MS, isLive, type ObjectVersion } from './records.js';
import type { BucketState, Store } from './store.js';

export interface SweepResult {
  /** Generations removed (soft-deleted where the bucket keeps deleted objects). */
  deleted: number;
  /** Live generations a versioned bucket kept as noncurrent. */
  madeNoncurrent: number;
  storageClassChanged: number;
  /** Soft-deleted generations past their hard-delete time, now gone for good. */
  purged: number;
  /** Deletions a hold or retention policy stopped. */
  blocked: number;
}

interface LifecycleRule {
  action: { type: string; storageClass?: string };
  condition: Record<string, unknown>;
}

interface Facts {
  now: number;
  isLive: boolean;
  /** Generations of the same name newer than this one, the live one included. */
  numNewerVersions: number;
}

/** `2024-05-01` means midnight UTC that day; full timestamps are taken as they are. */
const dateMs = (value: unknown) =>
  Date.parse(String(value).includes('T') ? String(value) : `${String(value)}T00:00:00Z`);

const daysSince = (from: number, now: number) => (now - from) / DAY_MS;

/** Whether every part of a rule's condition holds; a condition the emulator does not know never holds, so it never deletes by mistake. */
export function conditionHolds(condition: Record<string, unknown>, v: ObjectVersion, facts: Facts): boolean {
  const customTime = v.fields.customTime === undefined ? undefined : Date.parse(v.fields.customTime);
  for (const [key, value] of Object.entries(condition)) {
    const ok = (() => {
      switch (key) {
        case 'age':
          return daysSince(v.timeCreated, facts.now) >= Number(value);
        case 'createdBefore':
          return v.timeCreated < dateMs(value);
        case 'isLive':
          return value === facts.isLive;
        case 'numNewerVersions':
          return facts.numNewerVersions >= Number(value);
        case 'daysSinceNoncurrentTime':
          return !facts.isLive && daysSince(v.timeDeleted!, facts.now) >= Number(value);
        case 'noncurrentTimeBefore':
          return !facts.isLive && v.timeDeleted! < dateMs(value);
        case 'daysSinceCustomTime':
          return customTime !== undefined && daysSince(customTime, facts.now) >= Number(value);
        case 'customTimeBefore':
          return customTime !== undefined && customTime < dateMs(value);
        case 'matchesPrefix':
          return Array.isArray(value) && value.some((p) => v.name.startsWith(String(p)));
        case 'matchesSuffix':
          return Array.isArray(value) && value.some((s) => v.name.endsWith(String(s)));
        case 'matchesStorageClass':
          return Array.isArray(value) && value.includes(v.storageClass);
        default:
          return false;
      }
    })();
    if (!ok) return false;
  }
  return true;
}

function rulesOf(b: BucketState): LifecycleRule[] {
  const rules = b.record.fields.lifecycle?.rule ?? [];
  return rules.filter(
    (r): r is LifecycleRule =>
      typeof r === 'object' &&
      r !== null &&
      typeof (r as LifecycleRule).action?.type === 'string' &&
      typeof (r as LifecycleRule).condition === 'object',
  );
}

/**
 * One pass of Object Lifecycle Management over every bucket: Delete and SetStorageClass rules,
 * Delete winning when both match. Holds and retention policies stop deletions here as they stop
 * API deletes. Also purges soft-deleted objects whose hard-delete time has passed.
 */
export function sweepLifecycle(store: Store, now: number): SweepResult {
  const result: SweepResult = { deleted: 0, madeNoncurrent: 0, storageClassChanged: 0, purged: 0, blocked: 0 };
  for (const b of store.allBuckets()) {
    for (const versions of [...b.softDeleted.values()])
      for (const v of versions)
        if (v.hardDeleteTime! <= now) {
          store.purge(b, v);
          result.purged++;
        }
    const rules = rulesOf(b);
    if (!rules.length) continue;
    for (const name of b.versionedNames.toArray()) {
      const versions = b.versionsOf(name);
      versions.forEach((v, i) => {
        const facts = { now, isLive: isLive(v), numNewerVersions: versions.length - 1 - i };
        const matched = rules.filter((r) => conditionHolds(r.condition, v, facts));
        if (matched.some((r) => r.action.type === 'Delete')) {
          if (deletionBlocker(v, b.record, now)) result.blocked++;
          else if (facts.isLive && b.versioningEnabled) {
            store.makeNoncurrent(b, v, now);
            result.madeNoncurrent++;
          } else {
            store.remove(b, v, now);
            result.deleted++;
          }
          return;
        }
        const storageClass = matched.find((r) => r.action.type === 'SetStorageClass')?.action.storageClass;
        if (storageClass && storageClass !== v.storageClass) {
          v.storageClass = storageClass;
          v.timeStorageClassUpdated = now;
          store.saveVersion(v);
          result.storageClassChanged++;
        }
      });
    }
  }
  return result;
}
