import type { ObjectStore } from '../cloud/object-store.js';
import { silentProgress, type Progress } from '../ui/progress.js';
import { forEachBounded } from './bounded.js';
import { blobHolds } from './blob-copies.js';
import { listBlobs, manifestEntries } from './catalog.js';
import { blobName, type BackupLocation } from './layout.js';
import { ManifestError, type BackupSummary } from './manifest.js';

export interface VerifyProblem {
  kind: 'manifest' | 'missing' | 'mismatch' | 'corrupt';
  /** The blob (object name in the backup bucket), when the problem is a blob's. */
  blob?: string;
  /** Objects of the source whose content that blob is. */
  objects: string[];
  detail: string;
}

export interface VerifyReport {
  id: string;
  deep: boolean;
  ok: boolean;
  objects: number;
  blobs: number;
  /** Bytes downloaded and hashed (deep only). */
  bytesRead: number;
  problems: VerifyProblem[];
}

export interface VerifyDeps {
  store: ObjectStore;
  progress?: (total: number) => Promise<Progress>;
  signal?: AbortSignal;
}

/**
 * Checks a backup: its manifest's checksum, then every blob it references — present, with the size,
 * CRC32C and MD5 the manifest expects according to GCS's metadata (one listing), or with `deep`,
 * downloaded and hashed here (metadata cannot reveal bytes that rotted after they were written).
 * The manifest is read part by part: what is kept is the stored blobs' index, the keys seen and the problems.
 */
export async function verifyBackup(
  deps: VerifyDeps,
  loc: BackupLocation,
  summary: BackupSummary,
  opts: { deep: boolean; concurrency: number },
): Promise<VerifyReport> {
  const report: VerifyReport = {
    id: summary.id,
    deep: opts.deep,
    ok: false,
    objects: summary.objects,
    blobs: 0,
    bytesRead: 0,
    problems: [],
  };
  const stored = await listBlobs(deps.store, loc);
  /** Blobs referenced, and among them those found wanting, by key, with the objects they hold. */
  const seen = new Set<string>();
  const wanting = new Map<string, VerifyProblem>();
  const flag = (kind: VerifyProblem['kind'], key: string, detail: string) =>
    wanting.set(key, { kind, blob: blobName(loc, key), objects: [], detail });
  try {
    for await (const entries of manifestEntries(deps.store, summary)) {
      for (const e of entries) {
        const key = e.blob;
        seen.add(key);
        // A blob listed with the size and hashes its key names holds any entry that has them.
        if (!wanting.has(key) && !(stored.holds(key) && stored.named(key, e))) {
          const blob = stored.get(key);
          if (!blob) flag('missing', key, 'blob not found');
          else if (!blobHolds(blob, e))
            flag(
              'mismatch',
              key,
              `stored size/crc32c/md5 ${blob.size}/${blob.crc32c}/${blob.md5} ≠ manifest ${e.size}/${e.crc32c}/${e.md5}`,
            );
          else
            flag(
              'mismatch',
              key,
              `the manifest gives ${e.name} another size or other hashes than its blob's key names`,
            );
        }
        wanting.get(key)?.objects.push(e.name);
      }
    }
  } catch (err) {
    if (!(err instanceof ManifestError)) throw err;
    report.problems.push({ kind: 'manifest', objects: [], detail: err.message });
    return report;
  }
  report.blobs = seen.size;
  report.problems.push(...wanting.values());

  const toRead = opts.deep ? [...seen].filter((key) => !wanting.has(key)) : [];
  seen.clear();
  const corrupt = new Map<string, VerifyProblem>();
  if (toRead.length > 0) {
    const progress = deps.progress ? await deps.progress(toRead.length) : silentProgress;
    try {
      await forEachBounded(
        toRead,
        opts.concurrency,
        async (key) => {
          // Its entries have the size and hashes its key names (checked above), as the stored blob does.
          const want = stored.get(key)!;
          const got = await deps.store.hash({ bucket: loc.backupBucket, name: blobName(loc, key) });
          report.bytesRead += got.size;
          if (!blobHolds(got, want)) {
            corrupt.set(key, {
              kind: 'corrupt',
              blob: blobName(loc, key),
              objects: [],
              detail: `downloaded bytes hash to crc32c ${got.crc32c}, md5 ${got.md5} (${got.size} bytes); the manifest expects crc32c ${want.crc32c}, md5 ${want.md5} (${want.size} bytes)`,
            });
          }
          progress.tick();
        },
        deps.signal,
      );
    } finally {
      progress.stop();
    }
  }
  if (corrupt.size > 0) {
    // Read again for the names of the objects whose content rotted: rare, and not worth holding every name for.
    for await (const entries of manifestEntries(deps.store, summary))
      for (const e of entries) corrupt.get(e.blob)?.objects.push(e.name);
    report.problems.push(...corrupt.values());
  }
  report.ok = report.problems.length === 0;
  return report;
}
