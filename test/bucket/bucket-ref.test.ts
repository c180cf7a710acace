import { describe, expect, it } from 'vitest';
import { bucketNameProblem } from '../../src/lib/config/bucket-name.js';
import type { Environment } from '../../src/lib/config/schema.js';
import { resolveBucket } from '../../src/lib/lifecycle/bucket-ref.js';

// The rules are Cloud Storage's: https://cloud.google.com/storage/docs/buckets#naming
describe('GCS bucket names', () => {
  it.each([
    'relaycorp-gateway-prod-vault',
    'gateway-prod-parcels-1a2b3c',
    'a_b',
    '123',
    'backups.example.com',
    `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}`,
  ])('%s is a bucket name', (name) => {
    expect(bucketNameProblem(name)).toBeUndefined();
  });

  it.each([
    ['Vault', /lowercase/],
    ['with space', /lowercase/],
    ['gs://vault', /lowercase/],
    ['-vault', /start and end/],
    ['vault_', /start and end/],
    ['ab', /3 to 63/],
    ['a'.repeat(64), /3 to 63/],
    [`${'a'.repeat(64)}.com`, /each dot-separated part/],
    ['a..b', /each dot-separated part/],
    [`${'a'.repeat(60)}.`.repeat(4).slice(0, -1) + 'xyz', /3 to 222/],
    ['192.168.5.4', /IP address/],
    ['goog-backups', /"goog"/],
    ['my-google-backups', /"google"/],
    ['my-g00gle-backups', /"google"/],
  ])('%s is not', (name, why) => {
    expect(bucketNameProblem(name)).toMatch(why);
  });
});

describe('one reading of a bucket argument', () => {
  const env = {
    name: 'prod',
    source: 'gwctl.yaml',
    buckets: { vault: 'relaycorp-gateway-prod-vault', backups: 'relaycorp-gateway-prod-backups' },
    extraBuckets: [],
  } as unknown as Environment;

  it('a role, a name and a gs:// URL of one bucket are that bucket, with its role', () => {
    for (const given of [
      'vault',
      'relaycorp-gateway-prod-vault',
      'gs://relaycorp-gateway-prod-vault',
      'gs://relaycorp-gateway-prod-vault/',
    ])
      expect(resolveBucket(env, given)).toEqual({ name: 'relaycorp-gateway-prod-vault', role: 'vault' });
  });

  it('a URL always names a bucket: gs://vault is the bucket called "vault", not the role', () => {
    expect(resolveBucket(env, 'gs://vault')).toEqual({ name: 'vault' });
  });

  it('refuses object paths and names GCS would refuse, naming the flag', () => {
    expect(() => resolveBucket(env, 'gs://some-bucket/some/object', '--to-bucket')).toThrow(
      /--to-bucket gs:\/\/some-bucket\/some\/object names objects in a bucket/,
    );
    expect(() => resolveBucket(env, 'gs://gs://some-bucket', '--to-bucket')).toThrow(/nor a GCS bucket name/);
    expect(() => resolveBucket(env, 'goog-bucket')).toThrow(/--bucket "goog-bucket".*"goog"/);
  });
});
