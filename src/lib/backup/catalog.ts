import type { ObjectInfo, ObjectStore } from '../cloud/object-store.js';
import { UsageError } from '../errors/gwctl-error.js';
import { parseDuration } from '../ui/duration.js';
import { blobsPrefix, manifestsPrefix, type BackupLocation } from './layout.js';
import { summaryOf, type BackupSummary, type Manifest } from './manifest.js';
import { gsUrl } from '../config/gs-url.js';

/** Where a location's backups are, as messages name it. */
export const locationText = (loc: BackupLocation) => gsUrl(loc.backupBucket, loc.prefix);

/** Every committed backup of the location, newest first: one listing, manifests' metadata only. */
export async function listBackups(store: ObjectStore, loc: BackupLocation): Promise<BackupSummary[]> {
  const found: BackupSummary[] = [];
  for await (const page of store.list(loc.backupBucket, { prefix: manifestsPrefix(loc) })) {
    for (const o of page) {
      const s = summaryOf(loc, o);
      if (s) found.push(s);
    }
  }
  // Ids sort by start to the second; two runs in one second are told apart by when they completed.
  return found.sort(
    (a, b) => Date.parse(b.completedAt) - Date.parse(a.completedAt) || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0),
  );
}

/**
 * `latest`, an id, or with `at` the newest backup completed at or before that time. Completed, not
 * started: a backup still copying when the bucket was damaged may hold some of the damage.
 */
export function selectBackup(
  backups: BackupSummary[],
  ref: string | undefined,
  at?: Date,
  where = 'the backup bucket',
): BackupSummary {
  if (at) {
    if (ref && ref !== 'latest') throw new UsageError(`give a backup id or --at, not both`);
    const chosen = backups
      .filter((b) => Date.parse(b.completedAt) <= at.getTime())
      .sort((a, b) => Date.parse(b.completedAt) - Date.parse(a.completedAt))[0];
    if (!chosen)
      throw new UsageError(
        `no backup in ${where} was completed at or before ${at.toISOString()}; see \`gwctl backup list\``,
      );
    return chosen;
  }
  if (!ref || ref === 'latest') {
    if (!backups[0])
      throw new UsageError(`there are no backups in ${where} yet; take one with \`gwctl backup create\``);
    return backups[0];
  }
  const chosen = backups.find((b) => b.id === ref);
  if (!chosen) throw new UsageError(`no backup "${ref}" in ${where}; see \`gwctl backup list\``);
  return chosen;
}

/** `--at`: an ISO 8601 time (`2025-06-01T12:00Z`), or a duration meaning that long ago (`3h`). */
export function parseAt(text: string, now: Date): Date {
  const ago = parseDuration(text);
  if (ago !== undefined) return new Date(now.getTime() - ago);
  const t = Date.parse(text);
  if (Number.isNaN(t) || !/^\d{4}-\d{2}-\d{2}/.test(text))
    throw new UsageError(`--at ${text}: expected an ISO 8601 time (2025-06-01T12:00:00Z) or a duration ago (3h, 2d)`);
  return new Date(t);
}

/** Reads a backup's manifest and checks its checksum; throws ManifestError when it cannot be trusted. */
export async function loadManifest(store: ObjectStore, summary: BackupSummary): Promise<Manifest> {
  const { bucket, name, generation } = summary.manifest;
  const data = await store.read({ bucket, name, generation });
  // Loaded here, not up front: the schema library is needed only to open a manifest, never to write one.
  const { openManifest } = await import('./open-manifest.js');
  return openManifest(data, { id: summary.id, sha256: summary.sha256, where: gsUrl(bucket, name) });
}

/** Blobs already in the backup bucket, by key. */
export type BlobIndex = Map<string, ObjectInfo>;

/**
 * Every stored blob. Keys start with a hex CRC32C, so the listing splits into 16 prefixes listed side
 * by side: pages of one listing come one after another, and a large backup bucket has many.
 */
export async function listBlobs(store: ObjectStore, loc: BackupLocation): Promise<BlobIndex> {
  const prefix = blobsPrefix(loc);
  const index: BlobIndex = new Map();
  await Promise.all(
    [...'0123456789abcdef'].map(async (digit) => {
      for await (const page of store.list(loc.backupBucket, { prefix: `${prefix}${digit}` }))
        for (const o of page) index.set(o.name.slice(prefix.length), o);
    }),
  );
  return index;
}
