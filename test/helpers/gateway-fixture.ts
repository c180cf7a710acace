import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { KubernetesObject } from '@kubernetes/client-node';
import type { Storage } from '@google-cloud/storage';
import { resolveEnvironment } from '../../src/lib/config/environments.js';
import { loadConfig } from '../../src/lib/config/load.js';
import type { Environment } from '../../src/lib/config/schema.js';
import { startGcsEmulator, type GcsEmulator } from '@gwctl/emulators/gcs';
import type { FaultInjector } from '@gwctl/emulators/common';
import { startKubeEmulator, type KubeEmulator } from '@gwctl/emulators/kube';
import { startCloudBuildEmulator, type CloudBuildEmulator } from '@gwctl/emulators/cloudbuild';
import { startMonitoringStandIn, type MonitoringStandIn } from '@gwctl/emulators/monitoring';
import {
  SANDBOX_AUDIT_BUCKET,
  SANDBOX_BUCKETS,
  SANDBOX_OUTLINE,
  sandboxEnvironment,
} from '../../src/lib/sandbox/environment.js';
import { sandboxDir, sandboxFiles } from '../../src/lib/sandbox/paths.js';
import { ownIdentity, writeSandboxState, type SandboxState } from '../../src/lib/sandbox/state.js';
import { tempDir } from './cli.js';
import { gcsClient } from '@gwctl/emulators/testing';

export const GKE_FINALIZER = 'networking.gke.io/ingress-finalizer-V2';
export const DEPLOYMENTS = [
  'public-gateway-poweb',
  'public-gateway-pohttp',
  'public-gateway-cogrpc',
  'public-gateway-pdcout',
  'public-gateway-crcin',
];

export const TFVARS = `# Terraform variables for the gateway (test copy).
project_id = "relaycorp-gateway-test"
region     = "europe-west1"

# Refuse \`terraform destroy\` while true.
prevent_destruction = false # managed by gwctl env protect / unprotect
mongodb_cluster     = "gateway"
`;

export interface GatewayFixture {
  envName: string;
  gcs: GcsEmulator;
  kube: KubeEmulator;
  /** Serves the environment's deployment trigger, `gateway-gke-deployment`, enabled. */
  cloudbuild: CloudBuildEmulator;
  /** Reports the buckets' object_count and total_bytes, measured from the GCS emulator at start (measureStorage()). */
  monitoring: MonitoringStandIn;
  project: string;
  region: string;
  storage: Storage;
  /** `extra` is in `extraBuckets` (none in sandbox mode: the built-in sandbox has no extra bucket). */
  buckets: { parcels: string; vault: string; backups: string; extra: string };
  namespace: string;
  dir: string;
  tfvars: string;
  configFile: string;
  /** `$GWCTL_HOME` for this fixture (journal, audit log). */
  home: string;
  /** The environment, resolved from the fixture's gwctl.yaml. */
  env(): Environment;
  /** Environment variables for a spawned gwctl: config, home, no colours. */
  cliEnv: NodeJS.ProcessEnv;
  close(): Promise<void>;
}

export interface FixtureOptions {
  envName?: string;
  namespace?: string;
  lbTeardownMs?: number;
  /** Fault injectors for the emulators (e.g. a seeded 5 % for Kubernetes). */
  kubeFaults?: FaultInjector;
  gcsFaults?: FaultInjector;
  /**
   * Play the built-in `sandbox` environment: its bucket names, its tfvars under
   * `$GWCTL_HOME/sandbox/terraform/`, and a state file that points gwctl at these emulators.
   */
  sandbox?: boolean;
  objects?: { parcels?: number; vault?: number; backups?: number; extra?: number };
}

/**
 * A realistic Awala gateway in fresh GCS and Kubernetes emulators: the five gateway Deployments, a
 * Vault StatefulSet with its PVC, Services, ConfigMaps, Secrets, a backup CronJob and its Job, the
 * `public-gateway` Ingress behind a GKE load balancer; parcel, Vault (versioned) and backup buckets
 * with objects; a Terraform var file; and a gwctl.yaml pointing at all of it.
 */
