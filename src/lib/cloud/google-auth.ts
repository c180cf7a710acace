import type { AuthClient } from 'google-auth-library';
import type { Environment } from '../config/schema.js';

/** What gcloud asks for: each API then checks the principal's own IAM permissions. */
const CLOUD_PLATFORM = 'https://www.googleapis.com/auth/cloud-platform';

const clients = new Map<string, Promise<AuthClient>>();

/**
 * The credentials of Google calls when the environment impersonates a service account (`--impersonate-service-account`,
 * or gcloud's $CLOUDSDK_AUTH_IMPERSONATE_SERVICE_ACCOUNT): Application Default Credentials exchanged for the target's
 * short-lived token through the IAM Service Account Credentials API (`generateAccessToken`), as gcloud does; a chain
 * `a,b,target` goes through the delegates a and b. Undefined when nothing is impersonated: the clients then use ADC.
 * One client per chain and process, so the token is asked for once and refreshed when it expires.
 */
export function impersonatedAuth(env: Environment): Promise<AuthClient> | undefined {
  const chain = env.impersonateServiceAccount
    ?.split(',')
    .map((a) => a.trim())
    .filter(Boolean);
  if (!chain?.length) return undefined;
  const key = chain.join(',');
  let client = clients.get(key);
  if (!client) {
    client = (async () => {
      const { GoogleAuth, Impersonated } = await import('google-auth-library');
      const sourceClient = await new GoogleAuth({ scopes: [CLOUD_PLATFORM], projectId: env.project }).getClient();
      const endpoint = iamCredentialsEndpoint();
      return new Impersonated({
        sourceClient,
        targetPrincipal: chain.at(-1)!,
        // The API names delegates by resource name (generateAccessToken's `delegates`), not by email.
        delegates: chain.slice(0, -1).map((a) => `projects/-/serviceAccounts/${a}`),
        targetScopes: [CLOUD_PLATFORM],
        lifetime: 3600,
        ...(endpoint ? { endpoint } : {}),
      });
    })();
    client.catch(() => clients.delete(key));
    clients.set(key, client);
  }
  return client;
}

/**
 * gcloud's `api_endpoint_overrides/iamcredentials` ($CLOUDSDK_API_ENDPOINT_OVERRIDES_IAMCREDENTIALS), for a Private
 * Service Connect endpoint: honoured so gwctl and gcloud impersonate through the same one. Given with or without
 * gcloud's trailing `v1/`.
 */
function iamCredentialsEndpoint(): string | undefined {
  const override = process.env.CLOUDSDK_API_ENDPOINT_OVERRIDES_IAMCREDENTIALS?.trim();
  return override ? override.replace(/\/+$/, '').replace(/\/v1$/, '') : undefined;
}

/** Client options carrying the impersonated credentials, for the SDKs that take an `authClient` (Storage, gax clients). */
export async function authOptions(env: Environment): Promise<{ authClient?: AuthClient }> {
  const auth = impersonatedAuth(env);
  return auth ? { authClient: await auth } : {};
}
