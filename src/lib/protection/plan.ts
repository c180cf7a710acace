import type { BucketSettingsPatch } from '../cloud/buckets.js';
import type { TriggerRef } from '../cloud/cloudbuild.js';
import type { KubeKind, KubeManifest } from '../cloud/kube-resources.js';
import { DEPROVISION_TAG, describeTrigger, enableTrigger, triggerState } from '../deprovision/trigger.js';
import { UsageError } from '../errors/gwctl-error.js';
import { makePlan, type Plan, type PlanStep } from '../plan/plan.js';
import { isLabelled, PROTECTED_LABEL, VAULT_SOFT_DELETE_SECONDS, vaultHardened } from './buckets.js';
import { policyName, protectionBinding, protectionPolicy } from './kube-policy.js';
import type { ProtectionDeps, ProtectionReading } from './status.js';
import { terraformFollowUp, writeTerraformProtection } from './terraform.js';
import { PROTECTION_VARIABLE } from './tfvars.js';
import { gsUrl } from '../config/gs-url.js';

/** What a protection step does when applied; kept in the step so the plan alone says everything. */
export type ProtectionOp =
  | { op: 'set-terraform-var'; file: string; value: boolean }
  | { op: 'put-kube'; manifest: KubeManifest }
  | { op: 'delete-kube'; kind: KubeKind; name: string }
  | { op: 'patch-bucket'; bucket: string; patch: BucketSettingsPatch }
  | { op: 'enable-trigger'; trigger: TriggerRef };

export interface ProtectionPlan extends Plan {
  /** What the operator still has to do (Terraform is never run by gwctl). */
  followUp: string[];
}

const step = (id: string, action: string, target: string, description: string, detail: ProtectionOp): PlanStep => ({
  id,
  action,
  target,
  description,
  detail,
});

/**
 * The steps that bring all three places to `protect` (true) or away from it (false); only what
 * differs from the reading. Unprotecting is destructive: it is what makes deletion possible.
 */
