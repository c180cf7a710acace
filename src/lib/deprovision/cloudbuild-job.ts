import { isAbsolute, relative } from 'node:path';
import { SANDBOX_ENV } from '../config/environment-names.js';
import type { Environment } from '../config/schema.js';
import { UsageError } from '../errors/gwctl-error.js';

export interface CloudBuildJobOptions {
  env: Environment;
  /** gwctl.yaml, which the job reads from the submitted source. */
  configFile: string;
  /** The directory `gcloud builds submit` uploads: gwctl.yaml must be inside it. */
  sourceDir: string;
  image: string;
  /** The flags of the run, passed on as they are. */
  timeoutMs: number;
  keepSoftDelete: boolean;
  /** The build's service account (email); the default Cloud Build one otherwise. */
  serviceAccount?: string;
}

/** Where Cloud Build checks out the submitted source; every step shares it. */
const WORKSPACE = '/workspace';
const STATE = `${WORKSPACE}/.gwctl`;
const KUBECONFIG = `${STATE}/kubeconfig`;
/** gcloud's own image, for the cluster's endpoint and a token (gwctl's image carries no gcloud). */
const CLOUD_SDK_IMAGE = 'gcr.io/google.com/cloudsdktool/cloud-sdk:slim';
/** The user gwctl's image runs as (Dockerfile: USER node). */
const GWCTL_UID = 1000;

/**
 * `gwctl env deprovision <env>` as a Cloud Build job (https://cloud.google.com/build/docs/build-config-file-schema):
 * one step makes a kubeconfig for the environment's GKE context, the next runs gwctl's image with the same flags
 * (`--yes --confirm <env>`: submitting the job is the confirmation) and then prints the audit records the run
 * appended, so the build's log keeps them. Deprovisioning reads no secret (not the MongoDB URI): the job is given
 * none. Values reach the scripts as environment variables, never spliced into them.
 */
export function deprovisionCloudBuild(o: CloudBuildJobOptions): Record<string, unknown> {
  const { env } = o;
  if (env.name === SANDBOX_ENV)
    throw new UsageError(
      'the sandbox runs on this machine, which Cloud Build cannot reach: --emit is for real environments',
    );
  if (env.kube.kubeconfig)
    throw new UsageError(
      `environment ${env.name}: kube.kubeconfig names a file on this machine, which the Cloud Build job does not have (it makes its own kubeconfig for kube.context); remove kube.kubeconfig to use $KUBECONFIG`,
    );
  const gke = parseGkeContext(env.kube.context);
  if (!gke)
    throw new UsageError(
      `environment ${env.name}: --emit cloudbuild needs kube.context to be the GKE context gcloud names gke_<project>_<location>_<cluster>, got ${env.kube.context ?? 'none'}`,
    );
  const config = relative(o.sourceDir, o.configFile);
  if (config.startsWith('..') || isAbsolute(config))
    throw new UsageError(
      `${o.configFile} is outside ${o.sourceDir}, the directory gcloud builds submit uploads: run this from the repository that holds gwctl.yaml`,
    );
  const flags = [
    '--yes',
    '--confirm',
    env.name,
    '--timeout',
    `${Math.ceil(o.timeoutMs / 1000)}s`,
    ...(o.keepSoftDelete ? ['--keep-soft-delete'] : []),
  ];
  return {
    steps: [
      {
        id: 'cluster-credentials',
        name: CLOUD_SDK_IMAGE,
        env: [
          `CLUSTER=${gke.cluster}`,
          `LOCATION=${gke.location}`,
          `CLUSTER_PROJECT=${gke.project}`,
          `CONTEXT=${env.kube.context}`,
          `KUBECONFIG_OUT=${KUBECONFIG}`,
          `GWCTL_UID=${GWCTL_UID}`,
        ].map(escapeSubstitutions),
        script: CREDENTIALS_SCRIPT,
      },
      {
        id: 'deprovision',
        name: o.image,
        env: [
          `GWCTL_CONFIG=${WORKSPACE}/${config}`,
          `GWCTL_HOME=${STATE}`,
          `KUBECONFIG=${KUBECONFIG}`,
          'NO_COLOR=1',
        ].map(escapeSubstitutions),
        script: [
          '#!/bin/sh',
          '# The same command and flags, then the audit records it appended, into this build’s log.',
          `gwctl env deprovision ${env.name} ${flags.join(' ')}`,
          'status=$?',
          `gwctl audit show --env ${env.name} --limit 2`,
          'exit $status',
          '',
        ].join('\n'),
      },
    ],
    // Waiting for each load balancer takes up to --timeout; the token of the first step lasts about an hour.
    timeout: `${Math.max(3600, Math.ceil((2 * o.timeoutMs) / 1000) + 1200)}s`,
    ...(o.serviceAccount ? { serviceAccount: `projects/${env.project}/serviceAccounts/${o.serviceAccount}` } : {}),
    // Required with a user-specified service account, and fine without one.
    options: { logging: 'CLOUD_LOGGING_ONLY' },
    tags: ['gwctl', 'gwctl-deprovision', env.name],
  };
}

/**
 * A kubeconfig for gwctl's image, which has no gcloud (so no GKE auth plugin): the cluster's endpoint and CA, and
 * this build's access token (about an hour), written for gwctl's user only and never printed. The workspace is
 * given to that user too, for the audit log and journal.
 */
const CREDENTIALS_SCRIPT = `#!/usr/bin/env bash
set -euo pipefail
describe() { gcloud container clusters describe "$CLUSTER" --location="$LOCATION" --project="$CLUSTER_PROJECT" --format="value($1)"; }
endpoint="$(describe endpoint)"
ca="$(describe masterAuth.clusterCaCertificate)"
token="$(gcloud auth print-access-token)"
mkdir -p "$(dirname "$KUBECONFIG_OUT")"
umask 077
cat > "$KUBECONFIG_OUT" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: gke
  cluster:
    server: https://$endpoint
    certificate-authority-data: $ca
users:
- name: cloud-build
  user:
    token: $token
contexts:
- name: $CONTEXT
  context:
    cluster: gke
    user: cloud-build
current-context: $CONTEXT
EOF
chown -R "$GWCTL_UID:$GWCTL_UID" /workspace
`;

/** `gke_<project>_<location>_<cluster>`, the context `gcloud container clusters get-credentials` makes. */
export function parseGkeContext(
  context: string | undefined,
): { project: string; location: string; cluster: string } | undefined {
  const m = /^gke_([a-z][a-z0-9-]*)_([a-z0-9-]+)_([a-z][a-z0-9-]*)$/.exec(context ?? '');
  return m ? { project: m[1]!, location: m[2]!, cluster: m[3]! } : undefined;
}

/** Cloud Build substitutes `$NAME` in env values; `$$` is a literal dollar. */
const escapeSubstitutions = (s: string) => s.replaceAll('$', () => '$$');
