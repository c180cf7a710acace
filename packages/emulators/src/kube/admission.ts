import { evaluateCel } from './cel.js';
import { resourceByPath, qualifiedResource, type ResourceType } from './resources.js';
import { matchesLabelSelector, type LabelSelectorObject } from './selectors.js';
import { codeFor, failureStatus, KubeApiError, type StatusReason } from './status.js';
import type { KubeObject, ObjectStore } from './store.js';

export type AdmissionOperation = 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';

export interface RequestUser {
  username: string;
  groups: string[];
}

export interface AdmissionRequest {
  operation: AdmissionOperation;
  resource: ResourceType;
  subresource?: string;
  name: string;
  namespace?: string;
  object: KubeObject | null;
  oldObject: KubeObject | null;
  user: RequestUser;
  dryRun: boolean;
}

export interface AdmissionVerdict {
  denied?: KubeApiError;
  warnings: string[];
}

interface ResourceRule {
  apiGroups?: string[];
  apiVersions?: string[];
  resources?: string[];
  operations?: string[];
  resourceNames?: string[];
  scope?: 'Cluster' | 'Namespaced' | '*';
}

interface MatchResources {
  namespaceSelector?: LabelSelectorObject;
  objectSelector?: LabelSelectorObject;
  resourceRules?: ResourceRule[];
  excludeResourceRules?: ResourceRule[];
}

interface Validation {
  expression: string;
  message?: string;
  messageExpression?: string;
  reason?: StatusReason;
}

interface PolicySpec {
  failurePolicy?: 'Fail' | 'Ignore';
  matchConstraints?: MatchResources;
  matchConditions?: { name: string; expression: string }[];
  validations?: Validation[];
  variables?: { name: string; expression: string }[];
}

interface BindingSpec {
  policyName?: string;
  validationActions?: ('Deny' | 'Warn' | 'Audit')[];
  matchResources?: MatchResources;
}

const POLICY = resourceByPath('admissionregistration.k8s.io', 'v1', 'validatingadmissionpolicies')!;
const BINDING = resourceByPath('admissionregistration.k8s.io', 'v1', 'validatingadmissionpolicybindings')!;
const NAMESPACE = resourceByPath('', 'v1', 'namespaces')!;

/**
 * ValidatingAdmissionPolicy enforcement: every binding whose policy matches the request runs the
 * policy's validations (CEL subset, see cel.ts). `Deny` rejects the request the way the real API
 * server words it; `Warn` adds a warning; `Audit` is ignored. Parameters (`paramKind`/`paramRef`)
 * are not supported: `params` is always null. An expression the evaluator cannot handle is an
 * evaluation error, so `failurePolicy: Fail` (the default) denies — the safe side for protection.
 */
export function admit(store: ObjectStore, req: AdmissionRequest): AdmissionVerdict {
  const warnings: string[] = [];
  for (const binding of store.list(BINDING)) {
    const spec = (binding.spec ?? {}) as BindingSpec;
    const policy = spec.policyName ? store.get(POLICY, undefined, spec.policyName) : undefined;
    if (!policy) continue;
    const policySpec = (policy.spec ?? {}) as PolicySpec;
    if (!matches(store, policySpec.matchConstraints, req, false)) continue;
    if (spec.matchResources && !matches(store, spec.matchResources, req, true)) continue;
    const failure = evaluatePolicy(store, policySpec, req);
    if (!failure) continue;
    const actions = spec.validationActions ?? [];
    const policyName = policy.metadata.name ?? '';
    const bindingName = binding.metadata.name ?? '';
    if (actions.includes('Deny')) return { denied: denial(req, policyName, bindingName, failure), warnings };
    if (actions.includes('Warn'))
      warnings.push(
        `Validation failed for ValidatingAdmissionPolicy '${policyName}' with binding '${bindingName}': ${failure.message}`,
      );
  }
  return { warnings };
}

interface Failure {
  message: string;
  reason: StatusReason;
}

function evaluatePolicy(store: ObjectStore, spec: PolicySpec, req: AdmissionRequest): Failure | undefined {
  const env = celEnvironment(store, spec, req);
  const failClosed = (spec.failurePolicy ?? 'Fail') === 'Fail';
  const onError = (expression: string, err: unknown): Failure | undefined =>
    failClosed
      ? { message: `expression '${expression}' resulted in error: ${(err as Error).message}`, reason: 'Invalid' }
      : undefined;
  for (const c of spec.matchConditions ?? []) {
    try {
      if (evaluateCel(c.expression, env) !== true) return undefined;
    } catch (err) {
      return onError(c.expression, err);
    }
  }
  for (const v of spec.validations ?? []) {
    let result: unknown;
    try {
      result = evaluateCel(v.expression, env);
    } catch (err) {
      const f = onError(v.expression, err);
      if (f) return f;
      continue;
    }
    if (result === true) continue;
    if (typeof result !== 'boolean') {
      const f = onError(v.expression, new Error('expression must evaluate to bool'));
      if (f) return f;
      continue;
    }
    return { message: messageOf(v, env), reason: v.reason ?? 'Invalid' };
  }
  return undefined;
}

