import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { UsageError } from '../errors/gwctl-error.js';
import type { BucketView, LifecycleRuleView } from './bucket-view.js';

type Fields = Record<string, unknown>;
const isObject = (v: unknown): v is Fields => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A `google_storage_bucket` of the Terraform state: its address and its settings in GCS JSON API terms. */
export interface CodeBucket {
  /** `module.gateway.google_storage_bucket.parcels`. */
  address: string;
  name: string;
  view: BucketView;
}

export interface TerraformStateFile {
  buckets: CodeBucket[];
  sha256: string;
}

/**
 * Reads `terraform show -json` output (https://developer.hashicorp.com/terraform/internals/json-format:
 * `values.root_module.resources[]` and `child_modules`), or the raw state (`terraform state pull`,
 * format version 4: `resources[].instances[].attributes`).
 */
export function readTerraformState(file: string): TerraformStateFile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(`${file}: cannot read the Terraform state (${(err as NodeJS.ErrnoException).code ?? err})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new UsageError(`${file}: not JSON; produce it with \`terraform show -json > ${file}\``);
  }
  return { buckets: bucketsInState(json, file), sha256: createHash('sha256').update(text).digest('hex') };
}

export function bucketsInState(json: unknown, file: string): CodeBucket[] {
  if (!isObject(json)) throw new UsageError(`${file}: not a Terraform state`);
  if (isObject(json.planned_values) && !isObject(json.values))
    throw new UsageError(`${file}: this is a plan, not a state; run \`terraform show -json\` without a plan file`);
  const found: { address: string; values: Fields }[] = [];
  if (isObject(json.values)) {
    if (isObject(json.values.root_module)) walkModule(json.values.root_module, found);
  } else if (Array.isArray(json.resources)) {
    for (const r of json.resources.filter(isObject)) {
      if (r.mode !== 'managed' || r.type !== 'google_storage_bucket') continue;
      const prefix = typeof r.module === 'string' ? `${r.module}.` : '';
      // Raw state has no addresses: they are rebuilt as Terraform prints them (count/for_each keys included).
      const instances = (Array.isArray(r.instances) ? r.instances : []).filter(isObject);
      for (const inst of instances)
        if (isObject(inst.attributes)) {
          const key = inst.index_key === undefined ? '' : `[${JSON.stringify(inst.index_key)}]`;
          found.push({ address: `${prefix}google_storage_bucket.${String(r.name)}${key}`, values: inst.attributes });
        }
    }
  } else throw new UsageError(`${file}: no "values" (terraform show -json) nor "resources" (raw state) in it`);
  return found.map(({ address, values }) => {
    if (typeof values.name !== 'string')
      throw new UsageError(`${file}: ${address} has no name; is the state complete?`);
    return { address, name: values.name, view: bucketViewFromTerraform(values) };
  });
}

function walkModule(module: Fields, out: { address: string; values: Fields }[]): void {
  for (const r of (Array.isArray(module.resources) ? module.resources : []).filter(isObject))
    if (r.mode === 'managed' && r.type === 'google_storage_bucket' && isObject(r.values))
      out.push({ address: String(r.address), values: r.values });
  for (const child of (Array.isArray(module.child_modules) ? module.child_modules : []).filter(isObject))
    walkModule(child, out);
}

const first = (v: unknown): Fields | undefined => (Array.isArray(v) && isObject(v[0]) ? v[0] : undefined);

/**
 * The google provider's attributes (registry.terraform.io/providers/hashicorp/google, resource
 * google_storage_bucket) in GCS JSON API terms. Attributes the state does not hold are not compared.
 * Labels: `terraform_labels` (the configuration's plus provider-wide defaults, such as
 * goog-terraform-provisioned), else `labels`.
 */
export function bucketViewFromTerraform(v: Fields): BucketView {
  const view: BucketView = {};
  if (typeof v.location === 'string') view.location = v.location.toUpperCase();
  if (typeof v.storage_class === 'string' && v.storage_class) view.storageClass = v.storage_class;
  const labels = isObject(v.terraform_labels) ? v.terraform_labels : isObject(v.labels) ? v.labels : undefined;
  if (labels) view.labels = Object.fromEntries(Object.entries(labels).map(([k, x]) => [k, String(x)]));
  else if (v.labels === null) view.labels = {};
  if (Array.isArray(v.versioning)) view.versioning = Boolean(first(v.versioning)?.enabled);
  if (Array.isArray(v.lifecycle_rule)) view.lifecycle = v.lifecycle_rule.filter(isObject).map(lifecycleRule);
  if (Array.isArray(v.retention_policy)) {
    const p = first(v.retention_policy);
    view.retentionPolicy = p ? { retentionPeriod: Number(p.retention_period), isLocked: Boolean(p.is_locked) } : null;
  }
  if (Array.isArray(v.soft_delete_policy) && first(v.soft_delete_policy))
    view.softDeleteSeconds = Number(first(v.soft_delete_policy)!.retention_duration_seconds ?? 0);
  if (typeof v.uniform_bucket_level_access === 'boolean') view.uniformBucketLevelAccess = v.uniform_bucket_level_access;
  if (typeof v.public_access_prevention === 'string' && v.public_access_prevention)
    view.publicAccessPrevention = v.public_access_prevention;
  if (typeof v.default_event_based_hold === 'boolean') view.defaultEventBasedHold = v.default_event_based_hold;
  return view;
}

/**
 * A `lifecycle_rule` block as the JSON API's rule. The provider leaves zeros out of the request
 * (age 0 only with send_age_if_zero, and likewise for the other counts) and maps with_state
 * LIVE/ARCHIVED to isLive; ANY says nothing.
 */
function lifecycleRule(r: Fields): LifecycleRuleView {
  const a = first(r.action) ?? {};
  const c = first(r.condition) ?? {};
  const condition: Fields = {};
  const count = (field: string, apiName: string, sendIfZero?: string) => {
    const n = c[field];
    if (typeof n === 'number' && (n > 0 || (n === 0 && sendIfZero && c[sendIfZero] === true))) condition[apiName] = n;
  };
  const date = (field: string, apiName: string) => {
    if (typeof c[field] === 'string' && c[field]) condition[apiName] = c[field];
  };
  const list = (field: string, apiName: string) => {
    if (Array.isArray(c[field]) && c[field].length > 0) condition[apiName] = c[field];
  };
  count('age', 'age', 'send_age_if_zero');
  date('created_before', 'createdBefore');
  if (c.with_state === 'LIVE') condition.isLive = true;
  if (c.with_state === 'ARCHIVED') condition.isLive = false;
  list('matches_storage_class', 'matchesStorageClass');
  list('matches_prefix', 'matchesPrefix');
  list('matches_suffix', 'matchesSuffix');
  count('num_newer_versions', 'numNewerVersions', 'send_num_newer_versions_if_zero');
  date('custom_time_before', 'customTimeBefore');
  count('days_since_custom_time', 'daysSinceCustomTime', 'send_days_since_custom_time_if_zero');
  count('days_since_noncurrent_time', 'daysSinceNoncurrentTime', 'send_days_since_noncurrent_time_if_zero');
  date('noncurrent_time_before', 'noncurrentTimeBefore');
  return {
    action: {
      type: String(a.type ?? ''),
      ...(typeof a.storage_class === 'string' && a.storage_class ? { storageClass: a.storage_class } : {}),
    },
    condition,
  };
}
