import { describe, expect, it } from 'vitest';
import type { Environment } from '../../src/lib/config/schema.js';
import { backupLocation } from '../../src/lib/backup/layout.js';
import {
  bucketsOf,
  defaultRestoreBucket,
  inPlaceTarget,
  restoreTargetBucket,
} from '../../src/lib/backup/restore-target.js';

const env = {
  name: 'prod',
  source: 'gwctl.yaml',
  buckets: {
    parcels: 'gateway-prod-parcels-1a2b3c',
    vault: 'relaycorp-gateway-prod-vault',
    backups: 'relaycorp-gateway-prod-backups',
  },
  extraBuckets: ['gateway-prod-extra'],
} as unknown as Environment;

describe('where a restore may write', () => {
  const vault = backupLocation(env, 'vault');
  const parcels = backupLocation(env, 'parcels');

  it('a new bucket, by name or gs:// URL', () => {
    expect(restoreTargetBucket(env, vault, 'vault-restored')).toBe('vault-restored');
    expect(restoreTargetBucket(env, vault, 'gs://vault-restored')).toBe('vault-restored');
  });

  it('never the backed-up bucket (that is --in-place), the backup bucket, or another bucket of the environment', () => {
    expect(() => restoreTargetBucket(env, vault, 'vault')).toThrow(/backed-up bucket itself: .*--in-place/);
    expect(() => restoreTargetBucket(env, vault, 'gs://relaycorp-gateway-prod-vault')).toThrow(/backed-up bucket/);
    expect(() => restoreTargetBucket(env, vault, 'backups')).toThrow(/the backup bucket/);
    expect(() => restoreTargetBucket(env, vault, 'parcels')).toThrow(/the parcels bucket of environment "prod"/);
    // A parcels backup restored into Vault's storage would be no better.
    expect(() => restoreTargetBucket(env, parcels, 'vault')).toThrow(/the Vault bucket of environment "prod"/);
    expect(() => restoreTargetBucket(env, vault, 'gateway-prod-extra')).toThrow(/extraBuckets/);
  });

  it("nor another environment's bucket: staging's backup never lands in prod's Vault", () => {
    const staging = {
      ...env,
      name: 'staging',
      buckets: { vault: 'relaycorp-gateway-staging-vault', backups: 'relaycorp-gateway-staging-backups' },
      extraBuckets: [],
    } as unknown as Environment;
    const others = bucketsOf([env, staging]);
    expect(() =>
      restoreTargetBucket(staging, backupLocation(staging, 'vault'), 'gs://relaycorp-gateway-prod-vault', others),
    ).toThrow(
      /gs:\/\/relaycorp-gateway-prod-vault, the vault bucket of environment "prod": a restore of "staging"'s backup must not/,
    );
    expect(() => inPlaceTarget(staging, backupLocation(staging, 'relaycorp-gateway-prod-vault'), others)).toThrow(
      /--in-place would write into .*environment "prod"/,
    );
    expect(restoreTargetBucket(staging, backupLocation(staging, 'vault'), 'vault-restored', others)).toBe(
      'vault-restored',
    );
  });

  it('by default a new bucket named after the backup, when that is a valid name', () => {
    expect(defaultRestoreBucket(env, vault, '20250601T120000Z-abcdef')).toBe(
      'relaycorp-gateway-prod-vault-restore-20250601t120000z',
    );
    const long = backupLocation(env, 'x'.repeat(50));
    expect(() => defaultRestoreBucket(env, long, '20250601T120000Z-abcdef')).toThrow(/pass --to-bucket/);
  });
});