export async function startGatewayFixture(opts: FixtureOptions = {}): Promise<GatewayFixture> {
  const envName = opts.sandbox ? 'sandbox' : (opts.envName ?? 'staging');
  const namespace = opts.sandbox ? 'default' : (opts.namespace ?? 'default');
  const [gcs, kube] = await Promise.all([
    startGcsEmulator({ ...(opts.gcsFaults ? { faults: opts.gcsFaults } : {}) }),
    startKubeEmulator({
      lbTeardownMs: opts.lbTeardownMs ?? 400,
      namespaceTeardownMs: 50,
      ...(opts.kubeFaults ? { faults: opts.kubeFaults } : {}),
    }),
  ]);
  const storage = gcsClient(gcs.url);
  const hex = randomBytes(3).toString('hex');
  const buckets = {
    parcels: opts.sandbox ? SANDBOX_BUCKETS.parcels : `gateway-${envName}-parcels-${hex}`,
    vault: opts.sandbox ? SANDBOX_BUCKETS.vault : `relaycorp-gateway-${envName}-vault`,
    backups: opts.sandbox ? SANDBOX_BUCKETS.backups : `relaycorp-gateway-${envName}-backups`,
    extra: opts.sandbox ? '' : `gateway-${envName}-logs-${hex}`,
  };
  const counts = { parcels: 40, vault: 30, backups: 5, extra: 3, ...opts.objects };
  await seedBuckets(storage, buckets, counts);
  // The sandbox records every change in its shared audit log, as `gwctl sandbox start` sets it up.
  if (opts.sandbox) await storage.createBucket(SANDBOX_AUDIT_BUCKET);
  seedKube(kube, namespace);
  const project = opts.sandbox ? SANDBOX_OUTLINE.project : `relaycorp-gateway-${envName}`;
  const region = opts.sandbox ? SANDBOX_OUTLINE.region : 'europe-west1';
  const [cloudbuild, monitoring] = await Promise.all([
    startCloudBuildEmulator({
      seed: [{ project, location: region, trigger: { name: 'gateway-gke-deployment', filename: 'cloudbuild.yaml' } }],
    }),
    startMonitoringStandIn({ lb: { projectId: project }, storage: { project, measure: () => gcs.usage() } }),
  ]);

  const dir = tempDir('gwctl-gateway-');
  const home = join(dir, 'home');
  mkdirSync(join(dir, 'infra'), { recursive: true });
  const tfvars = opts.sandbox
    ? sandboxFiles(sandboxDir({ GWCTL_HOME: home })).tfvars
    : join(dir, 'infra', `${envName}.tfvars`);
  mkdirSync(dirname(tfvars), { recursive: true });
  writeFileSync(tfvars, TFVARS);
  if (opts.sandbox) {
    const sandbox = sandboxDir({ GWCTL_HOME: home });
    // As a running `gwctl sandbox` would: this process is the sandbox, so the state counts as live.
    const state: SandboxState = {
      ...ownIdentity(),
      startedAt: new Date().toISOString(),
      dir: sandbox,
      endpoints: {
        gcs: gcs.url,
        kube: kube.url,
        mongodb: 'mongodb://127.0.0.1:1',
        firestore: '127.0.0.1:1',
        monitoring: monitoring.address,
        cloudbuild: cloudbuild.host,
      },
    };
    writeSandboxState(sandbox, state);
  }
  const configFile = join(dir, 'gwctl.yaml');
  writeFileSync(
    configFile,
    opts.sandbox
      ? 'audit:\n  file: ./home/audit.jsonl\nenvironments: {}\n'
      : `audit:
  file: ./home/audit.jsonl
environments:
  ${envName}:
    project: ${project}
    region: ${region}
    kube:
      server: ${kube.url}
      namespace: ${namespace}
    buckets:
      parcels: ${buckets.parcels}
      vault: ${buckets.vault}
      backups: ${buckets.backups}
    extraBuckets: [${buckets.extra}]
    terraform:
      varFile: ./infra/${envName}.tfvars
    emulators:
      storage: ${gcs.url}
      monitoring: ${monitoring.address}
      cloudbuild: ${cloudbuild.host}
`,
  );
  return {
    envName,
    gcs,
    kube,
    cloudbuild,
    monitoring,
    project,
    region,
    storage,
    buckets,
    namespace,
    dir,
    tfvars,
    configFile,
    home,
    env: () =>
      opts.sandbox
        ? sandboxEnvironment(sandboxDir({ GWCTL_HOME: home }))
        : resolveEnvironment(loadConfig({ flag: configFile }), envName, sandboxEnvironment),
    cliEnv: { GWCTL_CONFIG: configFile, GWCTL_HOME: home, NO_COLOR: '1', STORAGE_EMULATOR_HOST: '' },
    async close() {
      await Promise.all([gcs.close(), kube.close(), cloudbuild.close(), monitoring.close()]);
    },
  };
}

