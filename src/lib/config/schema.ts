import { z } from 'zod';

const bucketName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]$/, 'a GCS bucket name (lowercase letters, digits, -, _, .)');

/** Where the MongoDB URI comes from: never the yaml itself, so the file can be committed. */
const mongodb = z
  .object({
    uriEnv: z.string().min(1).optional().describe('environment variable holding the URI'),
    uriFile: z.string().min(1).optional().describe('file holding the URI'),
    database: z.string().min(1).default('awala-gateway'),
    configCollection: z.string().min(1).default('configitems'),
    keystoreCollections: z
      .array(z.string().min(1))
      .default(['certificationpaths', 'identitypublickeydatas', 'peerpublickeydatas']),
  })
  .strict()
  .refine((m) => Boolean(m.uriEnv) !== Boolean(m.uriFile), {
    message: 'set exactly one of uriEnv or uriFile (the URI itself never goes in gwctl.yaml)',
  });

const keyev = z
  .object({
    backend: z.enum(['firestore', 'configmap']).default('firestore'),
    collection: z.string().min(1).default('keyev'),
    configMap: z.string().min(1).default('keyev'),
  })
  .strict();

const kube = z
  .object({
    context: z.string().min(1).optional(),
    namespace: z.string().min(1).default('default'),
    /** API server URL; overrides the context's (used by the sandbox's emulator). */
    server: z.string().url().optional(),
    kubeconfig: z.string().min(1).optional(),
  })
  .strict();

const endpoints = z
  .object({
    poweb: z.string().url().optional(),
    pohttp: z.string().url().optional(),
    /** host:port of the CogRPC service (TLS). */
    cogrpc: z.string().min(1).optional(),
    /** PEM CA to trust for these endpoints (the sandbox's local CA). */
    caFile: z.string().min(1).optional(),
  })
  .strict();

const monitoring = z
  .object({
    /** Cloud Monitoring label values that identify the gateway's load balancer. */
    urlMaps: z.array(z.string().min(1)).default([]),
    forwardingRules: z.array(z.string().min(1)).default([]),
    backendServices: z.array(z.string().min(1)).default([]),
  })
  .strict();

const workloads = z
  .object({
    deployments: z
      .array(z.string().min(1))
      .default([
        'public-gateway-poweb',
        'public-gateway-pohttp',
        'public-gateway-cogrpc',
        'public-gateway-pdcout',
        'public-gateway-crcin',
      ]),
    ingress: z.string().min(1).default('public-gateway'),
    backendConfig: z.string().min(1).default('cogrpc'),
    /** The Vault workload to quiesce during backups, as kind/name. */
    vault: z
      .string()
      .regex(/^(statefulset|deployment)\/[a-z0-9.-]+$/, 'statefulset/<name> or deployment/<name>')
      .default('statefulset/vault'),
  })
  .strict();

export const environmentSchema = z
  .object({
    project: z.string().min(1),
    region: z.string().min(1).default('europe-west1'),
    kube: kube.prefault({}),
    buckets: z
      .object({ parcels: bucketName.optional(), vault: bucketName.optional(), backups: bucketName.optional() })
      .strict()
      .prefault({}),
    /** Extra buckets deprovisioning must empty besides the three roles. */
    extraBuckets: z.array(bucketName).default([]),
    mongodb: mongodb.optional(),
    keyev: keyev.prefault({}),
    firestore: z
      .object({ databaseId: z.string().min(1).default('(default)') })
      .strict()
      .prefault({}),
    endpoints: endpoints.prefault({}),
    terraform: z
      .object({ varFile: z.string().min(1) })
      .strict()
      .optional(),
    monitoring: monitoring.prefault({}),
    workloads: workloads.prefault({}),
    /** The environment's code, for `verify infra`: rendered manifests and a `terraform show -json` state. */
    infra: z
      .object({ manifests: z.string().min(1).optional(), terraformState: z.string().min(1).optional() })
      .strict()
      .optional(),
    /** Overrides for emulators and tests: the SDKs' own env vars win over nothing else. */
    emulators: z
      .object({
        storage: z.string().url().optional(),
        firestore: z.string().optional(),
        monitoring: z.string().optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

export const configFileSchema = z
  .object({
    defaultEnv: z.string().min(1).optional(),
    audit: z
      .object({ file: z.string().min(1).optional() })
      .strict()
      .optional(),
    environments: z.record(
      z.string().regex(/^[a-z][a-z0-9-]{0,62}$/, 'a lowercase environment name'),
      environmentSchema,
    ),
  })
  .strict();

export type EnvironmentInput = z.input<typeof environmentSchema>;
export type Environment = z.output<typeof environmentSchema> & { name: string; source: string };
export type ConfigFile = z.output<typeof configFileSchema>;
