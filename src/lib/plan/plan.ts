import { canonicalJson, sha256 } from '../audit/record.js';
import type { RecordedTargets } from '../audit/targets.js';

/** One call the apply step will make: what a dry run prints and what the audit log refers to. */
export interface PlanStep {
  /** Stable id, e.g. `delete-ingress/default/public-gateway`; journals and resumes key on it. */
  id: string;
  /** Verb in the gateway's words: `scale`, `delete`, `set-lifecycle`, `copy`, ... */
  action: string;
  /** What it acts on: `deployment/default/public-gateway-poweb`, `gs://bucket`, ... */
  target: string;
  description: string;
  /** Extra data the step needs when applied, or shows in --json (before/after values, counts). */
  detail?: unknown;
}

/** A mutation as a value: printed, serialised with --json, diffed, tested, before anything happens. */
export interface Plan {
  /** The command that made it, e.g. `bucket ttl set`. */
  command: string;
  env: string;
  summary: string;
  steps: PlanStep[];
  /** Destructive plans need the environment's name typed (or `--confirm <env>`). */
  destructive: boolean;
  warnings: string[];
  /**
   * What the records name as its targets, when its steps stand for more objects than they list (a
   * restore of a million objects shows a sample): made while planning, digest of all included.
   */
  targets?: RecordedTargets;
}

export function makePlan(p: Omit<Plan, 'warnings'> & { warnings?: string[] }): Plan {
  return { ...p, warnings: p.warnings ?? [] };
}

export const isEmptyPlan = (plan: Plan) => plan.steps.length === 0;

/** Identifies exactly what was approved: the audit record carries it. */
export function planDigest(plan: Plan): string {
  return `sha256:${sha256(canonicalJson(plan))}`;
}

/** Identifies what was asked, for a run whose intent is recorded before its plan exists. */
export function requestDigest(request: unknown): string {
  return `sha256:${sha256(canonicalJson(request))}`;
}
