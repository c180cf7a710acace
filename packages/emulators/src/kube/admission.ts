import type { CelInput } from '@bufbuild/cel';
import { celFromJson, compileCel, type CelBindings } from './cel.js';
import { resourceByPath, qualifiedResource, type ResourceType } from './resources.js';
import { matchesLabelSelector, type LabelSelectorObject } from './selectors.js';
import { codeFor, failureStatus, KubeApiError, type StatusReason } from './status.js';
import type { KubeObject, KubeObjectStore } from './store.js';

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
 * policy's validations (CEL, see cel.ts). `Deny` rejects the request the way the real API
 * server words it; `Warn` adds a warning; `Audit` is ignored. Parameters (`paramKind`/`paramRef`)
 * are not supported: `params` is always null. An expression the evaluator cannot handle is an
 * evaluation error, so `failurePolicy: Fail` (the default) denies — the safe side for protection.
 */
export function admit(store: KubeObjectStore, req: AdmissionRequest): AdmissionVerdict {
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

/**
 * As k8s.io/apiserver's validating policy validator (validator.go) and CEL activation (activation.go): match
 * conditions first, then each validation; an evaluation error is `expression '…' resulted in error: …` and a
 * failure to parse `compilation error: …`, both decided by failurePolicy.
 */
function evaluatePolicy(store: KubeObjectStore, spec: PolicySpec, req: AdmissionRequest): Failure | undefined {
  const bindings = celBindings(store, spec, req);
  const failClosed = (spec.failurePolicy ?? 'Fail') === 'Fail';
  const onError = (message: string): Failure | undefined => (failClosed ? { message, reason: 'Invalid' } : undefined);
  for (const c of spec.matchConditions ?? []) {
    const r = evaluate(c.expression, bindings);
    if ('error' in r) return onError(r.error);
    if (r.value !== true) return undefined;
  }
  for (const v of spec.validations ?? []) {
    const r = evaluate(v.expression, bindings);
    if ('error' in r) {
      const f = onError(r.error);
      if (f) return f;
      continue;
    }
    if (r.value === true) continue;
    if (typeof r.value !== 'boolean') {
      const f = onError(`expression '${v.expression}' resulted in error: expression must evaluate to bool`);
      if (f) return f;
      continue;
    }
    return { message: messageOf(v, bindings), reason: v.reason ?? 'Invalid' };
  }
  return undefined;
}

type Evaluation = { value: unknown } | { error: string };

function evaluate(expression: string, bindings: CelBindings): Evaluation {
  let program: ReturnType<typeof compileCel>;
  try {
    program = compileCel(expression);
  } catch (err) {
    return { error: (err as Error).message };
  }
  try {
    return { value: program(bindings) };
  } catch (err) {
    return { error: `expression '${expression}' resulted in error: ${(err as Error).message}` };
  }
}

/** The limit on an evaluated messageExpression (k8s.io/apiserver/pkg/apis/cel: MaxEvaluatedMessageExpressionSizeBytes). */
const MAX_MESSAGE_BYTES = 5 * 1024;

/** messageExpression's string, trimmed; else the static message; else the expression itself (validator.go). */
function messageOf(v: Validation, bindings: CelBindings): string {
  if (v.messageExpression) {
    const r = evaluate(v.messageExpression, bindings);
    const m = 'value' in r && typeof r.value === 'string' ? r.value.trim() : '';
    if (m && Buffer.byteLength(m) <= MAX_MESSAGE_BYTES && !m.includes('\n')) return m;
  }
  return v.message?.trim() || `failed expression: ${v.expression.trim()}`;
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

/**
 * The variables a policy's expressions see (k8s.io/apiserver/pkg/admission/plugin/cel/activation.go): the objects
 * as JSON, `request` as an AdmissionRequest, the namespace with only the fields CreateNamespaceObject keeps, and
 * `variables`, each computed on first use and kept (composition.go's lazy map).
 */
function celBindings(store: KubeObjectStore, spec: PolicySpec, req: AdmissionRequest): CelBindings {
  const r = req.resource;
  const namespace = req.namespace ? store.get(NAMESPACE, undefined, req.namespace) : undefined;
  const bindings: CelBindings = {
    object: celFromJson(req.object),
    oldObject: celFromJson(req.oldObject),
    params: null,
    namespaceObject: namespace ? celFromJson(namespaceObject(namespace)) : null,
    request: celFromJson({
      kind: { group: r.group, version: r.version, kind: r.kind },
      resource: { group: r.group, version: r.version, resource: r.plural },
      subResource: req.subresource ?? '',
      requestKind: { group: r.group, version: r.version, kind: r.kind },
      requestResource: { group: r.group, version: r.version, resource: r.plural },
      requestSubResource: req.subresource ?? '',
      name: req.name,
      namespace: req.namespace ?? '',
      operation: req.operation,
      userInfo: { username: req.user.username, groups: req.user.groups },
      dryRun: req.dryRun,
    }),
  };
  bindings.variables = new LazyVariables(spec.variables ?? [], bindings);
  return bindings;
}

const NAMESPACE_META_FIELDS = [
  'name',
  'generateName',
  'namespace',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'labels',
  'annotations',
  'finalizers',
];

function namespaceObject(ns: KubeObject): Record<string, unknown> {
  const meta = Object.fromEntries(Object.entries(ns.metadata).filter(([k]) => NAMESPACE_META_FIELDS.includes(k)));
  return { ...(ns.spec ? { spec: ns.spec } : {}), ...(ns.status ? { status: ns.status } : {}), metadata: meta };
}

/**
 * `variables` as a map whose entries are evaluated when first read and then kept, so a variable that fails only
 * matters to an expression that reads it; the failure reads `composited variable "x" fails to evaluate: …`.
 */
class LazyVariables extends Map<string, CelInput> {
  private readonly computed = new Map<string, { value: CelInput } | { error: string }>();

  constructor(
    private readonly definitions: { name: string; expression: string }[],
    private readonly bindings: CelBindings,
  ) {
    super();
  }

  override get size() {
    return this.definitions.length;
  }

  override get(name: string): CelInput | undefined {
    const definition = this.definitions.find((d) => d.name === name);
    if (!definition) return undefined;
    let result = this.computed.get(name);
    if (!result) {
      try {
        result = { value: compileCel(definition.expression)(this.bindings) };
      } catch (err) {
        result = { error: `composited variable "${name}" fails to evaluate: ${(err as Error).message}` };
      }
      this.computed.set(name, result);
    }
    if ('error' in result) throw new Error(result.error);
    return result.value;
  }

  override has(name: string): boolean {
    return this.definitions.some((d) => d.name === name);
  }

  override *entries(): MapIterator<[string, CelInput]> {
    for (const d of this.definitions) yield [d.name, this.get(d.name)!];
  }

  override keys(): MapIterator<string> {
    return this.definitions.map((d) => d.name).values();
  }

  override *values(): MapIterator<CelInput> {
    for (const d of this.definitions) yield this.get(d.name)!;
  }

  override forEach(callback: (value: CelInput, key: string, map: Map<string, CelInput>) => void): void {
    for (const [k, v] of this.entries()) callback(v, k, this);
  }

  override [Symbol.iterator]() {
    return this.entries();
  }
}

function matches(
  store: KubeObjectStore,
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
  store: KubeObjectStore,
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
