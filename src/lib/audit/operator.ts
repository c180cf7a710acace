import { readFileSync } from 'node:fs';
import { homedir, hostname, userInfo } from 'node:os';
import { join } from 'node:path';

/** Where a Kubernetes pod finds its service account's token (projected by the kubelet). */
export const POD_TOKEN_FILE = '/var/run/secrets/kubernetes.io/serviceaccount/token';

/**
 * Who is acting, read from files and the environment only (no SDK is loaded, no network call is made,
 * no token is ever recorded): the Google principal whose credentials the cloud calls use, the kube
 * user, and the OS user on this host. `gcp:` names what actually acted: the impersonated service
 * account rather than the credentials that impersonate it, the Workload Identity KSA of a CronJob.
 */
export function operatorIdentity(env = process.env, podTokenFile = POD_TOKEN_FILE): string {
  const parts: string[] = [];
  const gcp = googlePrincipal(env, podTokenFile);
  if (gcp) parts.push(`gcp:${gcp}`);
  const kube = kubeUser(env) ?? podServiceAccount(env, podTokenFile)?.kubeUser;
  if (kube) parts.push(`kube:${kube}`);
  parts.push(`os:${safeUser()}@${hostname()}`);
  return parts.join(' ');
}

/**
 * Google's Application Default Credentials, in the order the client libraries look for them
 * (GOOGLE_APPLICATION_CREDENTIALS, gcloud's ADC file, then the metadata server, which on GKE means
 * the pod's Workload Identity), with gcloud's impersonation setting on top.
 */
function googlePrincipal(env: NodeJS.ProcessEnv, podTokenFile: string): string | undefined {
  const source = adcPrincipal(env, podTokenFile);
  // gcloud's property: a delegation chain "a,b,target" acts as its last account.
  const impersonated = env.CLOUDSDK_AUTH_IMPERSONATE_SERVICE_ACCOUNT?.split(',').at(-1)?.trim();
  if (impersonated) return `${impersonated} (impersonated by ${source ?? 'unknown credentials'})`;
  return source;
}

interface AdcFile {
  type?: string;
  client_email?: string;
  service_account_impersonation_url?: string;
  source_credentials?: AdcFile;
  audience?: string;
}

function adcPrincipal(env: NodeJS.ProcessEnv, podTokenFile: string): string | undefined {
  const gcloudDir = env.CLOUDSDK_CONFIG ?? join(env.HOME ?? homedir(), '.config', 'gcloud');
  const file = env.GOOGLE_APPLICATION_CREDENTIALS || join(gcloudDir, 'application_default_credentials.json');
  const adc = readJson(file) as AdcFile | undefined;
  if (adc) return describeAdc(adc, () => gcloudAccount(gcloudDir));
  if (env.GOOGLE_APPLICATION_CREDENTIALS) return `unreadable ADC file ${env.GOOGLE_APPLICATION_CREDENTIALS}`;
  const ksa = podServiceAccount(env, podTokenFile);
  // On GKE with no key file, the metadata server answers for the pod's KSA (Workload Identity).
  return ksa ? `ksa:${ksa.namespace}/${ksa.name} (workload identity)` : undefined;
}

function describeAdc(adc: AdcFile, gcloud: () => string | undefined): string {
  const target = impersonationTarget(adc.service_account_impersonation_url);
  switch (adc.type) {
    case 'service_account':
      return adc.client_email ?? 'service account (no client_email)';
    case 'impersonated_service_account': {
      const source = adc.source_credentials ? describeAdc(adc.source_credentials, gcloud) : 'unknown credentials';
      return `${target ?? 'unknown service account'} (impersonated by ${source})`;
    }
    case 'authorized_user': {
      // The file holds a refresh token and gcloud's shared OAuth client, no email: name gcloud's
      // account, which is who ran `gcloud auth application-default login` on this machine as a rule.
      const account = gcloud();
      return account ? `user-adc (gcloud account ${account})` : 'user-adc';
    }
    case 'external_account': {
      const pool = federationPool(adc.audience);
      return target ? `${target} (impersonated by workload identity federation ${pool})` : `federated:${pool}`;
    }
    case 'external_account_authorized_user':
      return `workforce-user:${federationPool(adc.audience)}`;
    default:
      return `ADC of type ${adc.type ?? 'unknown'}`;
  }
}

/** `https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/<email>:generateAccessToken` → the email. */
function impersonationTarget(url: string | undefined): string | undefined {
  return url?.match(/serviceAccounts\/([^/:]+):generateAccessToken/)?.[1];
}

/** `//iam.googleapis.com/projects/N/locations/global/workloadIdentityPools/P/providers/X` → `P/X`. */
function federationPool(audience: string | undefined): string {
  const m = audience?.match(/(?:workloadIdentityPools|workforcePools)\/([^/]+)(?:\/providers\/([^/]+))?/);
  return m ? [m[1], m[2]].filter(Boolean).join('/') : (audience ?? 'unknown pool');
}

function gcloudAccount(gcloudDir: string): string | undefined {
  const active = readText(join(gcloudDir, 'active_config'))?.trim() || 'default';
  const config = readText(join(gcloudDir, 'configurations', `config_${active}`));
  return config?.match(/^\s*account\s*=\s*(\S+)/m)?.[1];
}

interface PodServiceAccount {
  namespace: string;
  name: string;
  kubeUser: string;
}

/** Inside a pod: the KSA named in its service account token's claims (decoded, not verified; never kept). */
function podServiceAccount(env: NodeJS.ProcessEnv, tokenFile: string): PodServiceAccount | undefined {
  if (!env.KUBERNETES_SERVICE_HOST) return undefined;
  const payload = readText(tokenFile)?.trim().split('.')[1];
  if (!payload) return undefined;
  let claims: Record<string, unknown>;
  try {
    claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  // Projected tokens (Kubernetes ≥ 1.21) nest the names; legacy secret-based tokens flatten them.
  const k8s = claims['kubernetes.io'] as { namespace?: string; serviceaccount?: { name?: string } } | undefined;
  const fromSub = /^system:serviceaccount:([^:]+):([^:]+)$/.exec(String(claims.sub ?? ''));
  const namespace = k8s?.namespace ?? (claims['kubernetes.io/serviceaccount/namespace'] as string) ?? fromSub?.[1];
  const name =
    k8s?.serviceaccount?.name ??
    (claims['kubernetes.io/serviceaccount/service-account.name'] as string) ??
    fromSub?.[2];
  if (!namespace || !name) return undefined;
  return { namespace, name, kubeUser: `system:serviceaccount:${namespace}:${name}` };
}

function kubeUser(env: NodeJS.ProcessEnv): string | undefined {
  const file = (env.KUBECONFIG ?? join(env.HOME ?? homedir(), '.kube', 'config')).split(':')[0]!;
  const text = readText(file);
  if (!text) return undefined;
  const context = text.match(/^current-context:\s*"?([^"\n]+)"?/m)?.[1];
  if (!context) return undefined;
  // A light scan: the context block names its user; parsing YAML fully is not worth a dependency load here.
  const block = text
    .split(/\n- /)
    .find((b) => new RegExp(`name:\\s*"?${escapeRegExp(context)}"?\\s*$`, 'm').test(b) && /context:/.test(b));
  return block?.match(/user:\s*"?([^"\n]+)"?/)?.[1]?.trim();
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function safeUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}

function readText(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

function readJson(file: string): unknown {
  const text = readText(file);
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
