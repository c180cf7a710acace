import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FaultInjector, ratesFromProbability } from '@gwctl/emulators/common';
import { startKubeEmulator, type KubeEmulator } from '@gwctl/emulators/kube';
import { openClusterReader, type ClusterReader } from '../../src/lib/cloud/kube-inventory.js';
import type { Environment } from '../../src/lib/config/schema.js';
import { verifyKubernetes } from '../../src/lib/verify/kubernetes.js';
import { parseManifestText } from '../../src/lib/verify/manifests.js';

const MANIFESTS = `
apiVersion: apps/v1
kind: Deployment
metadata: {name: poweb, namespace: gw}
spec:
  replicas: 2
  selector: {matchLabels: {app: poweb}}
  template:
    metadata: {labels: {app: poweb}}
    spec:
      containers:
        - name: poweb
          image: relaycorp/relaynet-internet-gateway:1.0.0@sha256:${'4'.repeat(64)}
          resources: {requests: {cpu: 500m}}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: settings, namespace: gw}
data: {LOG_LEVEL: info}
`;

const seeded = () => parseManifestText(MANIFESTS, 'gw.yaml').objects;
const envFor = (server: string) => ({ name: 'test', kube: { server, namespace: 'gw' } }) as unknown as Environment;

describe('verifying a cluster over a flaky API', () => {
  let kube: KubeEmulator;
  // A dependable 30 % of requests fail (429, 503, dropped connection), as `--faults kube=0.3` would.
  let n = 0;
  const faults = new FaultInjector(ratesFromProbability(0.3), () => (n = (n * 7919 + 104729) % 1000) / 1000);

  beforeAll(async () => {
    kube = await startKubeEmulator({ faults });
    kube.seed(seeded().map((o) => o.body as never));
  });
  afterAll(async () => kube.close());

  it('retries what failed and reaches the same verdict: clean', async () => {
    const reader = await openClusterReader(envFor(kube.url), { baseDelayMs: 1, maxDelayMs: 5, attempts: 12 });
    const result = await verifyKubernetes({ reader, declared: seeded(), namespace: 'gw', skipKinds: [] });
    expect(result.drifts).toEqual([]);
    expect(result.counts.declared).toBe(2);
    expect(kube.log.list({ service: 'kube' }).filter((r) => r.fault).length).toBeGreaterThan(0);
  });
});

describe('a verifier without permission to list a kind', () => {
  it('is told which permission is missing and how to do without it (exit 1)', async () => {
    const forbidden: ClusterReader = {
      resources: async () => [
        { group: '', version: 'v1', kind: 'Secret', plural: 'secrets', namespaced: true, verbs: ['list'] },
      ],
      list: async () => {
        throw Object.assign(new Error('listing secrets in namespace gw: forbidden: secrets is forbidden'), {
          status: 403,
        });
      },
    };
    await expect(
      verifyKubernetes({ reader: forbidden, declared: [], namespace: 'gw', skipKinds: [] }),
    ).rejects.toMatchObject({
      exitCode: 1,
      message: expect.stringMatching(
        /forbidden.*grant `list` on secrets \(docs\/verify\.md\), or pass --skip-kind Secret$/,
      ),
    });
  });
});
