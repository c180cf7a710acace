import { canonicalJson } from '../audit/record.js';
import { ATTRIBUTE_FIELDS, type ObjectAttributes, type ObjectInfo } from '../cloud/object-store.js';
import { RuntimeError } from '../errors/gwctl-error.js';
import { sha256Hex } from './hashes.js';
import { idFromManifestName, manifestPartName, type BackupLocation } from './layout.js';

/** The manifest lists parts holding its entries (see sealManifest). */
export const MANIFEST_FORMAT = 'gwctl-backup-manifest/2';
/** The first format: every entry inside the manifest itself. Still read, no longer written. */
export const WHOLE_MANIFEST_FORMAT = 'gwctl-backup-manifest/1';
/** Entries per part: a part is read, checked and let go before the next, so memory holds one part's worth. */
export const PART_ENTRIES = 5_000;

// The shapes are checked when a manifest is opened (open-manifest.ts, with zod); writing one needs
// only the types, so `backup create` does not load the schema library.

/** One object of the source bucket as backed up: where its content is and the attributes to put back. */
export interface ManifestEntry extends ObjectAttributes {
  name: string;
  generation: string;
  size: number;
  md5?: string;
  crc32c: string;
  /** Key of the content-addressed blob under `<prefix>blobs/`. */
  blob: string;
}

export interface Manifest {
  format: typeof MANIFEST_FORMAT | typeof WHOLE_MANIFEST_FORMAT;
  id: string;
  env: string;
  sourceBucket: string;
  backupBucket: string;
  prefix: string;
  /** The source was listed at this time: the backup shows the bucket as it was then. */
  startedAt: string;
  completedAt: string;
  quiesced: boolean;
  gwctlVersion?: string;
  totals: { objects: number; bytes: number; blobs: number };
  /** In name order (code points, as GCS lists). */
  objects: ManifestEntry[];
}

/** A part as the manifest lists it: where, its checksum, and the names it starts and ends with. */
export interface PartRef {
  name: string;
  sha256: string;
  objects: number;
  first: string;
  last: string;
}

/** What the manifest object holds: everything but the entries, which are in its parts. */
export interface ManifestSeal extends Omit<Manifest, 'format' | 'objects'> {
  format: typeof MANIFEST_FORMAT;
  parts: PartRef[];
}

/** One part's bytes and reference. */
export interface ManifestPart {
  ref: PartRef;
  data: Buffer;
}

/** An entry's members in canonical (sorted) order; `metadata` is the only nested one. */
const ENTRY_KEYS = (
  [
    'name',
    'generation',
    'size',
    'md5',
    'crc32c',
    'blob',
    ...ATTRIBUTE_FIELDS,
    'metadata',
  ] satisfies (keyof ManifestEntry)[]
).sort();
const ENTRY_KEY_SET = new Set<string>(ENTRY_KEYS);

/** What `backup list` shows; read from the manifest object's metadata alone, so listing is one call. */
export interface BackupSummary {
  id: string;
  sourceBucket: string;
  startedAt: string;
  completedAt: string;
  quiesced: boolean;
  objects: number;
  bytes: number;
  sha256: string;
  manifest: { bucket: string; name: string; generation: string };
}

/** A manifest that is unreadable or fails its checksum: the backup cannot be trusted. */
export class ManifestError extends RuntimeError {
  constructor(message: string) {
    super(message);
    this.name = 'ManifestError';
  }
}

const META = {
  format: 'gwctl-format',
  id: 'gwctl-backup-id',
  startedAt: 'gwctl-started-at',
  completedAt: 'gwctl-completed-at',
  objects: 'gwctl-objects',
  bytes: 'gwctl-bytes',
  quiesced: 'gwctl-quiesced',
  sha256: 'gwctl-sha256',
} as const;

/**
 * A manifest's entries as parts: up to PART_ENTRIES entries each, in name order, one canonical JSON entry
 * a line. Each part is written once (ifGenerationMatch=0) before the manifest, which lists every part with
 * its SHA-256, size and first and last names: a part no manifest lists (a backup killed while writing)
 * belongs to no backup, and a part changed since it was written fails its checksum.
 */
export function manifestParts(loc: BackupLocation, m: Manifest): ManifestPart[] {
  return [
    ...partsOf(
      loc,
      m.id,
      m.objects.map((e) => Buffer.from(entryLine(e))),
    ),
  ];
}

const NEWLINE = Buffer.from('\n');

