type Fields = Record<string, unknown>;
const isObject = (v: unknown): v is Fields => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A lifecycle rule in the GCS JSON API's words, with only the conditions that are set. */
export interface LifecycleRuleView {
  action: { type: string; storageClass?: string };
  condition: Fields;
}

/**
 * The bucket settings `verify infra` compares, in GCS JSON API terms; a field left undefined is not
 * compared (the code does not say). `retentionPolicy: null` means the code says: none.
 */
export interface BucketView {
  location?: string;
  storageClass?: string;
  labels?: Record<string, string>;
  versioning?: boolean;
  lifecycle?: LifecycleRuleView[];
  retentionPolicy?: { retentionPeriod: number; isLocked: boolean } | null;
  softDeleteSeconds?: number;
  uniformBucketLevelAccess?: boolean;
  publicAccessPrevention?: string;
  defaultEventBasedHold?: boolean;
}

/** The `storage#bucket` resource as a BucketView; absent fields take the API's defaults. */
export function liveBucketView(m: Fields): Required<BucketView> {
  const iam = isObject(m.iamConfiguration) ? m.iamConfiguration : {};
  const retention = isObject(m.retentionPolicy) ? m.retentionPolicy : undefined;
  const softDelete = isObject(m.softDeletePolicy) ? m.softDeletePolicy : undefined;
  const rules = isObject(m.lifecycle) && Array.isArray(m.lifecycle.rule) ? m.lifecycle.rule.filter(isObject) : [];
  return {
    location: String(m.location ?? '').toUpperCase(),
    storageClass: String(m.storageClass ?? 'STANDARD'),
    labels: isObject(m.labels) ? Object.fromEntries(Object.entries(m.labels).map(([k, v]) => [k, String(v)])) : {},
    versioning: Boolean(isObject(m.versioning) && m.versioning.enabled),
    lifecycle: rules.map(liveRule),
    retentionPolicy: retention
      ? { retentionPeriod: Number(retention.retentionPeriod), isLocked: Boolean(retention.isLocked) }
      : null,
    softDeleteSeconds: Number(softDelete?.retentionDurationSeconds ?? 0),
    uniformBucketLevelAccess: Boolean(isObject(iam.uniformBucketLevelAccess) && iam.uniformBucketLevelAccess.enabled),
    publicAccessPrevention: typeof iam.publicAccessPrevention === 'string' ? iam.publicAccessPrevention : 'inherited',
    defaultEventBasedHold: Boolean(m.defaultEventBasedHold),
  };
}

/** The JSON API's rule with empty lists dropped, the way Terraform's rules are read. */
function liveRule(r: Fields): LifecycleRuleView {
  const action = isObject(r.action) ? r.action : {};
  const condition = Object.fromEntries(
    Object.entries(isObject(r.condition) ? r.condition : {}).filter(([, v]) => !(Array.isArray(v) && v.length === 0)),
  );
  return {
    action: {
      type: String(action.type ?? ''),
      ...(action.storageClass ? { storageClass: String(action.storageClass) } : {}),
    },
    condition,
  };
}

export interface BucketFieldDiff {
  /** `versioning.enabled`, `labels[gwctl-protected]`, `lifecycle.rule`, … in GCS JSON API terms. */
  field: string;
  code: unknown;
  live: unknown;
}

/** Where the code and the live bucket differ, field by field (labels key by key, lifecycle rules as a set). */
export function compareBucket(code: BucketView, live: Required<BucketView>): BucketFieldDiff[] {
  const out: BucketFieldDiff[] = [];
  const scalar = (field: string, c: unknown, l: unknown) => {
    if (c !== undefined && c !== l) out.push({ field, code: c, live: l });
  };
  scalar('location', code.location, live.location);
  scalar('storageClass', code.storageClass, live.storageClass);
  if (code.labels)
    for (const key of [...new Set([...Object.keys(code.labels), ...Object.keys(live.labels)])].sort())
      if (code.labels[key] !== live.labels[key])
        out.push({ field: `labels[${key}]`, code: code.labels[key], live: live.labels[key] });
  scalar('versioning.enabled', code.versioning, live.versioning);
  if (code.lifecycle && !sameRules(code.lifecycle, live.lifecycle))
    out.push({ field: 'lifecycle.rule', code: code.lifecycle, live: live.lifecycle });
  if (code.retentionPolicy !== undefined && canonical(code.retentionPolicy) !== canonical(live.retentionPolicy))
    out.push({ field: 'retentionPolicy', code: code.retentionPolicy, live: live.retentionPolicy });
  scalar('softDeletePolicy.retentionDurationSeconds', code.softDeleteSeconds, live.softDeleteSeconds);
  scalar(
    'iamConfiguration.uniformBucketLevelAccess.enabled',
    code.uniformBucketLevelAccess,
    live.uniformBucketLevelAccess,
  );
  scalar('iamConfiguration.publicAccessPrevention', code.publicAccessPrevention, live.publicAccessPrevention);
  scalar('defaultEventBasedHold', code.defaultEventBasedHold, live.defaultEventBasedHold);
  return out;
}

/** Rule order does not change what lifecycle management does, so rules compare as a multiset. */
export function sameRules(a: LifecycleRuleView[], b: LifecycleRuleView[]): boolean {
  const key = (rules: LifecycleRuleView[]) => rules.map(canonical).sort().join('\n');
  return a.length === b.length && key(a) === key(b);
}

function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (!isObject(v)) return JSON.stringify(v) ?? 'null';
  return `{${Object.keys(v)
    .filter((k) => v[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`)
    .join(',')}}`;
}
