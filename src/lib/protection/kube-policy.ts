import type { KubeItem, KubeManifest } from '../cloud/kube-resources.js';

/** Cluster-scoped, so the environment's name keeps two environments in one cluster apart. */
export const policyName = (env: string) => `gwctl-destroy-protection-${env}`;

/** What the policy protects: losing any of these loses the gateway's data or its load balancer's address. */
export const PROTECTED_RESOURCES = [
  { apiGroup: '', resource: 'namespaces' },
  { apiGroup: '', resource: 'persistentvolumeclaims' },
  { apiGroup: 'networking.k8s.io', resource: 'ingresses' },
  { apiGroup: 'apps', resource: 'statefulsets' },
] as const;

const NAMESPACE_LABEL = 'kubernetes.io/metadata.name';

const labels = (env: string) => ({ 'app.kubernetes.io/managed-by': 'gwctl', 'gwctl/environment': env });

/**
 * A ValidatingAdmissionPolicy in the shape of the Kubernetes docs' own examples: DELETE of the
 * protected resources fails its one validation. The binding narrows it to the environment's
 * namespace (for a Namespace object, the selector is matched on the namespace's own labels).
 */
export function protectionPolicy(env: string): KubeManifest {
  return {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingAdmissionPolicy',
    metadata: { name: policyName(env), labels: labels(env) },
    spec: {
      failurePolicy: 'Fail',
      matchConstraints: {
        resourceRules: PROTECTED_RESOURCES.map((r) => ({
          apiGroups: [r.apiGroup],
          apiVersions: ['v1'],
          operations: ['DELETE'],
          resources: [r.resource],
        })),
      },
      validations: [
        {
          expression: "request.operation != 'DELETE'",
          message: `destroy protection is on for gwctl environment ${env}; turn it off with: gwctl env unprotect ${env}`,
          reason: 'Forbidden',
        },
      ],
    },
  };
}

export function protectionBinding(env: string, namespace: string): KubeManifest {
  return {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingAdmissionPolicyBinding',
    metadata: { name: policyName(env), labels: labels(env) },
    spec: {
      policyName: policyName(env),
      validationActions: ['Deny'],
      matchResources: { namespaceSelector: { matchLabels: { [NAMESPACE_LABEL]: namespace } } },
    },
  };
}

export interface KubeProtection {
  policy: boolean;
  binding: boolean;
  /** What is there but does not protect as it should. */
  problems: string[];
}

/**
 * Whether the policy and binding that exist actually deny what they should: present, denying
 * (not just warning), covering every protected resource, and selecting the environment's namespace.
 */
export function classifyKubeProtection(
  env: string,
  namespace: string,
  policy: KubeItem | undefined,
  binding: KubeItem | undefined,
): KubeProtection {
  const problems: string[] = [];
  const name = policyName(env);
  if (policy && !binding)
    problems.push(`ValidatingAdmissionPolicy ${name} exists but its binding does not, so nothing is enforced`);
  if (!policy && binding)
    problems.push(`ValidatingAdmissionPolicyBinding ${name} exists but its policy does not, so nothing is enforced`);
  if (policy) {
    const spec = policy.spec ?? {};
    const rules = (spec.matchConstraints as { resourceRules?: Rule[] } | undefined)?.resourceRules ?? [];
    const missing = PROTECTED_RESOURCES.filter((r) => !rules.some((rule) => covers(rule, r.apiGroup, r.resource)));
    if (missing.length)
      problems.push(`policy ${name} does not cover DELETE of ${missing.map((r) => r.resource).join(', ')}`);
    const validations = (spec.validations as { expression?: string }[] | undefined) ?? [];
    if (!validations.some((v) => DENYING_EXPRESSIONS.has((v.expression ?? '').replace(/\s+/g, ' ').trim())))
      problems.push(`policy ${name} has no validation that rejects DELETE`);
  }
  if (binding) {
    const spec = binding.spec ?? {};
    const actions = (spec.validationActions as string[] | undefined) ?? [];
    if (!actions.includes('Deny'))
      problems.push(`binding ${name} does not deny (validationActions: ${actions.join(', ') || 'none'})`);
    if (spec.policyName !== name) problems.push(`binding ${name} points at policy ${String(spec.policyName)}`);
    const selected = (
      spec.matchResources as { namespaceSelector?: { matchLabels?: Record<string, string> } } | undefined
    )?.namespaceSelector?.matchLabels?.[NAMESPACE_LABEL];
    if (selected !== namespace)
      problems.push(`binding ${name} selects namespace ${selected ?? '(none)'}, but the environment uses ${namespace}`);
  }
  return { policy: Boolean(policy), binding: Boolean(binding), problems };
}

interface Rule {
  apiGroups?: string[];
  apiVersions?: string[];
  operations?: string[];
  resources?: string[];
}

const DENYING_EXPRESSIONS = new Set(["request.operation != 'DELETE'", 'request.operation != "DELETE"', 'false']);

const has = (list: string[] | undefined, v: string) => (list ?? []).some((x) => x === '*' || x === v);

function covers(rule: Rule, apiGroup: string, resource: string): boolean {
  return (
    has(rule.apiGroups, apiGroup) &&
    has(rule.apiVersions, 'v1') &&
    has(rule.operations, 'DELETE') &&
    has(rule.resources, resource)
  );
}
