import { describe, expect, it } from 'vitest';
import { compareBucket, liveBucketView } from '../../src/lib/verify/bucket-view.js';
import { bucketsInState } from '../../src/lib/verify/terraform-state.js';

/**
 * A google_storage_bucket as `terraform show -json` prints it: attributes per the google provider's
 * docs (registry.terraform.io/providers/hashicorp/google/latest/docs/resources/storage_bucket); blocks
 * are lists; unset optional attributes hold zero values.
 */
const parcels = {
  address: 'module.gateway.google_storage_bucket.parcels',
  mode: 'managed',
  type: 'google_storage_bucket',
  name: 'parcels',
  values: {
    name: 'gateway-prod-parcels-1a2b3c',
    location: 'europe-west1',
    storage_class: 'REGIONAL',
    labels: { team: 'gateway' },
    terraform_labels: { team: 'gateway', 'goog-terraform-provisioned': 'true' },
    effective_labels: { team: 'gateway', 'goog-terraform-provisioned': 'true', 'added-by-hand': 'x' },
    uniform_bucket_level_access: true,
    public_access_prevention: 'enforced',
    versioning: [],
    lifecycle_rule: [
      {
        action: [{ type: 'Delete', storage_class: '' }],
        condition: [
          {
            age: 90,
            created_before: '',
            matches_prefix: [],
            matches_storage_class: [],
            num_newer_versions: 0,
            send_age_if_zero: false,
            with_state: 'ANY',
          },
        ],
      },
      {
        action: [{ type: 'SetStorageClass', storage_class: 'COLDLINE' }],
        condition: [{ age: 0, send_age_if_zero: true, matches_storage_class: ['STANDARD'], with_state: 'LIVE' }],
      },
      {
        action: [{ type: 'Delete', storage_class: '' }],
        condition: [{ age: 0, num_newer_versions: 3, with_state: 'ARCHIVED', send_age_if_zero: false }],
      },
    ],
    retention_policy: [{ retention_period: 86400, is_locked: false }],
    soft_delete_policy: [{ retention_duration_seconds: 604800, effective_time: '2024-05-01T00:00:00Z' }],
  },
};

const showJson = { format_version: '1.0', values: { root_module: { child_modules: [{ resources: [parcels] }] } } };

/** The same bucket as the GCS JSON API returns it (cloud.google.com/storage/docs/json_api/v1/buckets#resource). */
const liveResource = () => ({
  kind: 'storage#bucket',
  name: 'gateway-prod-parcels-1a2b3c',
  location: 'EUROPE-WEST1',
  storageClass: 'REGIONAL',
  metageneration: '7',
  labels: { team: 'gateway', 'goog-terraform-provisioned': 'true' },
  iamConfiguration: { uniformBucketLevelAccess: { enabled: true }, publicAccessPrevention: 'enforced' },
  lifecycle: {
    rule: [
      {
        action: { type: 'SetStorageClass', storageClass: 'COLDLINE' },
        condition: { age: 0, matchesStorageClass: ['STANDARD'], isLive: true },
      },
      { action: { type: 'Delete' }, condition: { age: 90 } },
      { action: { type: 'Delete' }, condition: { numNewerVersions: 3, isLive: false } },
    ],
  },
  retentionPolicy: { retentionPeriod: '86400', effectiveTime: '2024-05-01T00:00:00Z', isLocked: false },
  softDeletePolicy: { retentionDurationSeconds: '604800', effectiveTime: '2024-05-01T00:00:00Z' },
});

describe('a Terraform state, in GCS JSON API terms', () => {
  it('reads terraform show -json (child modules included) and matches the live bucket, whatever the rule order', () => {
    const [bucket] = bucketsInState(showJson, 'state.json');
    expect(bucket!.address).toBe('module.gateway.google_storage_bucket.parcels');
    expect(bucket!.view.lifecycle).toEqual([
      { action: { type: 'Delete' }, condition: { age: 90 } },
      {
        action: { type: 'SetStorageClass', storageClass: 'COLDLINE' },
        condition: { age: 0, isLive: true, matchesStorageClass: ['STANDARD'] },
      },
      { action: { type: 'Delete' }, condition: { isLive: false, numNewerVersions: 3 } },
    ]);
    // terraform_labels, not effective_labels: a label added by hand is not code.
    expect(bucket!.view.labels).toEqual({ team: 'gateway', 'goog-terraform-provisioned': 'true' });
    expect(compareBucket(bucket!.view, liveBucketView(liveResource()))).toEqual([]);
  });

  it('reports each setting that differs with both values', () => {
    const [bucket] = bucketsInState(showJson, 'state.json');
    const live = liveResource();
    live.labels = { team: 'ops', 'goog-terraform-provisioned': 'true' };
    live.lifecycle.rule[1] = { action: { type: 'Delete' }, condition: { age: 30 } };
    Object.assign(live, { versioning: { enabled: true } });
    delete (live as Partial<typeof live>).retentionPolicy;
    live.softDeletePolicy.retentionDurationSeconds = '0';
    live.iamConfiguration.uniformBucketLevelAccess.enabled = false;
    const diffs = compareBucket(bucket!.view, liveBucketView(live));
    expect(diffs.map((d) => [d.field, d.code, d.live])).toEqual([
      ['labels[team]', 'gateway', 'ops'],
      ['versioning.enabled', false, true],
      ['lifecycle.rule', expect.any(Array), expect.any(Array)],
      ['retentionPolicy', { retentionPeriod: 86400, isLocked: false }, null],
      ['softDeletePolicy.retentionDurationSeconds', 604800, 0],
      ['iamConfiguration.uniformBucketLevelAccess.enabled', true, false],
    ]);
  });

  it('reads a raw state (terraform state pull), with for_each keys in the address', () => {
    const raw = {
      version: 4,
      resources: [
        {
          module: 'module.gateway',
          mode: 'managed',
          type: 'google_storage_bucket',
          name: 'extra',
          instances: [
            { index_key: 'logs', attributes: { name: 'gateway-prod-logs', versioning: [{ enabled: true }] } },
          ],
        },
        { mode: 'managed', type: 'google_storage_bucket_iam_binding', name: 'x', instances: [] },
      ],
    };
    expect(bucketsInState(raw, 'tfstate')).toEqual([
      {
        address: 'module.gateway.google_storage_bucket.extra["logs"]',
        name: 'gateway-prod-logs',
        view: { versioning: true },
      },
    ]);
  });

  it('refuses a plan, and what is not a state, with one line saying what to run', () => {
    expect(() => bucketsInState({ planned_values: {} }, 'plan.json')).toThrow(/a plan, not a state/);
    expect(() => bucketsInState([], 'x.json')).toThrow(/not a Terraform state/);
    expect(() => bucketsInState({ hello: 1 }, 'x.json')).toThrow(/no "values"/);
  });
});