function messageOf(v: Validation, env: Record<string, unknown>): string {
  if (v.messageExpression) {
    try {
      const m = evaluateCel(v.messageExpression, env);
      if (typeof m === 'string' && m.trim()) return m;
    } catch {
      // The real server falls back to the static message when messageExpression fails.
    }
  }
  return v.message ?? `failed expression: ${v.expression}`;
}

function denial(req: AdmissionRequest, policy: string, binding: string, failure: Failure): KubeApiError {
  const message = `ValidatingAdmissionPolicy '${policy}' with binding '${binding}' denied request: ${failure.message}`;
  const what = req.name ? `${qualifiedResource(req.resource)} "${req.name}"` : qualifiedResource(req.resource);
  const status = failureStatus('Forbidden', `${what} is forbidden: ${message}`, {
    name: req.name,
    ...(req.resource.group ? { group: req.resource.group } : {}),
    kind: req.resource.plural,
    causes: [{ message }],
  });
  // As the real dispatcher does: Forbidden's wording, the validation's reason and its code (Invalid → 422).
  status.reason = failure.reason;
  status.code = codeFor(failure.reason);
  return new KubeApiError(status);
}

function celEnvironment(store: ObjectStore, spec: PolicySpec, req: AdmissionRequest): Record<string, unknown> {
  const r = req.resource;
  const env: Record<string, unknown> = {
    object: req.object,
    oldObject: req.oldObject,
    params: null,
    namespaceObject: req.namespace ? (store.get(NAMESPACE, undefined, req.namespace) ?? null) : null,
    request: {
      kind: { group: r.group, version: r.version, kind: r.kind },
      resource: { group: r.group, version: r.version, resource: r.plural },
      requestKind: { group: r.group, version: r.version, kind: r.kind },
      requestResource: { group: r.group, version: r.version, resource: r.plural },
      subResource: req.subresource ?? '',
      name: req.name,
      namespace: req.namespace ?? '',
      operation: req.operation,
      userInfo: { username: req.user.username, groups: req.user.groups },
      dryRun: req.dryRun,
    },
  };
  // Variables are lazy, as in CEL: a failing one only matters if an expression reads it.
  const variables: Record<string, unknown> = {};
  for (const v of spec.variables ?? []) {
    let cached: { value: unknown } | undefined;
    Object.defineProperty(variables, v.name, {
      enumerable: true,
      get: () => (cached ??= { value: evaluateCel(v.expression, { ...env, variables }) }).value,
    });
  }
  env.variables = variables;
  return env;
}

function matches(
  store: ObjectStore,
  m: MatchResources | undefined,
  req: AdmissionRequest,
  isBinding: boolean,
): boolean {
  if (!m) return isBinding;
  const rules = m.resourceRules ?? [];
  // A binding without rules narrows nothing; a policy must name what it matches.
  if (rules.length === 0 ? !isBinding : !rules.some((rule) => ruleMatches(rule, req))) return false;
  if ((m.excludeResourceRules ?? []).some((rule) => ruleMatches(rule, req))) return false;
  if (!namespaceMatches(store, m.namespaceSelector, req)) return false;
  if (m.objectSelector) {
    const objects = [req.object, req.oldObject].filter((o): o is KubeObject => o !== null);
    if (!objects.some((o) => matchesLabelSelector(o.metadata.labels, m.objectSelector))) return false;
  }
  return true;
}

function namespaceMatches(
  store: ObjectStore,
  selector: LabelSelectorObject | undefined,
  req: AdmissionRequest,
): boolean {
  if (!selector) return true;
  // A namespace is matched on its own labels; other cluster-scoped objects are never skipped.
  if (req.resource === NAMESPACE) return matchesLabelSelector((req.object ?? req.oldObject)?.metadata.labels, selector);
  if (!req.resource.namespaced) return true;
  const ns = req.namespace ? store.get(NAMESPACE, undefined, req.namespace) : undefined;
  return matchesLabelSelector(ns?.metadata.labels, selector);
}

function ruleMatches(rule: ResourceRule, req: AdmissionRequest): boolean {
  const r = req.resource;
  const has = (list: string[] | undefined, value: string) => (list ?? []).some((v) => v === '*' || v === value);
  if (!has(rule.operations, req.operation)) return false;
  if (!has(rule.apiGroups, r.group) || !has(rule.apiVersions, r.version)) return false;
  if (rule.resourceNames?.length && !rule.resourceNames.includes(req.name)) return false;
  if (rule.scope === 'Cluster' && r.namespaced) return false;
  if (rule.scope === 'Namespaced' && !r.namespaced) return false;
  // '*' is every resource but no subresource; '*/*' everything; 'pods/*' all of pods' subresources.
  return (rule.resources ?? []).some((pattern) => {
    const [res, sub = ''] = pattern.split('/');
    const want = req.subresource ?? '';
    if (res !== '*' && res !== r.plural) return false;
    return sub === '*' || sub === want;
  });
}
