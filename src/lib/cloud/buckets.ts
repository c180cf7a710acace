import type { Storage } from '@google-cloud/storage';
import { canonicalJson } from '../audit/record.js';
import type { Environment } from '../config/schema.js';
import { ConcurrentChangeError, gcsError } from './gcs-errors.js';
import { withRetry, type RetryOptions } from './retry.js';
import { openStorage } from './storage.js';
import { gsUrl } from '../config/gs-url.js';

/** A lifecycle rule exactly as the GCS JSON API returns it; unknown fields are kept untouched. */
export interface LifecycleRule {
  action: { type: string; storageClass?: string; [k: string]: unknown };
  condition: { age?: number; [k: string]: unknown };
  [k: string]: unknown;
}

/** The bucket settings gwctl reads and changes. */
export interface BucketSettings {
  name: string;
  metageneration: string;
  labels: Record<string, string>;
  versioning: boolean;
  lifecycleRules: LifecycleRule[];
  retentionPolicy?: { retentionPeriod: number; isLocked: boolean; effectiveTime?: string };
  softDeletePolicy?: { retentionDurationSeconds: number; effectiveTime?: string };
  defaultEventBasedHold: boolean;
}

export interface BucketSettingsPatch {
  labels?: Record<string, string | null>;
  versioning?: boolean;
  lifecycleRules?: LifecycleRule[];
  softDeleteRetentionSeconds?: number;
}

export interface BucketInventory {
  objects: number;
  bytes: number;
  /** Live objects under a temporary or event-based hold: lifecycle rules cannot delete them. */
  held: number;
  /** Noncurrent versions (versioned buckets). */
  noncurrent: number;
}

/**
 * Soft-deleted objects: out of every listing but kept, restorable and billed, until their hard-delete time
 * (https://cloud.google.com/storage/docs/soft-delete). Counted on one listing page, never the whole bucket.
 */
export interface SoftDeletedObjects {
  objects: number;
  bytes: number;
  /** There were more than one page holds: `objects` and `bytes` are lower bounds. */
  more: boolean;
  /** The latest hard-delete time among those counted. */
  billedUntil?: string;
}

/** Pages of one object followed before a bucket in which none was seen is still called "not empty". */
const EMPTINESS_PAGES = 3;

/** One page: enough to say "none", "N" or "at least N" in a single request. */
export const SOFT_DELETED_PAGE = 1000;

/**
 * Bucket-level operations, rclone-style: small, and the logic never sees an SDK type. Every request is
 * retried on 429/5xx/dropped connections (one layer, with the total retry deadline).
 */
export interface BucketAdmin {
  settings(bucket: string): Promise<BucketSettings>;
  /**
   * Patches only what is given, always to absolute values (labels, versioning, the whole rule list), so a
   * repeated patch lands the same state. With `ifMetageneration` a concurrent change fails instead of being
   * overwritten.
   */
  patch(bucket: string, patch: BucketSettingsPatch, opts?: { ifMetageneration?: string }): Promise<BucketSettings>;
  inventory(bucket: string): Promise<BucketInventory>;
  /** Whether the bucket holds any object, live or noncurrent: a listing of one object, never the whole bucket. */
  isEmpty(bucket: string): Promise<boolean>;
  softDeleted(bucket: string): Promise<SoftDeletedObjects>;
}

export async function openBucketAdmin(env: Environment, opts: { retry?: RetryOptions } = {}): Promise<BucketAdmin> {
  return new GcsBucketAdmin(await openStorage(env), env.project, opts.retry);
}

/** The GCS implementation. The Storage client must have its own retries off (`openStorage` does): these are the only ones. */
export class GcsBucketAdmin implements BucketAdmin {
  constructor(
    private readonly storage: Storage,
    private readonly project?: string,
    private readonly retry: RetryOptions = {},
  ) {}

  async settings(bucket: string): Promise<BucketSettings> {
    try {
      const [meta] = await withRetry(() => this.storage.bucket(bucket).getMetadata(), this.retry);
      return toSettings(meta as Record<string, unknown>);
    } catch (err) {
      throw gcsError(err, `bucket ${gsUrl(bucket)}`);
    }
  }

  async patch(
    bucket: string,
    patch: BucketSettingsPatch,
    opts: { ifMetageneration?: string } = {},
  ): Promise<BucketSettings> {
    const body: Record<string, unknown> = {};
    if (patch.labels) body.labels = patch.labels;
    if (patch.versioning !== undefined) body.versioning = { enabled: patch.versioning };
    if (patch.lifecycleRules) body.lifecycle = { rule: patch.lifecycleRules };
    if (patch.softDeleteRetentionSeconds !== undefined)
      body.softDeletePolicy = { retentionDurationSeconds: patch.softDeleteRetentionSeconds };
    let tries = 0;
    try {
      const [meta] = await withRetry(() => {
        tries++;
        return this.storage
          .bucket(bucket)
          .setMetadata(body, opts.ifMetageneration ? { ifMetagenerationMatch: Number(opts.ifMetageneration) } : {});
      }, this.retry);
      return toSettings(meta as Record<string, unknown>);
    } catch (err) {
      const mapped = gcsError(err, `updating bucket ${gsUrl(bucket)}`, this.project);
      // A retried patch whose earlier try landed (its answer lost) fails its own precondition: look at what is there.
      if (tries > 1 && mapped instanceof ConcurrentChangeError) {
        const now = await this.settings(bucket);
        if (patchApplied(now, patch)) return now;
      }
      throw mapped;
    }
  }

