import type { BucketAdmin, BucketSettings, LifecycleRule } from '../cloud/buckets.js';
import { explainRule } from '../lifecycle/explain.js';
import type { BackupLocation } from './layout.js';
import type { BackupSummary } from './manifest.js';
import { gsUrl } from '../config/gs-url.js';

/** "30 days", "5 hours", "1 second": a period in its largest whole unit, rounded down. */
export function roughly(ms: number): string {
  for (const [unit, size] of [
    ['day', 86_400_000],
    ['hour', 3_600_000],
    ['minute', 60_000],
  ] as const) {
    if (ms >= size) {
      const n = Math.floor(ms / size);
      return `${n} ${unit}${n === 1 ? '' : 's'}`;
    }
  }
  const n = Math.floor(ms / 1000);
  return `${n} second${n === 1 ? '' : 's'}`;
}

/** Conditions that only ever match noncurrent versions: backups read live objects only. */
const NONCURRENT_ONLY = ['numNewerVersions', 'daysSinceNoncurrentTime', 'noncurrentTimeBefore'];

/**
 * Whether a lifecycle rule can delete a live object of this backup location (its blobs, manifests or
 * intents). Conservative: only a rule confined to noncurrent versions, or to name prefixes outside
 * `<source bucket>/`, is known not to.
 */
export function deletesBackups(rule: LifecycleRule, loc: BackupLocation): boolean {
  if (rule.action?.type !== 'Delete') return false;
  const c = (rule.condition ?? {}) as Record<string, unknown>;
  if (c.isLive === false || NONCURRENT_ONLY.some((k) => c[k] !== undefined)) return false;
  if (Array.isArray(c.matchesPrefix))
    return c.matchesPrefix.some((p) => typeof p === 'string' && (p.startsWith(loc.prefix) || loc.prefix.startsWith(p)));
  return true;
}

/**
 * Loud warnings about the backup bucket's own settings. Blobs are shared: a blob written months ago
 * is referenced by every backup since whose object still has that content, so nothing that expires
 * objects by age can tell a blob no backup needs from one the newest backup needs. Only `backup prune`,
 * which reads every manifest, can.
 */
export function backupBucketWarnings(
  loc: BackupLocation,
  settings: Pick<BucketSettings, 'lifecycleRules' | 'retentionPolicy'>,
  oldestKept: Pick<BackupSummary, 'id' | 'completedAt'> | undefined,
  now: Date,
): string[] {
  const bucket = gsUrl(loc.backupBucket);
  const out: string[] = [];
  settings.lifecycleRules.forEach((rule, i) => {
    if (!deletesBackups(rule, loc)) return;
    out.push(
      `${bucket} has lifecycle rule ${i + 1} (${explainRule(rule)}): blobs are shared between backups, so it deletes content that recent backups (even the newest) still reference, and those backups will no longer restore. Remove the rule, and expire backups with \`gwctl backup prune --older-than <age>\` instead`,
    );
  });
  const rp = settings.retentionPolicy;
  if (rp && rp.retentionPeriod > 0 && oldestKept) {
    const ageMs = now.getTime() - Date.parse(oldestKept.completedAt);
    if (ageMs > rp.retentionPeriod * 1000)
      out.push(
        `${bucket} has a retention policy of ${roughly(rp.retentionPeriod * 1000)}, shorter than its oldest kept backup (${oldestKept.id}, ${roughly(ageMs)} old): it protects each blob only for that long after the blob was written, yet kept backups (even the newest) still reference older blobs, which it no longer protects from deletion. A retention policy cannot keep shared content safe: keep soft delete on, expire backups only with \`gwctl backup prune\`, and do not count on the policy`,
      );
  }
  return out;
}

/**
 * Reads the backup bucket's settings and returns the warnings above; a bucket whose settings cannot
 * be read (no storage.buckets.get) is a warning too, since then nothing was checked.
 */
export async function checkBackupBucket(
  admin: BucketAdmin,
  loc: BackupLocation,
  oldestKept: () => Promise<Pick<BackupSummary, 'id' | 'completedAt'> | undefined>,
  now = new Date(),
): Promise<string[]> {
  let settings: BucketSettings;
  try {
    settings = await admin.settings(loc.backupBucket);
  } catch (err) {
    return [
      `could not check ${gsUrl(loc.backupBucket)} for lifecycle rules or a retention policy that would lose backups (${(err as Error).message.split('\n')[0]}); grant storage.buckets.get on it`,
    ];
  }
  // Without the list of backups, the retention check is skipped; the listing's failure shows elsewhere.
  const oldest = settings.retentionPolicy ? await oldestKept().catch(() => undefined) : undefined;
  return backupBucketWarnings(loc, settings, oldest, now);
}
