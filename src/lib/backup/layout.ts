import { randomBytes } from 'node:crypto';
import type { Environment } from '../config/schema.js';
import { UsageError } from '../errors/gwctl-error.js';
import { resolveBucket } from '../lifecycle/bucket-ref.js';
import { base64ToHex, sha256Hex } from './hashes.js';
import { gsUrl } from '../config/gs-url.js';

/** Which bucket is backed up, where to, and under which prefix of the backup bucket. */
export interface BackupLocation {
  env: string;
  sourceBucket: string;
  backupBucket: string;
  /** `<source bucket>/`: one prefix per source bucket, so several buckets can share the backup bucket. */
  prefix: string;
}

/**
 * `--bucket vault` (the default), any role or bucket name, or a `gs://` URL (see resolveBucket). The
 * backup bucket holds the backups, so it is never backed up into itself.
 */
export function backupLocation(env: Environment, bucket = 'vault'): BackupLocation {
  const source = resolveBucket(env, bucket);
  const backupBucket = env.buckets.backups;
  if (!backupBucket)
    throw new UsageError(
      `environments.${env.name}.buckets.backups: not set in ${env.source}; backups need a bucket of their own`,
    );
  if (backupBucket === source.name)
    throw new UsageError(
      `--bucket ${bucket}: ${gsUrl(source.name)} is the backup bucket, which cannot be backed up into itself; back up vault or parcels`,
    );
  return { env: env.name, sourceBucket: source.name, backupBucket, prefix: `${source.name}/` };
}

export const blobsPrefix = (loc: BackupLocation) => `${loc.prefix}blobs/`;
export const manifestsPrefix = (loc: BackupLocation) => `${loc.prefix}manifests/`;
export const intentsPrefix = (loc: BackupLocation) => `${loc.prefix}intents/`;

type Addressable = { name: string; generation: string; size: number; crc32c: string; md5?: string };

// A backup asks for every listed object's key several times (plan, copy, manifest); listed objects are not mutated.
const keys = new WeakMap<Addressable, string>();

/**
 * Content address of an object: CRC32C, MD5 and size, so equal content is stored once however many
 * objects or backups hold it. Composite objects have no MD5; a CRC32C alone is too weak to share
 * content on, so theirs is keyed to the object's name and generation instead (never shared).
 */
export function blobKey(o: Addressable): string {
  let key = keys.get(o);
  if (key === undefined) {
    const crc = base64ToHex(o.crc32c);
    key = o.md5
      ? `${crc}-${base64ToHex(o.md5)}-${o.size}`
      : `${crc}-composite-${sha256Hex(`${o.name}\n${o.generation}`).slice(0, 32)}-${o.size}`;
    keys.set(o, key);
  }
  return key;
}

export const blobName = (loc: BackupLocation, key: string) => `${blobsPrefix(loc)}${key}`;
export const manifestName = (loc: BackupLocation, id: string) => `${manifestsPrefix(loc)}${id}.json`;
/** A part of a manifest's entries: written before the manifest, which lists it with its checksum. */
export const manifestPartName = (loc: BackupLocation, id: string, index: number) =>
  `${manifestsPrefix(loc)}${id}/part-${String(index).padStart(5, '0')}.jsonl`;

/** The backup a manifest part belongs to, or undefined when the name is not a part's. */
export function idFromPartName(loc: BackupLocation, name: string): string | undefined {
  const m = name.startsWith(manifestsPrefix(loc))
    ? name.slice(manifestsPrefix(loc).length).match(/^([^/]+)\/part-\d{5,}\.jsonl$/)
    : null;
  return m && BACKUP_ID.test(m[1]!) ? m[1] : undefined;
}
export const intentName = (loc: BackupLocation, kind: IntentKind, id: string) => `${intentsPrefix(loc)}${kind}-${id}`;

export type IntentKind = 'create' | 'prune';

/** `20250601T120000Z-3fa9c1`: sorts as it was started, unique across concurrent runs. */
export const BACKUP_ID = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z-[0-9a-f]{6}$/;

export function newBackupId(now: Date, suffix = randomBytes(3).toString('hex')): string {
  return `${now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z')}-${suffix}`;
}

export function idFromManifestName(loc: BackupLocation, name: string): string | undefined {
  const prefix = manifestsPrefix(loc);
  if (!name.startsWith(prefix) || !name.endsWith('.json')) return undefined;
  const id = name.slice(prefix.length, -'.json'.length);
  return BACKUP_ID.test(id) ? id : undefined;
}

export function parseIntentName(loc: BackupLocation, name: string): { kind: IntentKind; id: string } | undefined {
  const m = name.slice(intentsPrefix(loc).length).match(/^(create|prune)-(.+)$/);
  return name.startsWith(intentsPrefix(loc)) && m && BACKUP_ID.test(m[2]!)
    ? { kind: m[1] as IntentKind, id: m[2]! }
    : undefined;
}
