import type { BucketMetadataReader } from '../cloud/bucket-metadata.js';
import { WHOLE_OBJECT, type Drift } from './drift.js';
import { compareBucket, liveBucketView } from './bucket-view.js';
import type { CodeBucket } from './terraform-state.js';
import { gsUrl } from '../config/gs-url.js';

export interface BucketVerification {
  drifts: Drift[];
  compared: number;
  liveView: Record<string, unknown>;
}

/**
 * The cloud half of `verify infra`: each bucket of the Terraform state read once and compared; and
 * the buckets gwctl.yaml gives the environment (its roles and extraBuckets) that exist but that no
 * Terraform resource declares.
 */
export async function verifyBuckets(opts: {
  reader: BucketMetadataReader;
  code: CodeBucket[];
  /** The environment's buckets from gwctl.yaml, with their role. */
  environmentBuckets: { name: string; role: string }[];
}): Promise<BucketVerification> {
  const declared = new Set(opts.code.map((b) => b.name));
  const undeclared = opts.environmentBuckets.filter((b) => !declared.has(b.name));
  const [codeMeta, extraMeta] = await Promise.all([
    Promise.all(opts.code.map((b) => opts.reader.metadata(b.name))),
    Promise.all(undeclared.map((b) => opts.reader.metadata(b.name))),
  ]);
  const drifts: Drift[] = [];
  const liveView: Record<string, unknown> = {};
  opts.code.forEach((b, i) => {
    const object = gsUrl(b.name);
    const meta = codeMeta[i];
    if (!meta) {
      drifts.push({
        kind: 'missing',
        object,
        field: WHOLE_OBJECT,
        code: `declared by ${b.address}`,
        source: b.address,
      });
      return;
    }
    const live = liveBucketView(meta);
    liveView[object] = live;
    for (const d of compareBucket(b.view, live))
      drifts.push({ kind: 'changed', object, field: d.field, code: d.code, live: d.live, source: b.address });
  });
  undeclared.forEach((b, i) => {
    if (extraMeta[i])
      drifts.push({
        kind: 'undeclared',
        object: gsUrl(b.name),
        field: WHOLE_OBJECT,
        live: `exists (the environment's ${b.role} bucket in gwctl.yaml)`,
      });
  });
  return { drifts, compared: opts.code.length, liveView };
}
