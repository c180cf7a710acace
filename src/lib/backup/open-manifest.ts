import { z } from 'zod';
import { canonicalJson } from '../audit/record.js';
import { compareNames } from '../cloud/name-order.js';
import { sha256Hex } from './hashes.js';
import {
  MANIFEST_FORMAT,
  ManifestError,
  WHOLE_MANIFEST_FORMAT,
  type Manifest,
  type ManifestEntry,
  type ManifestSeal,
  type PartRef,
} from './manifest.js';

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

const header = {
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
};

const wholeManifestSchema = z
  .object({ ...header, format: z.literal(WHOLE_MANIFEST_FORMAT), objects: z.array(entrySchema) })
  .strict() satisfies z.ZodType<Manifest>;

const partRefSchema = z
  .object({
    name: z.string().min(1),
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
    objects: z.number().int().positive(),
    first: z.string().min(1),
    last: z.string().min(1),
  })
  .strict() satisfies z.ZodType<PartRef>;

const sealSchema = z
  .object({ ...header, format: z.literal(MANIFEST_FORMAT), parts: z.array(partRefSchema) })
  .strict() satisfies z.ZodType<ManifestSeal>;

const damagedError = (where: string, why: string) =>
  new ManifestError(
    `manifest ${where} is damaged (${why}); this backup cannot be trusted: verify or restore another one`,
  );

/**
 * Reads and checks a manifest: its JSON, its checksum, its shape and that it is the one asked for. A
 * manifest of the first format holds its entries; the current one lists the parts that do (openPart).
 */
export function openManifest(
  data: Buffer,
  expected: { id: string; sha256?: string; where: string },
): Manifest | ManifestSeal {
  const damaged = (why: string) => damagedError(expected.where, why);
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
  const whole = (sealed.manifest as { format?: unknown }).format === WHOLE_MANIFEST_FORMAT;
  const parsed = (whole ? wholeManifestSchema : sealSchema).safeParse(sealed.manifest);
  if (!parsed.success) throw damaged(`unexpected content at ${parsed.error.issues[0]!.path.join('.') || 'top level'}`);
  if (parsed.data.id !== expected.id) throw damaged(`it describes backup ${parsed.data.id}`);
  // The first format sorted its entries by UTF-16 code units, not code points as GCS lists (`x🔑` before `x\uFFFF`):
  // held whole anyway, they are put in the order every reader (a restore's merge with the listing) relies on.
  if (whole) (parsed.data as Manifest).objects.sort((a, b) => compareNames(a.name, b.name));
  if (!whole) {
    const seal = parsed.data as ManifestSeal;
    const listed = seal.parts.reduce((n, p) => n + p.objects, 0);
    if (listed !== seal.totals.objects)
      throw damaged(`its parts hold ${listed} objects, its totals ${seal.totals.objects}`);
    for (let i = 1; i < seal.parts.length; i++)
      if (compareNames(seal.parts[i - 1]!.last, seal.parts[i]!.first) >= 0)
        throw damaged(`part ${i} overlaps part ${i - 1}`);
  }
  return parsed.data;
}

/**
 * Reads and checks one part against the manifest's record of it: its checksum, every entry's shape, that
 * its entries are in name order, how many there are and the names they start and end with.
 */
export function openPart(data: Buffer, ref: PartRef, where: string): ManifestEntry[] {
  const damaged = (why: string) => damagedError(where, `part ${ref.name}: ${why}`);
  const actual = sha256Hex(data);
  if (actual !== ref.sha256)
    throw damaged(`checksum mismatch: recorded ${ref.sha256.slice(0, 12)}…, computed ${actual.slice(0, 12)}…`);
  const lines = data.toString('utf8').split('\n');
  if (lines.pop() !== '') throw damaged('it does not end with a line break');
  const entries = lines.map((line, i) => {
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw damaged(`line ${i + 1} is not valid JSON`);
    }
    const parsed = entrySchema.safeParse(value);
    if (!parsed.success) throw damaged(`unexpected content on line ${i + 1}`);
    return parsed.data;
  });
  if (entries.length !== ref.objects) throw damaged(`${entries.length} entries, the manifest lists ${ref.objects}`);
  for (let i = 1; i < entries.length; i++)
    if (compareNames(entries[i - 1]!.name, entries[i]!.name) >= 0)
      throw damaged(`entries out of order at line ${i + 1}`);
  if (entries[0]?.name !== ref.first || entries.at(-1)?.name !== ref.last)
    throw damaged('its first or last entry is not the one the manifest lists');
  return entries;
}
