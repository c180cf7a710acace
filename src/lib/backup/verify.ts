import type { ObjectStore } from '../cloud/object-store.js';
import { silentProgress, type Progress } from '../ui/progress.js';
import { forEachBounded } from './bounded.js';
import { listBlobs, loadManifest } from './catalog.js';
import { blobName, type BackupLocation } from './layout.js';
import { ManifestError, type BackupSummary, type Manifest, type ManifestEntry } from './manifest.js';

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

/** Groups a manifest's entries by blob: each blob is checked once, and problems name every object it holds. */
export function entriesByBlob(entries: ManifestEntry[]): Map<string, ManifestEntry[]> {
  const byBlob = new Map<string, ManifestEntry[]>();
  for (const e of entries) {
    const list = byBlob.get(e.blob);
    if (list) list.push(e);
    else byBlob.set(e.blob, [e]);
  }
  return byBlob;
}

/**
 * Checks a backup: its manifest's checksum, then every blob it references — present, with the size,
 * CRC32C and MD5 the manifest expects according to GCS's metadata (one listing), or with `deep`,
 * downloaded and hashed here (metadata cannot reveal bytes that rotted after they were written).
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
  let manifest: Manifest;
  try {
    manifest = await loadManifest(deps.store, summary);
  } catch (err) {
    if (!(err instanceof ManifestError)) throw err;
    report.problems.push({ kind: 'manifest', objects: [], detail: err.message });
    return report;
  }
  const byBlob = entriesByBlob(manifest.objects);
  report.blobs = byBlob.size;
  const stored = await listBlobs(deps.store, loc);
  const problem = (kind: VerifyProblem['kind'], key: string, entries: ManifestEntry[], detail: string) =>
    report.problems.push({ kind, blob: blobName(loc, key), objects: entries.map((e) => e.name), detail });

  const toRead: [string, ManifestEntry[]][] = [];
  for (const [key, entries] of byBlob) {
    const want = entries[0]!;
    const inconsistent = entries.find((e) => e.crc32c !== want.crc32c || e.size !== want.size || e.md5 !== want.md5);
    if (inconsistent)
      problem(
        'mismatch',
        key,
        entries,
        `the manifest gives ${inconsistent.name} and ${want.name} different hashes for one blob`,
      );
    const blob = stored.get(key);
    if (!blob) problem('missing', key, entries, 'blob not found');
    else if (
      blob.size !== want.size ||
      blob.crc32c !== want.crc32c ||
      (want.md5 !== undefined && blob.md5 !== want.md5)
    ) {
      problem(
        'mismatch',
        key,
        entries,
        `stored size/crc32c/md5 ${blob.size}/${blob.crc32c}/${blob.md5} ≠ manifest ${want.size}/${want.crc32c}/${want.md5}`,
      );
    } else if (opts.deep) toRead.push([key, entries]);
  }

  if (toRead.length > 0) {
    const progress = deps.progress ? await deps.progress(toRead.length) : silentProgress;
    try {
      await forEachBounded(
        toRead,
        opts.concurrency,
        async ([key, entries]) => {
          const want = entries[0]!;
          const got = await deps.store.hash({ bucket: loc.backupBucket, name: blobName(loc, key) });
          report.bytesRead += got.size;
          if (
            got.size !== want.size ||
            got.crc32c !== want.crc32c ||
            (want.md5 !== undefined && got.md5 !== want.md5)
          ) {
            problem(
              'corrupt',
              key,
              entries,
              `downloaded bytes hash to crc32c ${got.crc32c}, md5 ${got.md5} (${got.size} bytes); the manifest expects crc32c ${want.crc32c}, md5 ${want.md5} (${want.size} bytes)`,
            );
          }
          progress.tick();
        },
        deps.signal,
      );
    } finally {
      progress.stop();
    }
  }
  report.ok = report.problems.length === 0;
  return report;
}
