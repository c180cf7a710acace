import { readFileSync } from 'node:fs';
import { ApiException } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEnvironmentAdmins } from '../../src/lib/cloud/environment-admins.js';
import { applyProtectionPlan, buildProtectionPlan } from '../../src/lib/protection/plan.js';
import { protectionStatus, readProtection, type ProtectionStatus } from '../../src/lib/protection/status.js';
import { startGatewayFixture, TFVARS, type GatewayFixture } from '../helpers/gateway-fixture.js';
import { kubeClients, type KubeClients } from '@gwctl/emulators/testing';

let f: GatewayFixture;
let k: KubeClients;

beforeAll(async () => {
  f = await startGatewayFixture({ envName: 'prod' });
  k = kubeClients(f.kube.url);
});
afterAll(async () => f?.close());

async function status(): Promise<ProtectionStatus> {
  const env = f.env();
  return protectionStatus(await readProtection(env, await openEnvironmentAdmins(env)));
}

async function setProtection(on: boolean): Promise<void> {
  const env = f.env();
  const admins = await openEnvironmentAdmins(env);
  await applyProtectionPlan(buildProtectionPlan(await readProtection(env, admins), on), admins);
}

const denied = async (p: Promise<unknown>) => {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ApiException);
  expect((err as ApiException<unknown>).code).toBe(403);
  return String((err as ApiException<string>).body);
};

describe('destroy protection, over the wire', () => {
  it('protect turns all three places on, keeping the var file’s comments and layout', async () => {
    await setProtection(true);
    const s = await status();
    expect(s.verdict).toBe('protected');
    expect(readFileSync(f.tfvars, 'utf8')).toBe(
      TFVARS.replace('prevent_destruction = false #', 'prevent_destruction = true #'),
    );
    const [vault] = await f.storage.bucket(f.buckets.vault).getMetadata();
    expect(vault.labels).toEqual({ 'gwctl-protected': 'true' });
    expect(vault.versioning?.enabled).toBe(true);
    expect(Number(vault.softDeletePolicy?.retentionDurationSeconds)).toBeGreaterThanOrEqual(7 * 86_400);
    for (const b of [f.buckets.parcels, f.buckets.backups, f.buckets.extra])
      expect((await f.storage.bucket(b).getMetadata())[0].labels).toMatchObject({ 'gwctl-protected': 'true' });
  });

  it('while protected, the API server refuses to delete the Ingress, the PVC, the StatefulSet and the namespace', async () => {
    const ns = f.namespace;
    const body = await denied(k.networking.deleteNamespacedIngress({ name: 'public-gateway', namespace: ns }));
    expect(body).toContain('gwctl env unprotect prod');
    await denied(k.core.deleteNamespacedPersistentVolumeClaim({ name: 'data-vault-0', namespace: ns }));
    await denied(k.apps.deleteNamespacedStatefulSet({ name: 'vault', namespace: ns }));
    await denied(k.core.deleteNamespace({ name: ns }));
    // Everything else stays deletable, and so does another namespace's Ingress.
    await k.core.deleteNamespacedConfigMap({ name: 'public-gateway-config', namespace: ns });
    await k.core.createNamespace({ body: { metadata: { name: 'other' } } });
    await k.networking.createNamespacedIngress({
      namespace: 'other',
      body: {
        metadata: { name: 'x' },
        spec: { ingressClassName: 'nginx', defaultBackend: { service: { name: 's', port: { number: 80 } } } },
      },
    });
    await k.networking.deleteNamespacedIngress({ name: 'x', namespace: 'other' });
  });

  it('protecting again changes nothing', async () => {
    const env = f.env();
    const plan = buildProtectionPlan(await readProtection(env, await openEnvironmentAdmins(env)), true);
    expect(plan.steps).toEqual([]);
  });

  it('status names the part that disagrees: the admission binding deleted by hand', async () => {
    await k.admission.deleteValidatingAdmissionPolicyBinding({ name: 'gwctl-destroy-protection-prod' });
    const s = await status();
    expect(s.verdict).toBe('inconsistent');
    expect(s.disagreeing).toEqual(['kubernetes']);
    expect(s.parts.find((p) => p.part === 'kubernetes')!.problems.join()).toMatch(
      /binding does not, so nothing is enforced/,
    );
  });

  it('status names the part that disagrees: one bucket’s label removed by hand', async () => {
    await setProtection(true);
    await f.storage.bucket(f.buckets.backups).setMetadata({ labels: { 'gwctl-protected': null } });
    const s = await status();
    expect(s.verdict).toBe('inconsistent');
    expect(s.disagreeing).toEqual(['buckets']);
    expect(s.parts.find((p) => p.part === 'buckets')!.problems).toEqual([
      `gs://${f.buckets.backups} lacks the gwctl-protected=true label`,
    ]);
  });

  it('unprotect turns everything off; the Vault bucket keeps versioning and soft delete', async () => {
    await setProtection(false);
    const s = await status();
    expect(s.verdict).toBe('unprotected');
    expect(s.parts.every((p) => !p.engaged)).toBe(true);
    expect(readFileSync(f.tfvars, 'utf8')).toBe(TFVARS);
    const [vault] = await f.storage.bucket(f.buckets.vault).getMetadata();
    expect(vault.labels?.['gwctl-protected']).toBeUndefined();
    expect(vault.versioning?.enabled).toBe(true);
    await k.core.deleteNamespacedConfigMap({ name: 'keyev', namespace: f.namespace });
    expect(f.kube.objects('ValidatingAdmissionPolicy')).toEqual([]);
  });
});