async function seedBuckets(
  storage: Storage,
  b: GatewayFixture['buckets'],
  counts: Required<NonNullable<FixtureOptions['objects']>>,
): Promise<void> {
  // GCS gives new buckets 7 days of soft delete by default.
  const softDeletePolicy = { retentionDurationSeconds: 7 * 86_400 };
  await storage.createBucket(b.parcels, {
    location: 'EUROPE-WEST1',
    softDeletePolicy,
    lifecycle: { rule: [{ action: { type: 'Delete' }, condition: { age: 2 } }] },
  });
  await storage.createBucket(b.vault, { location: 'EUROPE-WEST1', softDeletePolicy, versioning: { enabled: true } });
  await storage.createBucket(b.backups, {
    location: 'EUROPE-WEST1',
    lifecycle: { rule: [{ action: { type: 'SetStorageClass', storageClass: 'COLDLINE' }, condition: { age: 30 } }] },
  });
  if (b.extra) await storage.createBucket(b.extra, { location: 'EUROPE-WEST1' });
  const put = (bucket: string, names: string[], prefix: string) =>
    Promise.all(
      names.map((name, i) =>
        storage
          .bucket(bucket)
          .file(name)
          .save(Buffer.from(`${prefix}:${i}:${'x'.repeat(64 + (i % 50))}`), { resumable: false }),
      ),
    );
  await put(
    b.parcels,
    range(counts.parcels, (i) => `parcels/gateway-bound/0deadbeef/${hexOf(`peer-${i % 7}`)}/${hexOf(`parcel-${i}`)}`),
    'parcel',
  );
  const vaultNames = [
    'core/_keyring',
    'core/_master',
    'core/_seal-config',
    ...range(Math.max(0, counts.vault - 3), (i) => `logical/7f1c2a/_h${hexOf(String(i))}`),
  ];
  await put(b.vault, vaultNames, 'vault:v1');
  // A second generation of a few entries: the Vault bucket has noncurrent versions, as a real one does.
  await put(b.vault, vaultNames.slice(0, 3), 'vault:v2');
  await put(
    b.backups,
    range(counts.backups, (i) => `vault/2024-05-0${(i % 9) + 1}/snapshot.tar.gz`),
    'backup',
  );
  if (b.extra)
    await put(
      b.extra,
      range(counts.extra, (i) => `logs/${i}.json`),
      'log',
    );
}

