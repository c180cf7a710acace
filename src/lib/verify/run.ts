import type { AuditRecord } from '../audit/record.js';
import { canonicalJson, sha256 } from '../audit/record.js';
import type { BucketMetadataReader } from '../cloud/bucket-metadata.js';
import type { ClusterReader } from '../cloud/kube-inventory.js';
import type { Environment } from '../config/schema.js';
import { environmentBuckets } from '../protection/buckets.js';
import { explainDrift } from './attribution.js';
import { verifyBuckets } from './buckets.js';
import type { Drift, Ignored } from './drift.js';
import { verifyKubernetes } from './kubernetes.js';
import { readManifests } from './manifests.js';
import { readTerraformState } from './terraform-state.js';

export interface VerifyOptions {
  env: Environment;
  /** Absolute paths, already resolved (flags, else gwctl.yaml's `infra`). */
  manifests?: string;
  terraformState?: string;
  /** Kinds neither compared nor listed (e.g. Secret, for a verifier not allowed to read them). */
  skipKinds: string[];
}

/** The I/O `verifyInfra` needs, so tests and the CLI can hand it real clients (or none). */
export interface VerifyDeps {
  cluster: () => Promise<ClusterReader>;
  buckets: () => Promise<BucketMetadataReader>;
  auditRecords: () => Promise<readonly AuditRecord[]>;
}

export interface VerifyReport {
  env: string;
  /** `clean`: live is what the code says; `drift`: it is not (exit 3). */
  result: 'clean' | 'drift';
  drifts: Drift[];
  counts: {
    drifts: number;
    unexplained: number;
    kubeObjects: number;
    listed: number;
    listCalls: number;
    buckets: number;
  };
  namespaces: string[];
  ignored: Ignored[];
  /** Declared, but not compared: helm hooks, generateName objects. */
  skipped: { source: string; reason: string }[];
  /** What the code was: every file read with its SHA-256. */
  code: {
    manifests?: { path: string; files: { path: string; sha256: string }[] };
    terraformState?: { path: string; sha256: string };
  };
  /** SHA-256 of the code compared and of the live values compared (only the fields the code sets). */
  digests: { code: string; live: string };
}

/**
 * Compares the live environment with its code: the manifests' Kubernetes objects and the Terraform
 * state's buckets, each side only if given. Every drift is attributed to the gwctl change that
 * explains it, if any.
 */
export async function verifyInfra(opts: VerifyOptions, deps: VerifyDeps): Promise<VerifyReport> {
  const manifests = opts.manifests ? readManifests(opts.manifests) : undefined;
  const state = opts.terraformState ? readTerraformState(opts.terraformState) : undefined;
  const [kube, cloud] = await Promise.all([
    manifests
      ? deps.cluster().then((reader) =>
          verifyKubernetes({
            reader,
            declared: manifests.objects,
            namespace: opts.env.kube.namespace,
            skipKinds: opts.skipKinds,
          }),
        )
      : undefined,
    state
      ? deps
          .buckets()
          .then((reader) =>
            verifyBuckets({ reader, code: state.buckets, environmentBuckets: environmentBuckets(opts.env) }),
          )
      : undefined,
  ]);
  const records = await deps.auditRecords();
  const drifts = [...(kube?.drifts ?? []), ...(cloud?.drifts ?? [])]
    .map((d) => {
      const explainedBy = explainDrift(d, records);
      return explainedBy ? { ...d, explainedBy } : d;
    })
    .sort((a, b) => (a.object === b.object ? (a.field < b.field ? -1 : 1) : a.object < b.object ? -1 : 1));
  const code = {
    ...(manifests && opts.manifests ? { manifests: { path: opts.manifests, files: manifests.files } } : {}),
    ...(state && opts.terraformState ? { terraformState: { path: opts.terraformState, sha256: state.sha256 } } : {}),
  };
  return {
    env: opts.env.name,
    result: drifts.length === 0 ? 'clean' : 'drift',
    drifts,
    counts: {
      drifts: drifts.length,
      unexplained: drifts.filter((d) => !d.explainedBy).length,
      kubeObjects: kube?.counts.declared ?? 0,
      listed: kube?.counts.listed ?? 0,
      listCalls: kube?.counts.listCalls ?? 0,
      buckets: cloud?.compared ?? 0,
    },
    namespaces: kube?.counts.namespaces ?? [],
    ignored: kube?.ignored ?? [],
    skipped: manifests?.skipped ?? [],
    code,
    digests: {
      code: sha256(canonicalJson({ manifests: manifests?.files.map((f) => f.sha256), state: state?.sha256 })),
      live: sha256(canonicalJson({ kube: kube?.liveView, buckets: cloud?.liveView })),
    },
  };
}