/** Parts of entries given as their lines' bytes (see entryLine), in name order: made one at a time, as they are written. */
export function* partsOf(loc: BackupLocation, id: string, lines: Iterable<Buffer>): Iterable<ManifestPart> {
  let index = 0;
  let batch: Buffer[] = [];
  const nameOf = (line: Buffer) => (JSON.parse(line.toString('utf8')) as ManifestEntry).name;
  const part = (): ManifestPart => {
    const data = Buffer.concat(batch.flatMap((line) => [line, NEWLINE]));
    const ref = {
      name: manifestPartName(loc, id, index++),
      sha256: sha256Hex(data),
      objects: batch.length,
      first: nameOf(batch[0]!),
      last: nameOf(batch.at(-1)!),
    };
    batch = [];
    return { ref, data };
  };
  for (const line of lines) {
    batch.push(line);
    if (batch.length === PART_ENTRIES) yield part();
  }
  if (batch.length > 0) yield part();
}

/** The manifest without its entries, listing the parts that hold them. */
export function manifestSeal(m: Manifest, parts: PartRef[]): ManifestSeal {
  const { objects: _entries, ...header } = m;
  return { ...header, format: MANIFEST_FORMAT, parts };
}

/**
 * The manifest's bytes: `{"sha256": …, "manifest": …}` where the checksum covers the canonical JSON of
 * the manifest. It is one object, written once (ifGenerationMatch=0) after every blob and part: GCS makes
 * a single upload atomic, so the manifest either exists whole or not at all, and its existence is the
 * commit marker (pgmoneta-style). The checksums catch what happens to it, and to its parts, afterwards.
 */
export function sealManifest(m: ManifestSeal): { data: Buffer; sha256: string; metadata: Record<string, string> } {
  const body = canonicalJson(m);
  const sha256 = sha256Hex(body);
  const metadata = {
    [META.format]: m.format,
    [META.id]: m.id,
    [META.startedAt]: m.startedAt,
    [META.completedAt]: m.completedAt,
    [META.objects]: String(m.totals.objects),
    [META.bytes]: String(m.totals.bytes),
    [META.quiesced]: String(m.quiesced),
    [META.sha256]: sha256,
  };
  return { data: Buffer.from(`{"sha256":"${sha256}","manifest":${body}}\n`), sha256, metadata };
}

/** `canonicalJson(e)`, byte for byte, with the members in their known sorted order: sorting every entry's keys was most of sealing's cost. */
export function entryLine(e: ManifestEntry): string {
  return knownMembersOnly(e) ? sortedEntryJson(e) : canonicalJson(e);
}

function knownMembersOnly(e: ManifestEntry): boolean {
  for (const k in e) if (!ENTRY_KEY_SET.has(k)) return false;
  return true;
}

function sortedEntryJson(e: ManifestEntry): string {
  let out = '';
  for (const k of ENTRY_KEYS) {
    const v = e[k];
    if (v !== undefined) out += `${out ? ',' : ''}"${k}":${k === 'metadata' ? canonicalJson(v) : JSON.stringify(v)}`;
  }
  return `{${out}}`;
}

/** The entry of a listed object whose content is in blob `blob`. */
export function manifestEntry(o: ObjectInfo, blob: string): ManifestEntry {
  const e: ManifestEntry = {
    name: o.name,
    generation: o.generation,
    size: o.size,
    crc32c: o.crc32c,
    blob,
    metadata: { ...o.metadata },
  };
  if (o.md5) e.md5 = o.md5;
  for (const f of ATTRIBUTE_FIELDS) if (o[f] !== undefined) e[f] = o[f];
  return e;
}

/** The summary of a listed manifest object, or undefined when it is not a complete gwctl manifest. */
export function summaryOf(loc: BackupLocation, o: ObjectInfo): BackupSummary | undefined {
  const id = idFromManifestName(loc, o.name);
  const m = o.metadata;
  const format = m[META.format];
  if (!id || (format !== MANIFEST_FORMAT && format !== WHOLE_MANIFEST_FORMAT) || m[META.id] !== id) return undefined;
  const objects = Number(m[META.objects]);
  const bytes = Number(m[META.bytes]);
  const startedAt = m[META.startedAt] ?? '';
  const completedAt = m[META.completedAt] ?? '';
  if (
    !Number.isInteger(objects) ||
    !Number.isInteger(bytes) ||
    Number.isNaN(Date.parse(startedAt)) ||
    Number.isNaN(Date.parse(completedAt))
  )
    return undefined;
  if (!/^[0-9a-f]{64}$/.test(m[META.sha256] ?? '')) return undefined;
  return {
    id,
    sourceBucket: loc.sourceBucket,
    startedAt,
    completedAt,
    quiesced: m[META.quiesced] === 'true',
    objects,
    bytes,
    sha256: m[META.sha256]!,
    manifest: { bucket: o.bucket, name: o.name, generation: o.generation },
  };
}
