import type { BucketAdmin } from '../cloud/buckets.js';
import { deploymentTriggerRef, type TriggerAdmin } from '../cloud/cloudbuild.js';
import type { KubeAdmin } from '../cloud/kube-resources.js';
import { isNotFound } from '../cloud/retry.js';
import type { Environment } from '../config/schema.js';
import type { TriggerFacts } from '../deprovision/trigger.js';
import {
  classifyBucketProtection,
  environmentBuckets,
  PROTECTED_LABEL,
  type BucketProtection,
  type BucketReading,
} from './buckets.js';
import { classifyKubeProtection, policyName, type KubeProtection } from './kube-policy.js';
import { PROTECTION_VARIABLE } from './tfvars.js';
import { readTerraformState, type TerraformState } from './terraform.js';
import { gsUrl } from '../config/gs-url.js';

/** The cloud calls protection needs, injected (tests and the sandbox pass emulator-backed ones). */
export interface ProtectionDeps {
  kube: KubeAdmin;
  buckets: BucketAdmin;
  triggers: TriggerAdmin;
}

export type PartName = 'terraform' | 'kubernetes' | 'buckets';
export type PartState = 'protected' | 'unprotected' | 'inconsistent' | 'not-configured';
export type Verdict = 'protected' | 'unprotected' | 'inconsistent';

export interface PartStatus {
  part: PartName;
  state: PartState;
  /** Some protection is in place here (even partly): deprovision refuses while any part is engaged. */
  engaged: boolean;
  summary: string;
  problems: string[];
}

export interface ProtectionReading {
  env: string;
  namespace: string;
  terraform: TerraformState;
  kube: KubeProtection;
  buckets: BucketReading[];
  /** The deployment trigger, when asked for (`env protect` enables it again if a deprovision disabled it). */
  trigger?: TriggerFacts;
}

export interface ProtectionStatus {
  env: string;
  verdict: Verdict;
  parts: PartStatus[];
  /** The parts that disagree with the rest, or are inconsistent within themselves. */
  disagreeing: PartName[];
}

/**
 * Reads the three places protection lives (and, with `trigger`, the deployment trigger, which does not vote).
 * Absent buckets are read as absent, not as errors; a trigger that cannot be read is a problem noted, not an error.
 */
export async function readProtection(
  env: Environment,
  deps: ProtectionDeps,
  opts: { trigger?: boolean } = {},
): Promise<ProtectionReading> {
  const name = policyName(env.name);
  const ref = deploymentTriggerRef(env);
  const [policy, binding, buckets, trigger] = await Promise.all([
    deps.kube.get('ValidatingAdmissionPolicy', name),
    deps.kube.get('ValidatingAdmissionPolicyBinding', name),
    Promise.all(
      environmentBuckets(env).map(async (b): Promise<BucketReading> => {
        try {
          return { ...b, settings: await deps.buckets.settings(b.name) };
        } catch (err) {
          if (isNotFound(err)) return b;
          throw err;
        }
      }),
    ),
    opts.trigger
      ? deps.triggers.get(ref).then(
          (found): TriggerFacts => ({ ref, ...(found ? { found } : {}) }),
          (err: unknown): TriggerFacts => ({ ref, problem: (err as Error).message }),
        )
      : undefined,
  ]);
  return {
    env: env.name,
    namespace: env.kube.namespace,
    terraform: readTerraformState(env),
    kube: classifyKubeProtection(env.name, env.kube.namespace, policy, binding),
    buckets,
    ...(trigger ? { trigger } : {}),
  };
}

export function terraformPart(t: TerraformState): PartStatus {
  const base = { part: 'terraform' as const, problems: [] };
  if (!t.file)
    return { ...base, state: 'not-configured', engaged: false, summary: 'no terraform.varFile in gwctl.yaml' };
  if (!t.exists)
    return {
      ...base,
      state: 'not-configured',
      engaged: false,
      summary: `${t.file} does not exist (check terraform.varFile)`,
    };
  if (t.value === undefined)
    return {
      ...base,
      state: 'unprotected',
      engaged: false,
      summary: `${PROTECTION_VARIABLE} is not set in ${t.file} (the module's default applies)`,
    };
  return {
    ...base,
    state: t.value ? 'protected' : 'unprotected',
    engaged: t.value,
    summary: `${PROTECTION_VARIABLE} = ${t.value} in ${t.file}${t.line ? `:${t.line}` : ''}`,
  };
}

export function kubePart(env: string, k: KubeProtection): PartStatus {
  const name = policyName(env);
  const engaged = k.policy || k.binding;
  if (!engaged)
    return {
      part: 'kubernetes',
      state: 'unprotected',
      engaged,
      summary: `no ValidatingAdmissionPolicy ${name}`,
      problems: [],
    };
  if (k.problems.length)
    return {
      part: 'kubernetes',
      state: 'inconsistent',
      engaged,
      summary: `ValidatingAdmissionPolicy ${name} is partly in place`,
      problems: k.problems,
    };
  return {
    part: 'kubernetes',
    state: 'protected',
    engaged,
    summary: `ValidatingAdmissionPolicy ${name} denies deleting the namespace, Ingresses, PVCs and StatefulSets`,
    problems: [],
  };
}

export function bucketPart(
  readings: BucketReading[],
  b: BucketProtection = classifyBucketProtection(readings),
): PartStatus {
  const base = { part: 'buckets' as const };
  if (readings.length === 0)
    return { ...base, state: 'not-configured', engaged: false, summary: 'no buckets in gwctl.yaml', problems: [] };
  const present = b.labelled.length + b.unlabelled.length;
  const absent = b.absent.length ? `; absent: ${b.absent.map((n) => gsUrl(n)).join(', ')}` : '';
  if (b.labelled.length === 0)
    return {
      ...base,
      state: 'unprotected',
      engaged: false,
      summary: `${present === 0 ? 'no bucket exists' : `no bucket carries ${PROTECTED_LABEL}=true`}${absent}`,
      problems: [],
    };
  if (b.problems.length)
    return {
      ...base,
      state: 'inconsistent',
      engaged: true,
      summary: `${b.labelled.length} of ${present} bucket(s) labelled ${PROTECTED_LABEL}=true${absent}`,
      problems: b.problems,
    };
  return {
    ...base,
    state: 'protected',
    engaged: true,
    summary: `every bucket labelled ${PROTECTED_LABEL}=true; Vault bucket versioned with soft delete${absent}`,
    problems: [],
  };
}

/** protected / unprotected / inconsistent, and which parts disagree. Parts that are not configured do not vote. */
export function protectionStatus(r: ProtectionReading): ProtectionStatus {
  const parts = [terraformPart(r.terraform), kubePart(r.env, r.kube), bucketPart(r.buckets)];
  const voting = parts.filter((p) => p.state !== 'not-configured');
  const count = (s: PartState) => voting.filter((p) => p.state === s).length;
  if (voting.length === 0 || count('unprotected') === voting.length)
    return { env: r.env, verdict: 'unprotected', parts, disagreeing: [] };
  if (count('protected') === voting.length) return { env: r.env, verdict: 'protected', parts, disagreeing: [] };
  // The side most parts are on is the intent; the others disagree (a tie reads as "meant to be protected").
  const majority: PartState = count('protected') >= count('unprotected') ? 'protected' : 'unprotected';
  return {
    env: r.env,
    verdict: 'inconsistent',
    parts,
    disagreeing: voting.filter((p) => p.state !== majority).map((p) => p.part),
  };
}

/** The parts that stop a deprovision, each with what is in place. */
export const engagedParts = (s: ProtectionStatus) => s.parts.filter((p) => p.engaged);
