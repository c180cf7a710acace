import { dirname } from 'node:path';
import { ALERTING_DEFAULTS } from '../config/alerting-defaults.js';
import { SANDBOX_NOT_RUNNING } from '../config/environment-names.js';
import { gsUrl } from '../config/gs-url.js';
import type { Environment } from '../config/schema.js';
import { UsageError } from '../errors/gwctl-error.js';
import { sandboxDir, sandboxFiles } from './paths.js';
import { isRunning, readSandboxState, type SandboxState } from './state.js';

export const SANDBOX_BUCKETS = {
  parcels: 'gateway-sandbox-parcels-000000',
  vault: 'relaycorp-gateway-sandbox-vault',
  backups: 'relaycorp-gateway-sandbox-backups',
} as const;

/** The sandbox's shared audit log (docs/audit.md): every gwctl run against the sandbox appends there. */
export const SANDBOX_AUDIT_BUCKET = 'relaycorp-gateway-sandbox-audit';
export const SANDBOX_AUDIT_LOG = gsUrl(SANDBOX_AUDIT_BUCKET, 'log/');

/** What `env list` shows of the sandbox, running or not. */
export const SANDBOX_OUTLINE = {
  project: 'gwctl-sandbox',
  region: 'local',
  namespace: 'default',
  source: 'built-in (gwctl sandbox)',
} as const;

/**
 * The built-in `sandbox` environment, pointing at the running sandbox's emulators. Refuses (exit 2) when no
 * sandbox runs: without its endpoints the SDKs would fall back to Application Default Credentials against a
 * real Google project named `gwctl-sandbox`. Every `--env sandbox` comes here first (resolveEnvironment),
 * before any client exists.
 */
export function sandboxEnvironment(dir = sandboxDir()): Environment {
  const state = readSandboxState(dir);
  if (!isRunning(state) || !usableEndpoints(state.endpoints)) throw new UsageError(SANDBOX_NOT_RUNNING);
  return sandboxEnvironmentAt(dir, state.endpoints);
}

/** The sandbox environment over the given emulators: for the sandbox itself, while it seeds. */
export function sandboxEnvironmentAt(dir: string, ep: SandboxState['endpoints']): Environment {
  const files = sandboxFiles(dir);
  return {
    name: 'sandbox',
    source: SANDBOX_OUTLINE.source,
    project: SANDBOX_OUTLINE.project,
    region: SANDBOX_OUTLINE.region,
    kube: { namespace: SANDBOX_OUTLINE.namespace, server: ep.kube },
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
      ...(ep.poweb ? { poweb: ep.poweb } : {}),
      ...(ep.pohttp ? { pohttp: ep.pohttp } : {}),
      ...(ep.cogrpc ? { cogrpc: ep.cogrpc } : {}),
      caFile: files.ca,
    },
    terraform: { varFile: files.tfvars },
    infra: { manifests: dirname(files.manifests), terraformState: files.terraformState },
    monitoring: {
      urlMaps: ['gateway-sandbox-lb'],
      forwardingRules: [],
      backendServices: ['gateway-sandbox-poweb'],
      alerting: {
        notificationChannels: ['sandbox-oncall'],
        thresholds: { ...ALERTING_DEFAULTS.thresholds },
        backends: { ...ALERTING_DEFAULTS.backends, poweb: 'gateway-sandbox-poweb' },
        disable: [],
      },
    },
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
    cloudBuild: { trigger: 'gateway-gke-deployment' },
    // The key lives with the emulators' data: a reset makes a new log, signed by a new key.
    audit: { log: SANDBOX_AUDIT_LOG, signer: { keyFile: files.auditKey }, witnesses: [] },
    emulators: {
      storage: ep.gcs,
      firestore: ep.firestore,
      monitoring: ep.monitoring,
      cloudbuild: ep.cloudbuild,
      ...(ep.storagetransfer ? { storagetransfer: ep.storagetransfer } : {}),
    },
  };
}

/**
 * Every emulator there (a state file from an older gwctl may lack one, and a client for it would go to Google
 * instead), and all on this machine, as the sandbox only ever listens: a hand-edited state file sends nothing away.
 */
function usableEndpoints(ep: Partial<SandboxState['endpoints']> | undefined): boolean {
  if (!ep?.gcs || !ep.kube || !ep.firestore || !ep.monitoring || !ep.cloudbuild) return false;
  return Object.values(ep).every((e) => typeof e === 'string' && isLocal(e));
}

function isLocal(endpoint: string): boolean {
  try {
    const { hostname } = new URL(endpoint.includes('://') ? endpoint : `tcp://${endpoint}`);
    return ['127.0.0.1', 'localhost', '[::1]'].includes(hostname);
  } catch {
    return false;
  }
}
