import { describe, expect, it } from 'vitest';
import type { LifecycleRule } from '../../src/lib/cloud/buckets.js';
import { backupBucketWarnings, deletesBackups } from '../../src/lib/backup/bucket-guard.js';
import type { BackupLocation } from '../../src/lib/backup/layout.js';

const loc: BackupLocation = {
  env: 'prod',
  sourceBucket: 'relaycorp-gateway-prod-vault',
  backupBucket: 'relaycorp-gateway-prod-backups',
  prefix: 'relaycorp-gateway-prod-vault/',
};
const rule = (condition: LifecycleRule['condition'], type = 'Delete'): LifecycleRule => ({
  action: { type },
  condition,
});
const DAY = 86_400_000;

// Lifecycle conditions as documented in https://cloud.google.com/storage/docs/lifecycle#conditions
describe('which lifecycle rules delete backups', () => {
  it.each([
    [{ age: 30 }],
    [{ createdBefore: '2025-01-01' }],
    [{ age: 1, isLive: true }],
    [{ age: 7, matchesPrefix: ['relaycorp-gateway-prod-vault/blobs/'] }],
    [{ age: 7, matchesPrefix: ['relay'] }],
    [{ age: 7, matchesSuffix: ['.json'] }],
    [{ age: 7, matchesStorageClass: ['STANDARD'] }],
  ])('Delete %j does', (condition) => {
    expect(deletesBackups(rule(condition), loc)).toBe(true);
  });

  it.each([
    [rule({ numNewerVersions: 3 })],
    [rule({ age: 30, isLive: false })],
    [rule({ daysSinceNoncurrentTime: 7 })],
    [rule({ age: 1, matchesPrefix: ['tmp/', 'gateway-prod-parcels-1a2b3c/'] })],
    [rule({ age: 30 }, 'SetStorageClass')],
  ])('%j does not', (r) => {
    expect(deletesBackups(r, loc)).toBe(false);
  });
});

describe('warnings about the backup bucket', () => {
  const now = new Date('2025-06-30T00:00:00Z');
  const oldest = { id: '20250601T000000Z-abcdef', completedAt: '2025-06-01T00:00:00Z' };

  it('says what a Delete rule loses and what to do instead', () => {
    const [w, ...rest] = backupBucketWarnings(
      loc,
      { lifecycleRules: [rule({ numNewerVersions: 1 }), rule({ age: 14 })] },
      oldest,
      now,
    );
    expect(rest).toEqual([]);
    expect(w).toMatch(
      /^gs:\/\/relaycorp-gateway-prod-backups has lifecycle rule 2 \(objects are deleted 14 days after creation\)/,
    );
    expect(w).toMatch(/no longer restore.*gwctl backup prune --older-than <age>/);
  });

  it('a retention policy shorter than the oldest kept backup no longer protects what it needs', () => {
    const policy = (days: number) => ({ retentionPeriod: days * 86_400, isLocked: false });
    expect(backupBucketWarnings(loc, { lifecycleRules: [], retentionPolicy: policy(30) }, oldest, now)).toEqual([]);
    expect(backupBucketWarnings(loc, { lifecycleRules: [], retentionPolicy: policy(7) }, oldest, now)).toEqual([
      expect.stringMatching(
        /retention policy of 7 days, shorter than its oldest kept backup \(20250601T000000Z-abcdef, 29 days old\)/,
      ),
    ]);
    expect(
      backupBucketWarnings(
        loc,
        { lifecycleRules: [], retentionPolicy: policy(7) },
        undefined,
        new Date(now.getTime() + DAY),
      ),
    ).toEqual([]);
  });
});
