import { UsageError } from '../errors/gwctl-error.js';
import { SANDBOX_ENV } from './environment-names.js';
import type { Environment } from './schema.js';

/** Per-run overrides, as gcloud's and kubectl's global flags: they win over gwctl.yaml for this run only. */
export interface EnvironmentOverrides {
  /** `--project`: the Google Cloud project the calls go to. */
  project?: string;
  /** `--context`: the kubeconfig context (its cluster and credentials). */
  context?: string;
  /** `--kubeconfig`: the kubeconfig file. */
  kubeconfig?: string;
  /** `--impersonate-service-account` (or $CLOUDSDK_AUTH_IMPERSONATE_SERVICE_ACCOUNT, as gcloud). */
  impersonateServiceAccount?: string;
}

// https://cloud.google.com/resource-manager/docs/creating-managing-projects: 6-30 characters, lowercase letters,
// digits and hyphens, starting with a letter; older projects may carry a domain prefix (`example.com:my-project`).
const PROJECT_ID = /^(?:[a-z0-9.-]+:)?[a-z][a-z0-9-]{4,28}[a-z0-9]$/;
// The IAM email of a service account; a delegation chain is comma-separated, as gcloud takes it.
const SERVICE_ACCOUNT = /^[^\s@,]+@[^\s@,]+$/;

/** The environment with this run's overrides applied; refused (exit 2) where they cannot mean what they say. */
export function applyOverrides(env: Environment, o: EnvironmentOverrides): Environment {
  const given = (['project', 'context', 'kubeconfig'] as const).filter((k) => o[k] !== undefined);
  // The sandbox is the local emulators: another project or cluster would send its calls to Google.
  if (env.name === SANDBOX_ENV && given.length > 0)
    throw new UsageError(
      `--${given[0]} cannot be used with the sandbox environment: its project and cluster are the local emulators`,
    );
  if (o.project !== undefined && !PROJECT_ID.test(o.project))
    throw new UsageError(
      `--project ${JSON.stringify(o.project)} is not a Google Cloud project ID (6-30 lowercase letters, digits and -, starting with a letter)`,
    );
  for (const k of ['context', 'kubeconfig'] as const)
    if (o[k] !== undefined && !o[k].trim()) throw new UsageError(`--${k} must not be empty`);
  const chain = o.impersonateServiceAccount?.trim();
  if (chain && !chain.split(',').every((a) => SERVICE_ACCOUNT.test(a.trim())))
    throw new UsageError(
      `--impersonate-service-account ${JSON.stringify(chain)} is not a service account email (or a comma-separated chain of them)`,
    );
  const out: Environment = { ...env };
  if (o.project !== undefined) out.project = o.project;
  if (o.context !== undefined || o.kubeconfig !== undefined) {
    // A kubeconfig cluster replaces a direct `kube.server`: the two are never combined (kube-access.ts).
    const kube = { ...env.kube };
    delete kube.server;
    if (o.context !== undefined) kube.context = o.context;
    if (o.kubeconfig !== undefined) kube.kubeconfig = o.kubeconfig;
    out.kube = kube;
  }
  if (chain) out.impersonateServiceAccount = chain;
  return out;
}
