import { isPlainObject } from './merge-patch.js';
import type { ResourceTarget } from './resource-path.js';
import { failureStatus, KubeApiError } from './status.js';

/**
 * What an authorizer decides on: a request's resource attributes, as SubjectAccessReview's `ResourceAttributes`
 * name them (https://kubernetes.io/docs/reference/kubernetes-api/authorization-resources/subject-access-review-v1/).
 */
export interface ResourceAttributes {
  verb: string;
  group: string;
  resource: string;
  subresource?: string;
  namespace?: string;
  name?: string;
}

/**
 * One denial configured for tests and rehearsals: everything else is allowed (the emulator's caller is in effect a
 * cluster admin). As in RBAC, a rule for `deployments` does not cover `deployments/scale`; `verb` may be `*`, and a
 * denial with no namespace applies in every namespace.
 */
export interface AccessDenial {
  verb: string;
  group?: string;
  resource: string;
  subresource?: string;
  namespace?: string;
}

/** Who the emulator's unauthenticated callers are, in the messages a real API server gives. */
const USER = 'system:anonymous';

export class AccessRules {
  private denials: AccessDenial[] = [];

  get rules(): readonly AccessDenial[] {
    return this.denials;
  }

  /** Replaces the denials (an empty list allows everything again). */
  deny(rules: AccessDenial[]): void {
    for (const r of rules)
      if (typeof r?.verb !== 'string' || typeof r.resource !== 'string')
        throw new Error('each denial needs a verb and a resource');
    this.denials = rules.map((r) => ({ ...r }));
  }

  allows(a: ResourceAttributes): boolean {
    return !this.denials.some(
      (d) =>
        (d.verb === '*' || d.verb === a.verb) &&
        (d.group ?? '') === a.group &&
        d.resource === a.resource &&
        (d.subresource ?? '') === (a.subresource ?? '') &&
        (d.namespace === undefined || d.namespace === a.namespace),
    );
  }

  /** Refuses a request its rules deny, with the 403 Status a real API server gives (RBAC's wording). */
  check(a: ResourceAttributes): void {
    if (this.allows(a)) return;
    const qualified = a.group ? `${a.resource}.${a.group}` : a.resource;
    const resource = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
    const scope = a.namespace ? `in the namespace "${a.namespace}"` : 'at the cluster scope';
    throw new KubeApiError(
      failureStatus(
        'Forbidden',
        `${qualified}${a.name ? ` "${a.name}"` : ''} is forbidden: User "${USER}" cannot ${a.verb} resource "${resource}" in API group "${a.group}" ${scope}`,
        { ...(a.name ? { name: a.name } : {}), group: a.group, kind: a.resource },
      ),
    );
  }

  /**
   * `POST /apis/authorization.k8s.io/v1/selfsubjectaccessreviews`: the review sent, with its `status` filled in
   * (https://kubernetes.io/docs/reference/kubernetes-api/authorization-resources/self-subject-access-review-v1/).
   * Nothing is stored. Non-resource URLs (`/healthz`, …) are allowed.
   */
  review(body: unknown): { code: number; body: unknown } {
    const spec = isPlainObject(body) && isPlainObject(body.spec) ? body.spec : undefined;
    const attrs = spec && isPlainObject(spec.resourceAttributes) ? spec.resourceAttributes : undefined;
    const nonResource = spec && isPlainObject(spec.nonResourceAttributes);
    if (!spec || Boolean(attrs) === Boolean(nonResource))
      throw new KubeApiError(
        failureStatus(
          'Invalid',
          'SelfSubjectAccessReview.authorization.k8s.io "" is invalid: spec.resourceAttributes: Invalid value: "null": exactly one of nonResourceAttributes or resourceAttributes must be specified',
        ),
      );
    const a = attrs as Record<string, unknown> | undefined;
    const allowed = a
      ? this.allows({
          verb: String(a.verb ?? ''),
          group: String(a.group ?? ''),
          resource: String(a.resource ?? ''),
          subresource: a.subresource ? String(a.subresource) : undefined,
          namespace: a.namespace ? String(a.namespace) : undefined,
        })
      : true;
    return {
      code: 201,
      body: {
        kind: 'SelfSubjectAccessReview',
        apiVersion: 'authorization.k8s.io/v1',
        metadata: { creationTimestamp: null },
        spec,
        status: allowed
          ? { allowed: true, reason: 'allowed: the emulator denies only what it is told to' }
          : { allowed: false, reason: "denied by the emulator's access rules (POST /_emulator/access)" },
      },
    };
  }
}

export const ACCESS_REVIEW_PATH = '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews';

/** The verb a request is authorized as (https://kubernetes.io/docs/reference/access-authn-authz/authorization/#determine-the-request-verb). */
export function requestAttributes(t: ResourceTarget, method: string, q: URLSearchParams): ResourceAttributes {
  const watch = q.get('watch') !== null && q.get('watch') !== 'false' && q.get('watch') !== '0';
  const verbs: Record<string, string> = {
    GET: t.name === undefined ? (watch ? 'watch' : 'list') : 'get',
    POST: 'create',
    PUT: 'update',
    PATCH: 'patch',
    DELETE: t.name === undefined ? 'deletecollection' : 'delete',
  };
  return {
    verb: verbs[method] ?? method.toLowerCase(),
    group: t.resource.group,
    resource: t.resource.plural,
    ...(t.subresource ? { subresource: t.subresource } : {}),
    ...(t.namespace ? { namespace: t.namespace } : {}),
    ...(t.name ? { name: t.name } : {}),
  };
}
