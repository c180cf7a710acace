import { AuthorizationV1Api } from '@kubernetes/client-node';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { startKubeEmulator, type KubeEmulator } from '../../src/kube/index.js';
import { kubeClients, type KubeClients } from '../../src/testing/index.js';
import { expectStatus } from '../helpers/kube.js';

// SelfSubjectAccessReview: https://kubernetes.io/docs/reference/kubernetes-api/authorization-resources/self-subject-access-review-v1/
// (`POST /apis/authorization.k8s.io/v1/selfsubjectaccessreviews`, answered 201 with `status.allowed`; nothing stored).
// Request verbs: https://kubernetes.io/docs/reference/access-authn-authz/authorization/#determine-the-request-verb.
// A denied request is 403 Forbidden with RBAC's wording, e.g. `deployments.apps "x" is forbidden: User "u" cannot
// patch resource "deployments/scale" in API group "apps" in the namespace "default"` (kubernetes/kubernetes,
// staging/src/k8s.io/apiserver/pkg/endpoints/handlers/responsewriters/errors.go, forbiddenMessage).
let emu: KubeEmulator;
let k: KubeClients;
let auth: AuthorizationV1Api;

beforeAll(async () => {
  emu = await startKubeEmulator();
  k = kubeClients(emu.url);
  auth = k.kc.makeApiClient(AuthorizationV1Api);
});
afterEach(() => emu.deny([]));
afterAll(async () => emu.close());

const review = (verb: string, resource: string, extra: Record<string, string> = {}) =>
  auth.createSelfSubjectAccessReview({
    body: { spec: { resourceAttributes: { verb, resource, namespace: 'default', ...extra } } },
  });

describe('kube emulator: access reviews and denials', () => {
  test('a review is allowed by default, and answered with the spec it was asked about', async () => {
    const r = await review('patch', 'deployments', { group: 'apps', subresource: 'scale' });
    expect(r.status?.allowed).toBe(true);
    expect(r.spec.resourceAttributes).toMatchObject({ verb: 'patch', group: 'apps', subresource: 'scale' });
  });

  test('a denied verb is not allowed in a review, and its request is refused 403 as RBAC words it', async () => {
    emu.deny([{ verb: 'list', group: 'apps', resource: 'deployments' }]);
    expect((await review('list', 'deployments', { group: 'apps' })).status?.allowed).toBe(false);
    expect((await review('get', 'deployments', { group: 'apps' })).status?.allowed).toBe(true);
    const status = await expectStatus(k.apps.listNamespacedDeployment({ namespace: 'default' }), 403, 'Forbidden');
    expect(status.message).toBe(
      'deployments.apps is forbidden: User "system:anonymous" cannot list resource "deployments" in API group "apps" in the namespace "default"',
    );
  });

  test('as in RBAC, denying a resource leaves its subresources alone, and the reverse', async () => {
    emu.deny([{ verb: 'update', group: 'apps', resource: 'deployments', subresource: 'scale' }]);
    expect((await review('update', 'deployments', { group: 'apps', subresource: 'scale' })).status?.allowed).toBe(
      false,
    );
    expect((await review('update', 'deployments', { group: 'apps' })).status?.allowed).toBe(true);
  });

  test('a denial without a namespace holds in every namespace; a review of a cluster-scoped resource works alike', async () => {
    emu.deny([{ verb: '*', resource: 'namespaces' }]);
    const r = await auth.createSelfSubjectAccessReview({
      body: { spec: { resourceAttributes: { verb: 'delete', resource: 'namespaces', name: 'default' } } },
    });
    expect(r.status?.allowed).toBe(false);
    const status = await expectStatus(k.core.deleteNamespace({ name: 'kube-public' }), 403, 'Forbidden');
    expect(status.message).toMatch(/namespaces "kube-public" is forbidden: .* at the cluster scope$/);
  });

  test('a review naming neither resource nor non-resource attributes is invalid (422)', async () => {
    await expectStatus(auth.createSelfSubjectAccessReview({ body: { spec: {} } }), 422, 'Invalid');
  });

  test('denials are set over the control endpoint too, as the sandbox and CLI tests do', async () => {
    const res = await fetch(`${emu.url}/_emulator/access`, {
      method: 'POST',
      body: JSON.stringify({ deny: [{ verb: 'get', resource: 'configmaps' }] }),
    });
    expect(res.status).toBe(200);
    expect((await review('get', 'configmaps')).status?.allowed).toBe(false);
  });
});
