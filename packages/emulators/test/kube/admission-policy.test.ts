import type {
  V1MatchResources,
  V1ValidatingAdmissionPolicy,
  V1ValidatingAdmissionPolicyBinding,
} from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startKubeEmulator, type KubeEmulator } from '../../src/kube/index.js';
import { eventually, expectStatus } from '../helpers/kube.js';
import { kubeClients, type KubeClients } from '../../src/testing/index.js';

let emu: KubeEmulator;
let k: KubeClients;

beforeAll(async () => {
  emu = await startKubeEmulator({ lbTeardownMs: 50, namespaceTeardownMs: 20 });
  k = kubeClients(emu.url);
});
afterAll(async () => emu.close());

const PROTECTED = { 'gwctl.io/protected': 'true' };

/** Destroy protection as gwctl would install it: deny DELETE of the gateway's stateful and public parts. */
const protectionPolicy = (name: string, expression = 'false'): V1ValidatingAdmissionPolicy => ({
  metadata: { name },
  spec: {
    failurePolicy: 'Fail',
    matchConstraints: {
      resourceRules: [
        {
          apiGroups: [''],
          apiVersions: ['v1'],
          operations: ['DELETE'],
          resources: ['namespaces', 'persistentvolumeclaims'],
        },
        { apiGroups: ['apps'], apiVersions: ['v1'], operations: ['DELETE'], resources: ['statefulsets'] },
        { apiGroups: ['networking.k8s.io'], apiVersions: ['v1'], operations: ['DELETE'], resources: ['ingresses'] },
      ],
    },
    validations: [
      { expression, message: 'the environment is protected; run `gwctl env unprotect` first', reason: 'Forbidden' },
    ],
  },
});

const bindingFor = (policyName: string, matchResources?: V1MatchResources): V1ValidatingAdmissionPolicyBinding => ({
  metadata: { name: `${policyName}-binding` },
  spec: {
    policyName,
    validationActions: ['Deny'],
    matchResources: matchResources ?? { namespaceSelector: { matchLabels: PROTECTED } },
  },
});

let counter = 0;
async function gatewayNamespace(labels?: Record<string, string>): Promise<string> {
  const ns = `vap-${++counter}`;
  await k.core.createNamespace({ body: { metadata: { name: ns, labels } } });
  await k.networking.createNamespacedIngress({
    namespace: ns,
    body: { metadata: { name: 'public-gateway' }, spec: {} },
  });
  await k.core.createNamespacedPersistentVolumeClaim({
    namespace: ns,
    body: {
      metadata: { name: 'audit-vault-0' },
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
    },
  });
  await k.apps.createNamespacedStatefulSet({
    namespace: ns,
    body: {
      metadata: { name: 'vault' },
      spec: {
        serviceName: 'vault',
        selector: { matchLabels: { app: 'vault' } },
        template: { metadata: { labels: { app: 'vault' } }, spec: { containers: [{ name: 'v', image: 'vault' }] } },
      },
    },
  });
  await k.core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'public-gateway' } } });
  return ns;
}

const gone = (p: Promise<unknown>) =>
  p.then(
    () => false,
    () => true,
  );

