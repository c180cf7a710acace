import type { BucketSettings } from '../cloud/buckets.js';
import type { Environment } from '../config/schema.js';
import { gsUrl } from '../config/gs-url.js';

/** The label that marks a bucket as protected; deprovision refuses while any bucket carries it. */
export const PROTECTED_LABEL = 'gwctl-protected';
/** Soft delete on the Vault bucket while protected: GCS's minimum non-zero window. */
export const VAULT_SOFT_DELETE_SECONDS = 7 * 86_400;

export type BucketRole = 'parcels' | 'vault' | 'backups' | 'extra';

export interface EnvBucket {
  name: string;
  role: BucketRole;
}

/** Every bucket of the environment: the three roles, then `extraBuckets`, each once. */
export function environmentBuckets(env: Environment): EnvBucket[] {
  const out: EnvBucket[] = [];
  const add = (name: string | undefined, role: BucketRole) => {
    if (name && !out.some((b) => b.name === name)) out.push({ name, role });
  };
  add(env.buckets.parcels, 'parcels');
  add(env.buckets.vault, 'vault');
  add(env.buckets.backups, 'backups');
  for (const b of env.extraBuckets) add(b, 'extra');
  return out;
}

/** A bucket as read: its settings, or absent (never created, or already destroyed). */
export interface BucketReading extends EnvBucket {
  settings?: BucketSettings;
}

export const isLabelled = (s: BucketSettings) => s.labels[PROTECTED_LABEL] === 'true';
export const vaultHardened = (s: BucketSettings) =>
  s.versioning && (s.softDeletePolicy?.retentionDurationSeconds ?? 0) >= VAULT_SOFT_DELETE_SECONDS;

export interface BucketProtection {
  labelled: string[];
  unlabelled: string[];
  absent: string[];
  /** The Vault bucket has versioning and at least 7 days of soft delete. */
  vaultHardened?: boolean;
  problems: string[];
}

export function classifyBucketProtection(buckets: BucketReading[]): BucketProtection {
  const present = buckets.filter((b) => b.settings);
  const labelled = present.filter((b) => isLabelled(b.settings!)).map((b) => b.name);
  const unlabelled = present.filter((b) => !isLabelled(b.settings!)).map((b) => b.name);
  const absent = buckets.filter((b) => !b.settings).map((b) => b.name);
  const vault = present.find((b) => b.role === 'vault');
  const problems: string[] = [];
  // Only a partly applied protection is a problem; an unprotected environment's Vault settings are its own business.
  if (labelled.length > 0) {
    for (const name of unlabelled) problems.push(`${gsUrl(name)} lacks the ${PROTECTED_LABEL}=true label`);
    if (vault && !vault.settings!.versioning) problems.push(`${gsUrl(vault.name)} (vault): versioning is off`);
    if (vault && (vault.settings!.softDeletePolicy?.retentionDurationSeconds ?? 0) < VAULT_SOFT_DELETE_SECONDS)
      problems.push(`${gsUrl(vault.name)} (vault): soft delete is under 7 days`);
  }
  return {
    labelled,
    unlabelled,
    absent,
    ...(vault ? { vaultHardened: vaultHardened(vault.settings!) } : {}),
    problems,
  };
}
