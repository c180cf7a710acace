import * as z from 'zod/mini';
import { ALERTING_DEFAULTS } from './alerting-defaults.js';
import { BUCKET_NAMING_URL, bucketNameProblem } from './bucket-name.js';
import { ENVIRONMENT_NAME, ENVIRONMENT_NAME_RULE } from './environment-names.js';
import { kubeAccessConflict } from './kube-access.js';
import { ENV_VAR_NAME, looksLikeUri, uriInConfigMessage } from './uri-sources.js';

// zod/mini rather than zod: the same validation, and with the build's bundle (scripts/bundle-config-parser.js)
// validating gwctl.yaml on every run stays within gwctl's startup goal.

const nonEmpty = () => z.string().check(z.minLength(1));
const names = () => z.array(nonEmpty());

const bucketName = z.string().check(
  z.refine((name) => bucketNameProblem(name) === undefined, {
    error: (issue) =>
      `expected a GCS bucket name (${bucketNameProblem(String(issue.input))}; ${BUCKET_NAMING_URL}), got ${JSON.stringify(issue.input)?.slice(0, 70)}`,
  }),
);

/** An http(s) URL with no user or password in it: gwctl.yaml holds no secrets. */
const httpUrl = () =>
  z.url({ protocol: /^https?$/ }).check(
    z.refine((v) => !/^[^:]+:\/\/[^/?#]*@/.test(v), {
      message: 'must not carry credentials (user:password@ in the URL); gwctl.yaml holds no secrets',
    }),
  );

/** Where the MongoDB URI comes from: never the yaml itself, so the file can be committed. */
const mongodb = z
  .strictObject({
    /** Environment variable holding the URI. */
    uriEnv: z.optional(
      z.string().check(
        z.refine((v) => !looksLikeUri(v), { message: uriInConfigMessage('uriEnv'), abort: true }),
        z.regex(ENV_VAR_NAME, 'the name of an environment variable (letters, digits and _, not starting with a digit)'),
      ),
    ),
    /** File holding the URI. */
    uriFile: z.optional(
      nonEmpty().check(z.refine((v) => !looksLikeUri(v), { message: uriInConfigMessage('uriFile') })),
    ),
    database: z._default(nonEmpty(), 'awala-gateway'),
    configCollection: z._default(nonEmpty(), 'configitems'),
    keystoreCollections: z._default(names(), ['certificationpaths', 'identitypublickeydatas', 'peerpublickeydatas']),
  })
  .check(
    z.refine((m) => Boolean(m.uriEnv) !== Boolean(m.uriFile), {
      message: 'set exactly one of uriEnv or uriFile (the URI itself never goes in gwctl.yaml)',
    }),
  );

const keyev = z.strictObject({
  backend: z._default(z.enum(['firestore', 'configmap']), 'firestore'),
  collection: z._default(nonEmpty(), 'keyev'),
  configMap: z._default(nonEmpty(), 'keyev'),
});

const kube = z
  .strictObject({
    context: z.optional(nonEmpty()),
    namespace: z._default(nonEmpty(), 'default'),
    /** An API server to talk to directly, with no credentials (an emulator); never with context (./kube-access.ts). */
    server: z.optional(httpUrl()),
    kubeconfig: z.optional(nonEmpty()),
  })
  .check(
    z.refine((k) => kubeAccessConflict(k) === undefined, {
      error: (issue) => kubeAccessConflict(issue.input as { server?: string }),
    }),
  );

const endpoints = z.strictObject({
  poweb: z.optional(httpUrl()),
  pohttp: z.optional(httpUrl()),
  /** host:port of the CogRPC service (TLS). */
  cogrpc: z.optional(nonEmpty()),
  /** PEM CA to trust for these endpoints (the sandbox's local CA). */
  caFile: z.optional(nonEmpty()),
});

