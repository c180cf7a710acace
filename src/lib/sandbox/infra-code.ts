import { dirname } from 'node:path';
import { makePrivateDir, replacePrivateFile } from '@gwctl/emulators/common';
import { stringify } from 'yaml';
import { PROTECTED_LABEL, VAULT_SOFT_DELETE_SECONDS } from '../protection/buckets.js';
import { protectionBinding, protectionPolicy } from '../protection/kube-policy.js';
import { SANDBOX_BUCKETS } from './environment.js';
import { sandboxFiles } from './paths.js';
import { SEED } from './seed-data.js';
import { seedKubeObjects } from './seed-kube.js';

interface BucketCode {
  /** The Terraform resource name (`google_storage_bucket.<name>`). */
  resource: string;
  name: string;
  lifecycle?: { type: string; age: number }[];
  versioning: boolean;
}

/**
 * The sandbox's buckets as its Terraform declares them (the shape of relaycorp's
 * terraform-google-awala-gateway gcs.tf): one region, uniform bucket-level access, GCS's default
 * 7 days of soft delete, and the protection label `gwctl env protect` puts on a protected environment.
 */
export const SANDBOX_BUCKET_CODE: BucketCode[] = [
  {
    resource: 'parcels',
    name: SANDBOX_BUCKETS.parcels,
    lifecycle: [{ type: 'Delete', age: 2 }],
    versioning: false,
  },
  { resource: 'vault', name: SANDBOX_BUCKETS.vault, versioning: true },
  { resource: 'backups', name: SANDBOX_BUCKETS.backups, versioning: false },
];

const LOCATION = 'EUROPE-WEST1';

/** The bucket as `storage.createBucket` creates it: everything but the protection label, which protecting adds. */
export function bucketInsertBody(b: BucketCode): Record<string, unknown> {
  return {
    location: LOCATION,
    storageClass: 'STANDARD',
    iamConfiguration: { uniformBucketLevelAccess: { enabled: true } },
    softDeletePolicy: { retentionDurationSeconds: VAULT_SOFT_DELETE_SECONDS },
    ...(b.versioning ? { versioning: { enabled: true } } : {}),
    ...(b.lifecycle
      ? { lifecycle: { rule: b.lifecycle.map((r) => ({ action: { type: r.type }, condition: { age: r.age } })) } }
      : {}),
  };
}

/** The state as `terraform show -json` prints it (format 1.0), with the attributes the google provider stores. */
export function sandboxTerraformState(): Record<string, unknown> {
  const labels = { [PROTECTED_LABEL]: 'true' };
  return {
    format_version: '1.0',
    terraform_version: '1.9.8',
    values: {
      root_module: {
        child_modules: [
          {
            address: 'module.gateway',
            resources: SANDBOX_BUCKET_CODE.map((b) => ({
              address: `module.gateway.google_storage_bucket.${b.resource}`,
              mode: 'managed',
              type: 'google_storage_bucket',
              name: b.resource,
              provider_name: 'registry.terraform.io/hashicorp/google',
              schema_version: 3,
              values: {
                name: b.name,
                project: 'gwctl-sandbox',
                location: LOCATION,
                storage_class: 'STANDARD',
                force_destroy: false,
                labels,
                terraform_labels: labels,
                effective_labels: labels,
                uniform_bucket_level_access: true,
                public_access_prevention: 'inherited',
                default_event_based_hold: false,
                versioning: [{ enabled: b.versioning }],
                lifecycle_rule: (b.lifecycle ?? []).map((r) => ({
                  action: [{ type: r.type, storage_class: '' }],
                  condition: [
                    {
                      age: r.age,
                      created_before: '',
                      custom_time_before: '',
                      days_since_custom_time: 0,
                      days_since_noncurrent_time: 0,
                      matches_prefix: [],
                      matches_storage_class: [],
                      matches_suffix: [],
                      noncurrent_time_before: '',
                      num_newer_versions: 0,
                      send_age_if_zero: false,
                      send_days_since_custom_time_if_zero: false,
                      send_days_since_noncurrent_time_if_zero: false,
                      send_num_newer_versions_if_zero: false,
                      with_state: 'ANY',
                    },
                  ],
                })),
                retention_policy: [],
                soft_delete_policy: [{ retention_duration_seconds: VAULT_SOFT_DELETE_SECONDS, effective_time: '' }],
              },
              sensitive_values: {},
            })),
          },
        ],
      },
    },
  };
}

/** The rendered manifests of the sandbox's cluster (as `helm template` would print them), its protection included. */
export function sandboxManifests(): string {
  const docs = [...seedKubeObjects(), protectionPolicy('sandbox'), protectionBinding('sandbox', SEED.namespace)];
  return [
    '# The sandbox gateway as its infrastructure code renders it: what `gwctl verify infra --env sandbox` compares with.\n',
    ...docs.map((d) => `---\n${stringify(d, { lineWidth: 0, aliasDuplicateObjects: false })}`),
  ].join('');
}

/** Writes the code the sandbox is built from next to it, where the built-in environment's `infra` points. */
export function writeSandboxCode(dir: string): void {
  const files = sandboxFiles(dir);
  // Like everything in the sandbox's directory, its owner's only.
  makePrivateDir(dirname(files.manifests));
  replacePrivateFile(files.manifests, sandboxManifests());
  replacePrivateFile(files.terraformState, `${JSON.stringify(sandboxTerraformState(), null, 2)}\n`);
}