function seedKube(kube: KubeEmulator, ns: string): void {
  const meta = (name: string, extra: Record<string, unknown> = {}) => ({
    name,
    namespace: ns,
    labels: { app: name, 'app.kubernetes.io/part-of': 'awala-gateway' },
    ...extra,
  });
  const podTemplate = (name: string) => ({
    metadata: { labels: { app: name } },
    spec: { containers: [{ name, image: `ghcr.io/relaycorp/awala-gateway-internet:1.2.3` }] },
  });
  const objects: Record<string, unknown>[] = [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } },
    ...DEPLOYMENTS.map((name) => ({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: meta(name),
      spec: { replicas: 2, selector: { matchLabels: { app: name } }, template: podTemplate(name) },
    })),
    {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: meta('vault'),
      spec: {
        replicas: 1,
        serviceName: 'vault',
        selector: { matchLabels: { app: 'vault' } },
        template: podTemplate('vault'),
        volumeClaimTemplates: [
          {
            metadata: { name: 'data' },
            spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '10Gi' } } },
          },
        ],
      },
    },
    {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: meta('data-vault-0'),
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '10Gi' } } },
    },
    ...['public-gateway-poweb', 'public-gateway-pohttp', 'public-gateway-cogrpc', 'vault'].map((name) => ({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: meta(name, { annotations: { 'cloud.google.com/neg': '{"ingress": true}' } }),
      spec: {
        type: 'ClusterIP',
        selector: { app: name },
        ports: [{ name: 'http', port: name === 'vault' ? 8200 : 8080 }],
      },
    })),
    ...(ns !== 'default'
      ? []
      : [
          {
            apiVersion: 'v1',
            kind: 'Service',
            metadata: { name: 'kubernetes', namespace: ns },
            spec: { type: 'ClusterIP', ports: [{ port: 443 }] },
          },
        ]),
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta('keyev'), data: { 'private-address': '0deadbeef' } },
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: meta('public-gateway-config'),
      data: { GATEWAY_VERSION: '1.2.3' },
    },
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'kube-root-ca.crt', namespace: ns },
      data: { 'ca.crt': '-----BEGIN CERTIFICATE-----' },
    },
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: meta('gateway-keys'),
      type: 'Opaque',
      data: { key: Buffer.from('not-a-real-key').toString('base64') },
    },
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: meta('mongodb-uri'),
      type: 'Opaque',
      data: { uri: Buffer.from('mongodb://redacted').toString('base64') },
    },
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: {
        name: 'default-token-x7k2p',
        namespace: ns,
        annotations: { 'kubernetes.io/service-account.name': 'default' },
      },
      type: 'kubernetes.io/service-account-token',
      data: { token: Buffer.from('t').toString('base64') },
    },
    {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: meta('vault-backup'),
      spec: {
        schedule: '0 3 * * *',
        jobTemplate: {
          spec: {
            template: { spec: { restartPolicy: 'OnFailure', containers: [{ name: 'backup', image: 'gwctl' }] } },
          },
        },
      },
    },
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: meta('public-gateway', {
        finalizers: [GKE_FINALIZER],
        annotations: { 'kubernetes.io/ingress.global-static-ip-name': 'gateway' },
      }),
      spec: { defaultBackend: { service: { name: 'public-gateway-poweb', port: { number: 8080 } } } },
      status: { loadBalancer: { ingress: [{ ip: '34.120.10.20' }] } },
    },
  ];
  const [seeded] = [kube.seed(objects as unknown as KubernetesObject[])];
  const cron = seeded.find((o) => o.kind === 'CronJob')!;
  kube.seed([
    {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: {
        ...meta('vault-backup-28612345'),
        ownerReferences: [
          {
            apiVersion: 'batch/v1',
            kind: 'CronJob',
            name: 'vault-backup',
            uid: cron.metadata.uid!,
            controller: true,
            blockOwnerDeletion: true,
          },
        ],
      },
      spec: { template: { spec: { restartPolicy: 'OnFailure', containers: [{ name: 'backup', image: 'gwctl' }] } } },
    } as KubernetesObject,
  ]);
}

const range = <T>(n: number, f: (i: number) => T) => Array.from({ length: n }, (_, i) => f(i));
const hexOf = (s: string) => Buffer.from(s).toString('hex').slice(0, 40).padEnd(40, '0');