describe('destroy protection with a ValidatingAdmissionPolicy', () => {
  test('a protected environment refuses to lose its Ingress, PVC, StatefulSet or namespace until unbound', async () => {
    await k.admission.createValidatingAdmissionPolicy({ body: protectionPolicy('destroy-protection') });
    await k.admission.createValidatingAdmissionPolicyBinding({ body: bindingFor('destroy-protection') });
    const ns = await gatewayNamespace(PROTECTED);

    const denied = await expectStatus(
      k.networking.deleteNamespacedIngress({ name: 'public-gateway', namespace: ns }),
      403,
      'Forbidden',
    );
    expect(denied.message).toBe(
      `ingresses.networking.k8s.io "public-gateway" is forbidden: ValidatingAdmissionPolicy 'destroy-protection' with binding 'destroy-protection-binding' denied request: the environment is protected; run \`gwctl env unprotect\` first`,
    );
    const pvc = await expectStatus(
      k.core.deleteNamespacedPersistentVolumeClaim({ name: 'audit-vault-0', namespace: ns }),
      403,
      'Forbidden',
    );
    expect(pvc.message).toMatch(
      /^persistentvolumeclaims "audit-vault-0" is forbidden: ValidatingAdmissionPolicy 'destroy-protection'/,
    );
    await expectStatus(k.apps.deleteNamespacedStatefulSet({ name: 'vault', namespace: ns }), 403, 'Forbidden');
    const nsDenied = await expectStatus(k.core.deleteNamespace({ name: ns }), 403, 'Forbidden');
    expect(nsDenied.message).toMatch(new RegExp(`^namespaces "${ns}" is forbidden`));
    expect((await k.core.readNamespace({ name: ns })).status?.phase).toBe('Active');

    // What the policy does not name stays deletable, and updates are not affected.
    await k.core.deleteNamespacedConfigMap({ name: 'public-gateway', namespace: ns });
    await k.apps.patchNamespacedStatefulSetScale({
      name: 'vault',
      namespace: ns,
      body: [{ op: 'replace', path: '/spec/replicas', value: 0 }],
    });

    await k.admission.deleteValidatingAdmissionPolicyBinding({ name: 'destroy-protection-binding' });
    await k.networking.deleteNamespacedIngress({ name: 'public-gateway', namespace: ns });
    await k.core.deleteNamespacedPersistentVolumeClaim({ name: 'audit-vault-0', namespace: ns });
    await k.apps.deleteNamespacedStatefulSet({ name: 'vault', namespace: ns });
    await k.core.deleteNamespace({ name: ns });
    await eventually(() => gone(k.core.readNamespace({ name: ns })));
    await k.admission.deleteValidatingAdmissionPolicy({ name: 'destroy-protection' });
  });

  test('an unprotected namespace is not matched by the binding', async () => {
    await k.admission.createValidatingAdmissionPolicy({ body: protectionPolicy('p-unmatched') });
    await k.admission.createValidatingAdmissionPolicyBinding({ body: bindingFor('p-unmatched') });
    try {
      const ns = await gatewayNamespace();
      await k.apps.deleteNamespacedStatefulSet({ name: 'vault', namespace: ns });
      await k.core.deleteNamespace({ name: ns });
      await eventually(() => gone(k.core.readNamespace({ name: ns })));
    } finally {
      await k.admission.deleteValidatingAdmissionPolicyBinding({ name: 'p-unmatched-binding' });
      await k.admission.deleteValidatingAdmissionPolicy({ name: 'p-unmatched' });
    }
  });

  test('protected contents hold their namespace in Terminating until the binding goes', async () => {
    // Only the PVC is protected (objectSelector), so the namespace delete itself is allowed.
    await k.admission.createValidatingAdmissionPolicy({ body: protectionPolicy('p-contents') });
    await k.admission.createValidatingAdmissionPolicyBinding({
      body: bindingFor('p-contents', { objectSelector: { matchLabels: PROTECTED } }),
    });
    const ns = await gatewayNamespace();
    await k.core.patchNamespacedPersistentVolumeClaim({
      name: 'audit-vault-0',
      namespace: ns,
      body: [{ op: 'add', path: '/metadata/labels', value: PROTECTED }],
    });

    await k.core.deleteNamespace({ name: ns });
    await eventually(async () => (await k.networking.listNamespacedIngress({ namespace: ns })).items.length === 0);
    expect((await k.core.readNamespace({ name: ns })).status?.phase).toBe('Terminating');
    expect(
      (await k.core.listNamespacedPersistentVolumeClaim({ namespace: ns })).items.map((i) => i.metadata?.name),
    ).toEqual(['audit-vault-0']);

    await k.admission.deleteValidatingAdmissionPolicyBinding({ name: 'p-contents-binding' });
    await eventually(() => gone(k.core.readNamespace({ name: ns })));
    await k.admission.deleteValidatingAdmissionPolicy({ name: 'p-contents' });
  });

  test("`request.operation != 'DELETE'` with no reason denies as Invalid (422) quoting the expression", async () => {
    const policy = protectionPolicy('p-operation', "request.operation != 'DELETE'");
    policy.spec!.validations = [{ expression: "request.operation != 'DELETE'" }];
    await k.admission.createValidatingAdmissionPolicy({ body: policy });
    await k.admission.createValidatingAdmissionPolicyBinding({ body: bindingFor('p-operation') });
    try {
      const ns = await gatewayNamespace(PROTECTED);
      const denied = await expectStatus(
        k.networking.deleteNamespacedIngress({ name: 'public-gateway', namespace: ns }),
        422,
        'Invalid',
      );
      expect(denied.message).toMatch(/denied request: failed expression: request\.operation != 'DELETE'$/);
    } finally {
      await k.admission.deleteValidatingAdmissionPolicyBinding({ name: 'p-operation-binding' });
      await k.admission.deleteValidatingAdmissionPolicy({ name: 'p-operation' });
    }
  });

  test('expressions on labels work; an unsupported one fails closed under failurePolicy Fail', async () => {
    const policy = protectionPolicy('p-labels');
    policy.spec!.validations = [
      {
        expression: "!has(oldObject.metadata.labels) || !('gwctl.io/keep' in oldObject.metadata.labels)",
        message: 'kept',
        reason: 'Forbidden',
      },
      { expression: "authorizer.group('').resource('x').check('delete').allowed()", reason: 'Forbidden' },
    ];
    policy.spec!.matchConstraints!.resourceRules = [
      { apiGroups: [''], apiVersions: ['v1'], operations: ['DELETE'], resources: ['configmaps'] },
    ];
    await k.admission.createValidatingAdmissionPolicy({ body: policy });
    await k.admission.createValidatingAdmissionPolicyBinding({ body: bindingFor('p-labels', {}) });
    try {
      const ns = await gatewayNamespace();
      await k.core.createNamespacedConfigMap({
        namespace: ns,
        body: { metadata: { name: 'keep', labels: { 'gwctl.io/keep': 'yes' } } },
      });
      const kept = await expectStatus(
        k.core.deleteNamespacedConfigMap({ name: 'keep', namespace: ns }),
        403,
        'Forbidden',
      );
      expect(kept.message).toMatch(/denied request: kept$/);
      const unsupported = await expectStatus(
        k.core.deleteNamespacedConfigMap({ name: 'public-gateway', namespace: ns }),
        422,
        'Invalid',
      );
      expect(unsupported.message).toMatch(/expression 'authorizer\.group.*' resulted in error/);
    } finally {
      await k.admission.deleteValidatingAdmissionPolicyBinding({ name: 'p-labels-binding' });
      await k.admission.deleteValidatingAdmissionPolicy({ name: 'p-labels' });
    }
  });

  test('a binding selecting the namespace by kubernetes.io/metadata.name protects it and its contents', async () => {
    const policy = protectionPolicy('p-by-name');
    policy.spec!.validations = [
      { expression: "request.operation != 'DELETE'", message: 'protected', reason: 'Forbidden' },
    ];
    await k.admission.createValidatingAdmissionPolicy({ body: policy });
    const ns = await gatewayNamespace();
    await k.admission.createValidatingAdmissionPolicyBinding({
      body: bindingFor('p-by-name', { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': ns } } }),
    });
    try {
      await expectStatus(k.core.deleteNamespace({ name: ns }), 403, 'Forbidden');
      await expectStatus(
        k.core.deleteNamespacedPersistentVolumeClaim({ name: 'audit-vault-0', namespace: ns }),
        403,
        'Forbidden',
      );
      const other = await gatewayNamespace();
      await k.core.deleteNamespacedPersistentVolumeClaim({ name: 'audit-vault-0', namespace: other });
    } finally {
      await k.admission.deleteValidatingAdmissionPolicyBinding({ name: 'p-by-name-binding' });
      await k.admission.deleteValidatingAdmissionPolicy({ name: 'p-by-name' });
    }
  });

  test('a Warn binding lets the request through with a Warning header', async () => {
    await k.admission.createValidatingAdmissionPolicy({ body: protectionPolicy('p-warn') });
    const binding = bindingFor('p-warn');
    binding.spec!.validationActions = ['Warn'];
    await k.admission.createValidatingAdmissionPolicyBinding({ body: binding });
    try {
      const ns = await gatewayNamespace(PROTECTED);
      const res = await k.apps.deleteNamespacedStatefulSetWithHttpInfo({ name: 'vault', namespace: ns });
      expect(res.httpStatusCode).toBe(200);
      expect(res.headers.warning).toMatch(
        /Validation failed for ValidatingAdmissionPolicy 'p-warn' with binding 'p-warn-binding'/,
      );
    } finally {
      await k.admission.deleteValidatingAdmissionPolicyBinding({ name: 'p-warn-binding' });
      await k.admission.deleteValidatingAdmissionPolicy({ name: 'p-warn' });
    }
  });

  test('variables compose lazily: one that fails only matters to the expression that reads it', async () => {
    // k8s.io/apiserver/pkg/admission/plugin/cel/composition.go: variables are a lazy map, evaluated on first read,
    // and a failing one reads `composited variable "…" fails to evaluate: …`.
    const policy = protectionPolicy('p-variables');
    policy.spec!.variables = [
      { name: 'protected', expression: "namespaceObject.metadata.labels['gwctl.io/protected'] == 'true'" },
      { name: 'keepers', expression: "variables.protected ? ['vault'] : []" },
      { name: 'broken', expression: 'object.metadata.name' },
    ];
    policy.spec!.validations = [
      {
        expression: '!(oldObject.metadata.name in variables.keepers)',
        messageExpression: "'  ' + oldObject.metadata.name + ' is kept in ' + namespaceObject.metadata.name + '  '",
        reason: 'Forbidden',
      },
    ];
    policy.spec!.matchConstraints!.resourceRules = [
      { apiGroups: ['apps'], apiVersions: ['v1'], operations: ['DELETE'], resources: ['statefulsets'] },
    ];
    await k.admission.createValidatingAdmissionPolicy({ body: policy });
    await k.admission.createValidatingAdmissionPolicyBinding({ body: bindingFor('p-variables', {}) });
    try {
      const ns = await gatewayNamespace(PROTECTED);
      // messageExpression's result is trimmed (validator.go).
      const kept = await expectStatus(
        k.apps.deleteNamespacedStatefulSet({ name: 'vault', namespace: ns }),
        403,
        'Forbidden',
      );
      expect(kept.message).toMatch(new RegExp(`denied request: vault is kept in ${ns}$`));

      policy.spec!.validations = [{ expression: 'variables.broken == "x"', reason: 'Forbidden' }];
      await k.admission.replaceValidatingAdmissionPolicy({ name: 'p-variables', body: policy });
      const broken = await expectStatus(
        k.apps.deleteNamespacedStatefulSet({ name: 'vault', namespace: ns }),
        422,
        'Invalid',
      );
      expect(broken.message).toMatch(
        /expression 'variables\.broken == "x"' resulted in error: composited variable "broken" fails to evaluate: /,
      );
    } finally {
      await k.admission.deleteValidatingAdmissionPolicyBinding({ name: 'p-variables-binding' });
      await k.admission.deleteValidatingAdmissionPolicy({ name: 'p-variables' });
    }
  });

  test('a messageExpression with a line break or an error falls back to the static message', async () => {
    // validator.go: a multi-line or failing messageExpression is dropped for `message`.
    const policy = protectionPolicy('p-message');
    policy.spec!.validations = [
      { expression: 'false', messageExpression: "'two\\nlines'", message: 'static one', reason: 'Forbidden' },
    ];
    await k.admission.createValidatingAdmissionPolicy({ body: policy });
    await k.admission.createValidatingAdmissionPolicyBinding({ body: bindingFor('p-message') });
    try {
      const ns = await gatewayNamespace(PROTECTED);
      const denied = await expectStatus(
        k.apps.deleteNamespacedStatefulSet({ name: 'vault', namespace: ns }),
        403,
        'Forbidden',
      );
      expect(denied.message).toMatch(/denied request: static one$/);
    } finally {
      await k.admission.deleteValidatingAdmissionPolicyBinding({ name: 'p-message-binding' });
      await k.admission.deleteValidatingAdmissionPolicy({ name: 'p-message' });
    }
  });

  test('a policy can use the Kubernetes list and regex libraries', async () => {
    // k8s.io/apiserver/pkg/cel/library: lists.go (indexOf), regex.go (find).
    const policy = protectionPolicy('p-libraries');
    policy.spec!.validations = [
      {
        expression: "['vault', 'public-gateway'].indexOf(oldObject.metadata.name) < 0",
        messageExpression: "'kept: ' + oldObject.metadata.name.find('[a-z]+')",
        reason: 'Forbidden',
      },
    ];
    await k.admission.createValidatingAdmissionPolicy({ body: policy });
    await k.admission.createValidatingAdmissionPolicyBinding({ body: bindingFor('p-libraries') });
    try {
      const ns = await gatewayNamespace(PROTECTED);
      const denied = await expectStatus(
        k.networking.deleteNamespacedIngress({ name: 'public-gateway', namespace: ns }),
        403,
        'Forbidden',
      );
      expect(denied.message).toMatch(/denied request: kept: public$/);
      await k.core.deleteNamespacedPersistentVolumeClaim({ name: 'audit-vault-0', namespace: ns });
    } finally {
      await k.admission.deleteValidatingAdmissionPolicyBinding({ name: 'p-libraries-binding' });
      await k.admission.deleteValidatingAdmissionPolicy({ name: 'p-libraries' });
    }
  });
});