export function buildProtectionPlan(r: ProtectionReading, protect: boolean): ProtectionPlan {
  const steps: PlanStep[] = [];
  const warnings: string[] = [];
  const followUp: string[] = [];
  const t = r.terraform;
  if (!t.file)
    warnings.push(`no terraform.varFile in gwctl.yaml for ${r.env}: Terraform's ${PROTECTION_VARIABLE} is left alone`);
  else if (!t.exists)
    throw new UsageError(
      `${t.file}: the Terraform var file does not exist; check terraform.varFile for ${r.env} in gwctl.yaml`,
    );
  // Unset means the module's default, which may be either: unprotecting writes `false` so destroy can go ahead.
  else if (t.value !== protect) {
    steps.push(
      step(
        `set-terraform-var/${PROTECTION_VARIABLE}`,
        'set',
        t.file,
        `${PROTECTION_VARIABLE} = ${protect} (now ${t.value ?? 'unset'}); edited in place, gwctl does not run Terraform`,
        {
          op: 'set-terraform-var',
          file: t.file,
          value: protect,
        },
      ),
    );
    followUp.push(...terraformFollowUp(t.file, protect));
  }

  const name = policyName(r.env);
  const k = r.kube;
  if (protect && (!k.policy || !k.binding || k.problems.length)) {
    steps.push(
      step(
        `put-policy/${name}`,
        k.policy ? 'replace' : 'create',
        `validatingadmissionpolicy/${name}`,
        `deny DELETE of namespace ${r.namespace}, its Ingresses, PVCs and StatefulSets`,
        {
          op: 'put-kube',
          manifest: protectionPolicy(r.env),
        },
      ),
      step(
        `put-binding/${name}`,
        k.binding ? 'replace' : 'create',
        `validatingadmissionpolicybinding/${name}`,
        `enforce it (Deny) in namespace ${r.namespace}`,
        {
          op: 'put-kube',
          manifest: protectionBinding(r.env, r.namespace),
        },
      ),
    );
  }
  if (!protect) {
    // The binding first: a binding without its policy enforces nothing, a policy without a binding neither.
    if (k.binding)
      steps.push(
        step(
          `delete-binding/${name}`,
          'delete',
          `validatingadmissionpolicybinding/${name}`,
          'stop enforcing the protection policy',
          { op: 'delete-kube', kind: 'ValidatingAdmissionPolicyBinding', name },
        ),
      );
    if (k.policy)
      steps.push(
        step(`delete-policy/${name}`, 'delete', `validatingadmissionpolicy/${name}`, 'remove the protection policy', {
          op: 'delete-kube',
          kind: 'ValidatingAdmissionPolicy',
          name,
        }),
      );
  }

  for (const b of r.buckets) {
    if (!b.settings) {
      if (protect) warnings.push(`${gsUrl(b.name)} (${b.role}) does not exist: nothing to label`);
      continue;
    }
    const labelled = isLabelled(b.settings);
    if (protect && !labelled)
      steps.push(
        step(`label-bucket/${b.name}`, 'set-label', gsUrl(b.name), `${PROTECTED_LABEL}=true`, {
          op: 'patch-bucket',
          bucket: b.name,
          patch: { labels: { [PROTECTED_LABEL]: 'true' } },
        }),
      );
    if (!protect && b.settings.labels[PROTECTED_LABEL] !== undefined)
      steps.push(
        step(`unlabel-bucket/${b.name}`, 'remove-label', gsUrl(b.name), `drop ${PROTECTED_LABEL}`, {
          op: 'patch-bucket',
          bucket: b.name,
          patch: { labels: { [PROTECTED_LABEL]: null } },
        }),
      );
    if (protect && b.role === 'vault' && !vaultHardened(b.settings)) {
      const soft = b.settings.softDeletePolicy?.retentionDurationSeconds ?? 0;
      steps.push(
        step(
          `harden-vault-bucket/${b.name}`,
          'set',
          gsUrl(b.name),
          `versioning on (now ${b.settings.versioning ? 'on' : 'off'}), soft delete ${Math.max(soft, VAULT_SOFT_DELETE_SECONDS) / 86_400} days (now ${soft / 86_400})`,
          {
            op: 'patch-bucket',
            bucket: b.name,
            patch: { versioning: true, softDeleteRetentionSeconds: Math.max(soft, VAULT_SOFT_DELETE_SECONDS) },
          },
        ),
      );
    }
  }
  if (protect && r.trigger) {
    // A deprovision that was abandoned left CI stopped: a protected environment is one that lives, and deploys.
    const state = triggerState(r.trigger);
    const what = describeTrigger(r.trigger);
    if (state === 'disabled by gwctl env deprovision')
      steps.push(
        step(
          `enable-trigger/${r.trigger.ref.region}/${r.trigger.ref.trigger}`,
          'enable',
          `cloudbuild-trigger/${r.trigger.ref.project}/${r.trigger.ref.region}/${r.trigger.ref.trigger}`,
          `disabled by gwctl env deprovision: CI deploys the gateway again (drops the ${DEPROVISION_TAG} tag)`,
          { op: 'enable-trigger', trigger: r.trigger.ref },
        ),
      );
    if (state === 'disabled') warnings.push(`${what} is disabled, and not by gwctl env deprovision: left disabled`);
    if (state === 'unknown')
      warnings.push(
        `could not read ${what} (${r.trigger.problem}): if a deprovision disabled it, enable it by hand: gcloud builds triggers export ${r.trigger.ref.trigger} --project=${r.trigger.ref.project} --region=${r.trigger.ref.region} --destination=trigger.yaml, set disabled: false, then gcloud builds triggers import --project=${r.trigger.ref.project} --region=${r.trigger.ref.region} --source=trigger.yaml`,
      );
  }
  if (!protect && r.buckets.some((b) => b.role === 'vault' && b.settings && vaultHardened(b.settings)))
    warnings.push(
      'the Vault bucket keeps versioning and soft delete: they protect data, not the environment (deprovision lifts them on the buckets it empties)',
    );

  const plan = makePlan({
    command: protect ? 'env protect' : 'env unprotect',
    env: r.env,
    summary: protect ? 'turn destroy protection on' : 'turn destroy protection off',
    steps,
    destructive: !protect,
    warnings,
  });
  return { ...plan, followUp };
}

export interface StepOutcome {
  id: string;
  outcome: string;
}

/** How a run is watched: stopped between steps once `signal` aborts, each finished step reported. */
export interface StepRun {
  signal?: AbortSignal;
  stepDone?: (id: string) => void;
}

/** Applies the steps in order; each is idempotent (a bucket or object already in the wanted state is fine). */
export async function applyProtectionPlan(plan: Plan, deps: ProtectionDeps, run: StepRun = {}): Promise<StepOutcome[]> {
  const out: StepOutcome[] = [];
  for (const s of plan.steps) {
    run.signal?.throwIfAborted();
    const op = s.detail as ProtectionOp;
    switch (op.op) {
      case 'set-terraform-var':
        writeTerraformProtection(op.file, op.value);
        out.push({ id: s.id, outcome: 'written' });
        break;
      case 'put-kube':
        out.push({ id: s.id, outcome: await deps.kube.put(op.manifest) });
        break;
      case 'delete-kube':
        out.push({ id: s.id, outcome: await deps.kube.remove(op.kind, op.name) });
        break;
      case 'patch-bucket':
        await deps.buckets.patch(op.bucket, op.patch);
        out.push({ id: s.id, outcome: 'patched' });
        break;
      case 'enable-trigger':
        out.push({ id: s.id, outcome: await enableTrigger(deps.triggers, op.trigger) });
        break;
    }
    run.stepDone?.(s.id);
  }
  return out;
}