const t = ALERTING_DEFAULTS.thresholds;
const minutes = (d: number) => z._default(z.int().check(z.minimum(1), z.maximum(1440)), d);
const alerting = z.strictObject({
  /** Display names or ids (`projects/<p>/notificationChannels/<id>`) of existing channels: never created. */
  notificationChannels: z._default(names(), []),
  thresholds: z.prefault(
    z.strictObject({
      deliveryP99Ms: z._default(z.number().check(z.positive()), t.deliveryP99Ms),
      deliveryForMinutes: minutes(t.deliveryForMinutes),
      error5xxRatio: z._default(z.number().check(z.gt(0), z.lt(1)), t.error5xxRatio),
      error5xxForMinutes: minutes(t.error5xxForMinutes),
      lbTimeoutSeconds: z._default(z.int().check(z.minimum(1)), t.lbTimeoutSeconds),
      coldStartWindowMinutes: minutes(t.coldStartWindowMinutes),
      backupIntervalHours: z._default(z.int().check(z.minimum(1), z.maximum(24)), t.backupIntervalHours),
      uptimePeriodSeconds: z._default(z.union([z.literal(60), z.literal(300), z.literal(600), z.literal(900)]), 60),
      uptimeTimeoutSeconds: z._default(z.int().check(z.minimum(1), z.maximum(60)), t.uptimeTimeoutSeconds),
    }),
    {},
  ),
  /** Substrings of the LB's `backend_target_name` that pick each service's backend. */
  backends: z.prefault(
    z.strictObject({
      poweb: z._default(nonEmpty(), ALERTING_DEFAULTS.backends.poweb),
      pohttp: z._default(nonEmpty(), ALERTING_DEFAULTS.backends.pohttp),
      cogrpc: z._default(nonEmpty(), ALERTING_DEFAULTS.backends.cogrpc),
    }),
    {},
  ),
  /** Built-in policies or checks to leave out, by id (see `gwctl monitoring plan`). */
  disable: z._default(names(), []),
});

const monitoring = z.strictObject({
  /** Cloud Monitoring label values that identify the gateway's load balancer. */
  urlMaps: z._default(names(), []),
  forwardingRules: z._default(names(), []),
  backendServices: z._default(names(), []),
  /** What `gwctl monitoring apply` keeps in Cloud Monitoring; absent = every default. */
  alerting: z.optional(alerting),
});

const workloads = z.strictObject({
  deployments: z._default(names(), [
    'public-gateway-poweb',
    'public-gateway-pohttp',
    'public-gateway-cogrpc',
    'public-gateway-pdcout',
    'public-gateway-crcin',
  ]),
  ingress: z._default(nonEmpty(), 'public-gateway'),
  backendConfig: z._default(nonEmpty(), 'cogrpc'),
  /** The Vault workload to quiesce during backups, as kind/name. */
  vault: z._default(
    z.string().check(z.regex(/^(statefulset|deployment)\/[a-z0-9.-]+$/, 'statefulset/<name> or deployment/<name>')),
    'statefulset/vault',
  ),
});

/** The Cloud Build trigger that deploys the gateway to GKE: deprovisioning disables it first. */
const cloudBuild = z.strictObject({
  trigger: z._default(nonEmpty(), 'gateway-gke-deployment'),
  /** Default: the environment's project. */
  project: z.optional(nonEmpty()),
  /** Default: the environment's region; `global` for a global trigger. */
  region: z.optional(nonEmpty()),
});

const KMS_KEY_VERSION =
  /^projects\/[^/]+\/locations\/[^/]+\/keyRings\/[^/]+\/cryptoKeys\/[^/]+\/cryptoKeyVersions\/[^/]+$/;

