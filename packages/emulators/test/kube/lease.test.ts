import { CoordinationV1Api, V1MicroTime, type V1Lease } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startKubeEmulator, type KubeEmulator } from '../../src/kube/index.js';
import { kubeClients, type KubeClients } from '../../src/testing/index.js';
import { expectStatus } from '../helpers/kube.js';

let emu: KubeEmulator;
let k: KubeClients;
let leases: CoordinationV1Api;
const namespace = 'default';

beforeAll(async () => {
  emu = await startKubeEmulator();
  k = kubeClients(emu.url);
  leases = k.kc.makeApiClient(CoordinationV1Api);
});
afterAll(async () => emu.close());

const lease = (name: string, holder: string, extra: Partial<NonNullable<V1Lease['spec']>> = {}): V1Lease => ({
  metadata: { name, namespace },
  spec: {
    holderIdentity: holder,
    leaseDurationSeconds: 60,
    acquireTime: new V1MicroTime(),
    renewTime: new V1MicroTime(),
    leaseTransitions: 0,
    ...extra,
  },
});

// coordination.k8s.io/v1 Lease: https://kubernetes.io/docs/reference/kubernetes-api/cluster-resources/lease-v1/
describe('Leases (coordination.k8s.io/v1), as client-go leader election and kubectl use them', () => {
  test('discovery lists leases in coordination.k8s.io/v1, namespaced', async () => {
    const list = (await k.objects.list('coordination.k8s.io/v1', 'Lease', namespace)) as { items: unknown[] };
    expect(list.items).toEqual([]);
  });

  test('a Lease is created, read back with its MicroTimes, renewed by a replace carrying its resourceVersion', async () => {
    const created = await leases.createNamespacedLease({ namespace, body: lease('renewed', 'alice') });
    expect(created.spec?.holderIdentity).toBe('alice');
    // MicroTime is RFC3339 with six fractional digits, as the server writes it back.
    const raw = (await k.objects.read({
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: 'renewed', namespace },
    })) as unknown as { spec: { renewTime: string } };
    expect(String(raw.spec.renewTime)).toMatch(/\.\d{6}Z$/);
    const renewed = await leases.replaceNamespacedLease({
      name: 'renewed',
      namespace,
      body: { ...created, spec: { ...created.spec, renewTime: new V1MicroTime() } },
    });
    expect(Number(renewed.metadata?.resourceVersion)).toBeGreaterThan(Number(created.metadata?.resourceVersion));
  });

  test('a second create of the same Lease is AlreadyExists (409): only one holder can take it first', async () => {
    await leases.createNamespacedLease({ namespace, body: lease('taken', 'alice') });
    const status = await expectStatus(
      leases.createNamespacedLease({ namespace, body: lease('taken', 'bob') }),
      409,
      'AlreadyExists',
    );
    expect(status.message).toBe('leases.coordination.k8s.io "taken" already exists');
  });

  test('a replace with a stale resourceVersion is a Conflict (409), as two renewers racing get from the real API', async () => {
    const created = await leases.createNamespacedLease({ namespace, body: lease('raced', 'alice') });
    await leases.replaceNamespacedLease({
      name: 'raced',
      namespace,
      body: { ...created, spec: { ...created.spec, holderIdentity: 'bob', leaseTransitions: 1 } },
    });
    const status = await expectStatus(
      leases.replaceNamespacedLease({
        name: 'raced',
        namespace,
        body: { ...created, spec: { ...created.spec, renewTime: new V1MicroTime() } },
      }),
      409,
      'Conflict',
    );
    expect(status.message).toBe(
      'Operation cannot be fulfilled on leases.coordination.k8s.io "raced": the object has been modified; please apply your changes to the latest version and try again',
    );
    expect((await leases.readNamespacedLease({ name: 'raced', namespace })).spec?.holderIdentity).toBe('bob');
  });

  test('a delete with a stale resourceVersion precondition is a Conflict: a releaser never deletes a lease taken over', async () => {
    const created = await leases.createNamespacedLease({ namespace, body: lease('released', 'alice') });
    await leases.replaceNamespacedLease({
      name: 'released',
      namespace,
      body: { ...created, spec: { ...created.spec, holderIdentity: 'bob' } },
    });
    await expectStatus(
      leases.deleteNamespacedLease({
        name: 'released',
        namespace,
        body: { preconditions: { resourceVersion: created.metadata!.resourceVersion! } },
      }),
      409,
      'Conflict',
    );
    expect((await leases.readNamespacedLease({ name: 'released', namespace })).spec?.holderIdentity).toBe('bob');
  });

  test('a MicroTime with millisecond precision (a plain Date) is refused with 400, as the real API server does', async () => {
    // kubernetes-client/javascript#828 quotes the server: Go parses MicroTime with exactly six fractional digits.
    const at = '2024-05-01T10:00:00.278Z';
    const status = await expectStatus(
      k.objects.create({
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: { name: 'millis', namespace },
        spec: { holderIdentity: 'alice', renewTime: at },
      } as never),
      400,
      'BadRequest',
    );
    expect(status.message).toBe(
      `Lease in version "v1" cannot be handled as a Lease: parsing time "${at}" as "2006-01-02T15:04:05.000000Z07:00": cannot parse ".278Z" as ".000000"`,
    );
  });

  test('leaseDurationSeconds must be positive (ValidateLeaseSpec)', async () => {
    const status = await expectStatus(
      leases.createNamespacedLease({ namespace, body: lease('zero', 'alice', { leaseDurationSeconds: 0 }) }),
      422,
      'Invalid',
    );
    expect(status.message).toBe(
      'Lease "zero" is invalid: spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0',
    );
  });
});
