import { dirname } from 'node:path';
import type { Environment } from '../config/schema.js';
import { sandboxDir, sandboxFiles } from './paths.js';
import { isRunning, readSandboxState } from './state.js';

export const SANDBOX_BUCKETS = {
  parcels: 'gateway-sandbox-parcels-000000',
  vault: 'relaycorp-gateway-sandbox-vault',
  backups: 'relaycorp-gateway-sandbox-backups',
} as const;

/**
 * The built-in `sandbox` environment: the same shape as a real one, pointing at the local emulators.
 * Endpoints are read from the running sandbox's state file; when it is not running they are absent.
 */
export function sandboxEnvironment(dir = sandboxDir()): Environment {
  const files = sandboxFiles(dir);
  const state = readSandboxState(dir);
  const ep = isRunning(state) ? state.endpoints : undefined;
  return {
    name: 'sandbox',
    source: 'built-in (gwctl sandbox)',
    project: 'gwctl-sandbox',
    region: 'local',
    kube: { namespace: 'default', context: 'gwctl-sandbox', ...(ep ? { server: ep.kube } : {}) },
    buckets: { ...SANDBOX_BUCKETS },
    extraBuckets: [],
    mongodb: {
      uriFile: files.mongoUri,
      database: 'awala-gateway',
      configCollection: 'configitems',
      keystoreCollections: ['certificationpaths', 'identitypublickeydatas', 'peerpublickeydatas'],
    },
    keyev: { backend: 'firestore', collection: 'keyev', configMap: 'keyev' },
    firestore: { databaseId: '(default)' },
    endpoints: {
      ...(ep?.poweb ? { poweb: ep.poweb } : {}),
      ...(ep?.pohttp ? { pohttp: ep.pohttp } : {}),
      ...(ep?.cogrpc ? { cogrpc: ep.cogrpc } : {}),
      caFile: files.ca,
    },
    terraform: { varFile: files.tfvars },
    infra: { manifests: dirname(files.manifests), terraformState: files.terraformState },
    monitoring: { urlMaps: ['gateway-sandbox-lb'], forwardingRules: [], backendServices: ['gateway-sandbox-poweb'] },
    workloads: {
      deployments: [
        'public-gateway-poweb',
        'public-gateway-pohttp',
        'public-gateway-cogrpc',
        'public-gateway-pdcout',
        'public-gateway-crcin',
      ],
      ingress: 'public-gateway',
      backendConfig: 'cogrpc',
      vault: 'statefulset/vault',
    },
    emulators: ep
      ? { storage: ep.gcs, firestore: ep.firestore, ...(ep.monitoring ? { monitoring: ep.monitoring } : {}) }
      : undefined,
  };
}
