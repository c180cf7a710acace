import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Environment } from '../../src/lib/config/schema.js';
import type { DiagnoseOptions } from '../../src/lib/diagnose/diagnosis.js';
import { startDiagnoseStandIns, type DiagnoseStandIns, type StandInsPatch } from '@gwctl/emulators/stand-ins';
import { tempDir } from '../helpers/cli.js';

export interface Gateway {
  standIns: DiagnoseStandIns;
  env: Environment;
  caFile: string;
  close(): Promise<void>;
}

/** A gateway's endpoints as stand-ins (healthy preset, then `config`), and an environment pointing at them. */
export async function startGateway(config: StandInsPatch = {}): Promise<Gateway> {
  const caFile = join(tempDir('gwctl-diagnose-'), 'ca.pem');
  const standIns = await startDiagnoseStandIns({ caFile, config, project: 'gwctl-test' });
  return { standIns, env: environmentFor(standIns, caFile), caFile, close: () => standIns.close() };
}

export function environmentFor(
  s: Pick<DiagnoseStandIns, 'poweb' | 'cogrpc' | 'monitoring' | 'lb'>,
  caFile: string,
): Environment {
  return {
    name: 'emu',
    source: 'test',
    project: s.lb.projectId,
    region: 'europe-west1',
    kube: { namespace: 'default' },
    buckets: {},
    extraBuckets: [],
    keyev: { backend: 'firestore', collection: 'keyev', configMap: 'keyev' },
    firestore: { databaseId: '(default)' },
    endpoints: { poweb: s.poweb, cogrpc: s.cogrpc, caFile },
    monitoring: { urlMaps: [s.lb.urlMap], forwardingRules: [], backendServices: [s.lb.backendService] },
    workloads: { deployments: [], ingress: 'public-gateway', backendConfig: 'cogrpc', vault: 'statefulset/vault' },
    cloudBuild: { trigger: 'gateway-gke-deployment' },
    emulators: { monitoring: s.monitoring },
  };
}

/** Short, so each test takes seconds: a few requests, a 1 s hold, a 5 s request timeout. */
export const quick = (overrides: Partial<DiagnoseOptions> = {}): DiagnoseOptions => ({
  requests: 3,
  holdMs: 1000,
  sinceMs: 3_600_000,
  skip: new Set(),
  slo: [],
  requestTimeoutMs: 5000,
  cogrpcWarmCalls: 3,
  cogrpcDeadlineMs: 10_000,
  ...overrides,
});

export function writeCa(pem: string): string {
  const file = join(tempDir('gwctl-ca-'), 'ca.pem');
  writeFileSync(file, pem);
  return file;
}