  async inventory(bucket: string): Promise<BucketInventory> {
    const inv: BucketInventory = { objects: 0, bytes: 0, held: 0, noncurrent: 0 };
    try {
      let query: Record<string, unknown> | null = { versions: true, maxResults: 1000, autoPaginate: false };
      while (query) {
        const page: Record<string, unknown> = query;
        // Page by page: a failure retries its page, not the listing from the start.
        const [files, next] = (await withRetry(
          () => this.storage.bucket(bucket).getFiles(page),
          this.retry,
        )) as unknown as [{ metadata: Record<string, unknown> }[], Record<string, unknown> | null];
        for (const f of files) {
          const m = f.metadata;
          if (m.timeDeleted) inv.noncurrent++;
          else {
            inv.objects++;
            inv.bytes += Number(m.size ?? 0);
            if (m.temporaryHold || m.eventBasedHold) inv.held++;
          }
        }
        query = next;
      }
      return inv;
    } catch (err) {
      throw gcsError(err, `listing ${gsUrl(bucket)}`);
    }
  }

  async isEmpty(bucket: string): Promise<boolean> {
    try {
      // A page may come back empty with a token (GCS may stop a page early): follow a few before saying "not empty".
      let query: Record<string, unknown> | null = { versions: true, maxResults: 1, autoPaginate: false };
      for (let page = 0; query && page < EMPTINESS_PAGES; page++) {
        const q = query;
        const [files, next] = (await withRetry(
          () => this.storage.bucket(bucket).getFiles(q),
          this.retry,
        )) as unknown as [unknown[], Record<string, unknown> | null];
        if (files.length > 0) return false;
        query = next;
      }
      return !query;
    } catch (err) {
      throw gcsError(err, `listing ${gsUrl(bucket)}`);
    }
  }

  async softDeleted(bucket: string): Promise<SoftDeletedObjects> {
    try {
      const query = { softDeleted: true, maxResults: SOFT_DELETED_PAGE, autoPaginate: false };
      const [files, next] = (await withRetry(
        () => this.storage.bucket(bucket).getFiles(query as never),
        this.retry,
      )) as unknown as [{ metadata: { size?: string | number; hardDeleteTime?: string } }[], unknown];
      const until = files.map((f) => f.metadata.hardDeleteTime).filter((t): t is string => Boolean(t));
      return {
        objects: files.length,
        bytes: files.reduce((n, f) => n + Number(f.metadata.size ?? 0), 0),
        more: Boolean(next),
        ...(until.length ? { billedUntil: until.reduce((a, b) => (Date.parse(b) > Date.parse(a) ? b : a)) } : {}),
      };
    } catch (err) {
      throw gcsError(err, `listing soft-deleted objects of ${gsUrl(bucket)}`);
    }
  }
}

/** Whether the bucket already holds every value the patch sets. */
function patchApplied(s: BucketSettings, patch: BucketSettingsPatch): boolean {
  if (patch.labels && Object.entries(patch.labels).some(([k, v]) => (s.labels[k] ?? null) !== v)) return false;
  if (patch.versioning !== undefined && s.versioning !== patch.versioning) return false;
  if (patch.lifecycleRules && canonicalJson(s.lifecycleRules) !== canonicalJson(patch.lifecycleRules)) return false;
  if (
    patch.softDeleteRetentionSeconds !== undefined &&
    s.softDeletePolicy?.retentionDurationSeconds !== patch.softDeleteRetentionSeconds
  )
    return false;
  return true;
}

function toSettings(m: Record<string, unknown>): BucketSettings {
  const retention = m.retentionPolicy as
    { retentionPeriod?: string | number; isLocked?: boolean; effectiveTime?: string } | undefined;
  const softDelete = m.softDeletePolicy as
    { retentionDurationSeconds?: string | number; effectiveTime?: string } | undefined;
  return {
    name: String(m.name),
    metageneration: String(m.metageneration ?? ''),
    labels: (m.labels as Record<string, string>) ?? {},
    versioning: Boolean((m.versioning as { enabled?: boolean } | undefined)?.enabled),
    lifecycleRules: ((m.lifecycle as { rule?: LifecycleRule[] } | undefined)?.rule ?? []) as LifecycleRule[],
    ...(retention?.retentionPeriod !== undefined
      ? {
          retentionPolicy: {
            retentionPeriod: Number(retention.retentionPeriod),
            isLocked: Boolean(retention.isLocked),
            ...(retention.effectiveTime ? { effectiveTime: retention.effectiveTime } : {}),
          },
        }
      : {}),
    ...(softDelete
      ? {
          softDeletePolicy: {
            retentionDurationSeconds: Number(softDelete.retentionDurationSeconds ?? 0),
            ...(softDelete.effectiveTime ? { effectiveTime: softDelete.effectiveTime } : {}),
          },
        }
      : {}),
    defaultEventBasedHold: Boolean(m.defaultEventBasedHold),
  };
}