/** The shared audit log (docs/audit.md): a C2SP tlog-tiles log in a bucket, and the key that signs its checkpoints. */
const audit = z.strictObject({
  /** gs://<bucket>/<prefix> */
  log: z.string().check(z.regex(/^gs:\/\/[a-z0-9][a-z0-9._-]{1,220}[a-z0-9](\/[^\s+]*)?$/, 'gs://<bucket>/<prefix>')),
  /** The checkpoints' origin line and key name; default `storage.googleapis.com/<bucket>/<prefix>`. */
  origin: z.optional(z.string().check(z.regex(/^[^\s+]+$/, 'one word without spaces or plus signs'))),
  /** A key file (sandbox, small teams; created on first use), or a Cloud KMS Ed25519 key version (production). */
  signer: z.optional(
    z.union([
      z.strictObject({ keyFile: nonEmpty() }),
      z.strictObject({
        kms: z
          .string()
          .check(
            z.regex(KMS_KEY_VERSION, 'projects/<p>/locations/<l>/keyRings/<r>/cryptoKeys/<k>/cryptoKeyVersions/<v>'),
          ),
      }),
    ]),
  ),
  /** Verifier keys (`<name>+<id>+<key>`) of witnesses whose cosignatures `audit verify` checks. */
  witnesses: z._default(z.array(nonEmpty()), []),
});

export const environmentSchema = z.strictObject({
  project: nonEmpty(),
  region: z._default(nonEmpty(), 'europe-west1'),
  kube: z.prefault(kube, {}),
  buckets: z.prefault(
    z.strictObject({
      parcels: z.optional(bucketName),
      vault: z.optional(bucketName),
      backups: z.optional(bucketName),
    }),
    {},
  ),
  /** Extra buckets deprovisioning must empty besides the three roles. */
  extraBuckets: z._default(z.array(bucketName), []),
  mongodb: z.optional(mongodb),
  keyev: z.prefault(keyev, {}),
  firestore: z.prefault(z.strictObject({ databaseId: z._default(nonEmpty(), '(default)') }), {}),
  endpoints: z.prefault(endpoints, {}),
  terraform: z.optional(z.strictObject({ varFile: nonEmpty() })),
  monitoring: z.prefault(monitoring, {}),
  workloads: z.prefault(workloads, {}),
  /** The environment's code, for `verify infra`: rendered manifests and a `terraform show -json` state. */
  infra: z.optional(z.strictObject({ manifests: z.optional(nonEmpty()), terraformState: z.optional(nonEmpty()) })),
  cloudBuild: z.prefault(cloudBuild, {}),
  /** `backup create` suggests `--engine sts` from this many objects up (docs/backup.md). */
  backup: z.optional(z.strictObject({ stsThreshold: z.optional(z.int().check(z.minimum(1))) })),
  audit: z.optional(audit),
  /** Overrides for emulators and tests: the SDKs' own env vars win over nothing else. */
  emulators: z.optional(
    z.strictObject({
      storage: z.optional(httpUrl()),
      firestore: z.optional(z.string()),
      monitoring: z.optional(z.string()),
      /** host:port of a Cloud Build emulator (insecure gRPC). */
      cloudbuild: z.optional(z.string()),
      /** host:port of a Storage Transfer Service emulator (insecure gRPC). */
      storagetransfer: z.optional(z.string()),
      /** host:port of a Cloud KMS emulator (insecure gRPC). */
      kms: z.optional(z.string()),
    }),
  ),
});

const environmentName = z.string().check(z.regex(ENVIRONMENT_NAME, `an environment name (${ENVIRONMENT_NAME_RULE})`));

export const configFileSchema = z.strictObject({
  defaultEnv: z.optional(environmentName),
  audit: z.optional(z.strictObject({ file: z.optional(nonEmpty()) })),
  environments: z.record(environmentName, environmentSchema),
});

export type EnvironmentInput = z.input<typeof environmentSchema>;
export type Environment = z.output<typeof environmentSchema> & {
  name: string;
  source: string;
  /** The service account Google calls act as (`--impersonate-service-account`); a chain `a,b,target` acts as its last. */
  impersonateServiceAccount?: string;
};
export type ConfigFile = z.output<typeof configFileSchema>;
