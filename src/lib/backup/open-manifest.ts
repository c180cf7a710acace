import { z } from 'zod';
import { canonicalJson } from '../audit/record.js';
import { sha256Hex } from './hashes.js';
import { MANIFEST_FORMAT, ManifestError, type Manifest, type ManifestEntry } from './manifest.js';

const entrySchema = z
  .object({
    name: z.string().min(1),
    generation: z.string().min(1),
    size: z.number().int().nonnegative(),
    md5: z.string().optional(),
    crc32c: z.string().min(1),
    blob: z.string().min(1),
    contentType: z.string().optional(),
    contentEncoding: z.string().optional(),
    contentDisposition: z.string().optional(),
    contentLanguage: z.string().optional(),
    cacheControl: z.string().optional(),
    metadata: z.record(z.string(), z.string()),
  })
  .strict() satisfies z.ZodType<ManifestEntry>;

const manifestSchema = z
  .object({
    format: z.literal(MANIFEST_FORMAT),
    id: z.string(),
    env: z.string(),
    sourceBucket: z.string(),
    backupBucket: z.string(),
    prefix: z.string(),
    startedAt: z.iso.datetime(),
    completedAt: z.iso.datetime(),
    quiesced: z.boolean(),
    gwctlVersion: z.string().optional(),
    totals: z.object({ objects: z.number().int(), bytes: z.number().int(), blobs: z.number().int() }).strict(),
    objects: z.array(entrySchema),
  })
  .strict() satisfies z.ZodType<Manifest>;

/** Reads and checks a manifest: its JSON, its checksum, its shape and that it is the one asked for. */
export function openManifest(data: Buffer, expected: { id: string; sha256?: string; where: string }): Manifest {
  const damaged = (why: string) =>
    new ManifestError(
      `manifest ${expected.where} is damaged (${why}); this backup cannot be trusted: verify or restore another one`,
    );
  let sealed: { sha256?: unknown; manifest?: unknown };
  try {
    sealed = JSON.parse(data.toString('utf8')) as typeof sealed;
  } catch {
    throw damaged('not valid JSON');
  }
  if (typeof sealed?.sha256 !== 'string' || !sealed.manifest) throw damaged('no checksum');
  const actual = sha256Hex(canonicalJson(sealed.manifest));
  if (actual !== sealed.sha256)
    throw damaged(`checksum mismatch: recorded ${sealed.sha256.slice(0, 12)}…, computed ${actual.slice(0, 12)}…`);
  if (expected.sha256 && expected.sha256 !== actual) throw damaged('its checksum differs from the one in its metadata');
  const parsed = manifestSchema.safeParse(sealed.manifest);
  if (!parsed.success) throw damaged(`unexpected content at ${parsed.error.issues[0]!.path.join('.') || 'top level'}`);
  if (parsed.data.id !== expected.id) throw damaged(`it describes backup ${parsed.data.id}`);
  return parsed.data;
}
