import { z } from 'zod';
import { canonicalJson } from '../audit/record.js';
import type { ObjectInfo } from '../cloud/objects.js';
import { RuntimeError } from '../errors/gwctl-error.js';
import { sha256Hex } from './hashes.js';
import { idFromManifestName, type BackupLocation } from './layout.js';

export const MANIFEST_FORMAT = 'gwctl-backup-manifest/1';

const entrySchema = z
  .object({
    name: z.string().min(1),
    generation: z.string().min(1),
    size: z.number().int().nonnegative(),
    md5: z.string().optional(),
    crc32c: z.string().min(1),
    /** Key of the content-addressed blob under `<prefix>blobs/`. */
    blob: z.string().min(1),
    contentType: z.string().optional(),
    contentEncoding: z.string().optional(),
    contentDisposition: z.string().optional(),
    contentLanguage: z.string().optional(),
    cacheControl: z.string().optional(),
    metadata: z.record(z.string(), z.string()),
  })
  .strict();

const manifestSchema = z
  .object({
    format: z.literal(MANIFEST_FORMAT),
    id: z.string(),
    env: z.string(),
    sourceBucket: z.string(),
    backupBucket: z.string(),
    prefix: z.string(),
    /** The source was listed at this time: the backup shows the bucket as it was then. */
    startedAt: z.iso.datetime(),
    completedAt: z.iso.datetime(),
    quiesced: z.boolean(),
    gwctlVersion: z.string().optional(),
    totals: z.object({ objects: z.number().int(), bytes: z.number().int(), blobs: z.number().int() }).strict(),
    objects: z.array(entrySchema),
  })
  .strict();

/** One object of the source bucket as backed up: where its content is and what to put back. */
export type ManifestEntry = z.infer<typeof entrySchema>;
export type Manifest = z.infer<typeof manifestSchema>;

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
 * The manifest's bytes: `{"sha256": …, "manifest": …}` where the checksum covers the canonical JSON of
 * the manifest. It is one object, written once (ifGenerationMatch=0) after every blob: GCS makes a
 * single upload atomic, so the manifest either exists whole or not at all, and its existence is the
 * commit marker (pgmoneta-style). The checksum catches what happens to it afterwards.
 */
export function sealManifest(m: Manifest): { data: Buffer; sha256: string; metadata: Record<string, string> } {
  const body = manifestJson(m);
  const sha256 = sha256Hex(body);
  const metadata = {
    [META.format]: MANIFEST_FORMAT,
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

/** An entry's members in canonical (sorted) order; `metadata` is the only nested one. */
const ENTRY_KEYS = Object.keys(entrySchema.shape).sort() as (keyof ManifestEntry)[];
const ENTRY_KEY_SET = new Set<string>(ENTRY_KEYS);

/**
 * `canonicalJson(m)`, byte for byte, written entry by entry with the entry's members in their known
 * sorted order: sealing a manifest of 10,000 objects is on every backup's path, and sorting the keys
 * of every entry was most of its cost. Entries with members it does not know take the general path.
 */
export function manifestJson(m: Manifest): string {
  const head = canonicalJson({ ...m, objects: [] });
  const at = head.indexOf('"objects":[]');
  const entries = m.objects.map((e) => {
    for (const k in e) if (!ENTRY_KEY_SET.has(k)) return canonicalJson(e);
    let out = '';
    for (const k of ENTRY_KEYS) {
      const v = e[k];
      if (v !== undefined) out += `${out ? ',' : ''}"${k}":${k === 'metadata' ? canonicalJson(v) : JSON.stringify(v)}`;
    }
    return `{${out}}`;
  });
  return `${head.slice(0, at)}"objects":[${entries.join(',')}]${head.slice(at + '"objects":[]'.length)}`;
}

/** Reads and checks a manifest: its JSON, its checksum, its shape and that it is the one asked for. */
export function openManifest(data: Buffer, expected: { id: string; sha256?: string; where: string }): Manifest {
  const damaged = (why: string) => new ManifestError(`manifest ${expected.where} is damaged (${why}); this backup cannot be trusted: verify or restore another one`);
  let sealed: { sha256?: unknown; manifest?: unknown };
  try {
    sealed = JSON.parse(data.toString('utf8')) as typeof sealed;
  } catch {
    throw damaged('not valid JSON');
  }
  if (typeof sealed?.sha256 !== 'string' || !sealed.manifest) throw damaged('no checksum');
  const actual = sha256Hex(canonicalJson(sealed.manifest));
  if (actual !== sealed.sha256) throw damaged(`checksum mismatch: recorded ${sealed.sha256.slice(0, 12)}…, computed ${actual.slice(0, 12)}…`);
  if (expected.sha256 && expected.sha256 !== actual) throw damaged('its checksum differs from the one in its metadata');
  const parsed = manifestSchema.safeParse(sealed.manifest);
  if (!parsed.success) throw damaged(`unexpected content at ${parsed.error.issues[0]!.path.join('.') || 'top level'}`);
  if (parsed.data.id !== expected.id) throw damaged(`it describes backup ${parsed.data.id}`);
  return parsed.data;
}

/** The summary of a listed manifest object, or undefined when it is not a complete gwctl manifest. */
export function summaryOf(loc: BackupLocation, o: ObjectInfo): BackupSummary | undefined {
  const id = idFromManifestName(loc, o.name);
  const m = o.metadata;
  if (!id || m[META.format] !== MANIFEST_FORMAT || m[META.id] !== id) return undefined;
  const objects = Number(m[META.objects]);
  const bytes = Number(m[META.bytes]);
  const startedAt = m[META.startedAt] ?? '';
  const completedAt = m[META.completedAt] ?? '';
  if (!Number.isInteger(objects) || !Number.isInteger(bytes) || Number.isNaN(Date.parse(startedAt)) || Number.isNaN(Date.parse(completedAt))) return undefined;
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
