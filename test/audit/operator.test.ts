import { mkdirSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { operatorIdentity } from '../../src/lib/audit/operator.js';
import { tempDir } from '../helpers/cli.js';

const SA = 'gwctl-operator@relaycorp-gateway-prod.iam.gserviceaccount.com';
// google-auth-library's ImpersonatedClient and gcloud write this URL form (iamcredentials generateAccessToken).
const impersonationUrl = (email: string) =>
  `https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/${email}:generateAccessToken`;

/** A home with no gcloud or kube files unless a test writes them, so the machine's own never leak in. */
function sandboxEnv(extra: NodeJS.ProcessEnv = {}) {
  const home = tempDir('gwctl-identity-');
  return { home, env: { HOME: home, KUBECONFIG: join(home, 'no-kubeconfig'), ...extra } as NodeJS.ProcessEnv };
}

function adcFile(home: string, content: object): string {
  const file = join(home, 'adc.json');
  writeFileSync(file, JSON.stringify(content));
  return file;
}

/** A JWT as the kubelet projects it (header.payload.signature); only the payload's claims are read. */
function podToken(home: string, claims: object): string {
  const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const file = join(home, 'token');
  writeFileSync(file, `${part({ alg: 'RS256', kid: 'k' })}.${part(claims)}.c2lnbmF0dXJl`);
  return file;
}

describe('operator identity: the principal that acted', () => {
  it('a service account key file names its client_email', () => {
    const { home, env } = sandboxEnv();
    env.GOOGLE_APPLICATION_CREDENTIALS = adcFile(home, {
      type: 'service_account',
      client_email: SA,
      private_key: '-----BEGIN PRIVATE KEY-----SECRET',
    });
    const who = operatorIdentity(env, join(home, 'none'));
    expect(who).toMatch(new RegExp(`^gcp:${SA} os:.+@${hostname()}$`));
    expect(who).not.toContain('SECRET');
  });

  it('an impersonated_service_account ADC file names the target, and who impersonates it', () => {
    const { home, env } = sandboxEnv();
    mkdirSync(join(home, '.config', 'gcloud', 'configurations'), { recursive: true });
    writeFileSync(
      join(home, '.config', 'gcloud', 'configurations', 'config_default'),
      '[core]\naccount = alice@relaycorp.tech\n',
    );
    // `gcloud auth application-default login --impersonate-service-account SA` writes it to gcloud's ADC path.
    writeFileSync(
      join(home, '.config', 'gcloud', 'application_default_credentials.json'),
      JSON.stringify({
        type: 'impersonated_service_account',
        service_account_impersonation_url: impersonationUrl(SA),
        delegates: [],
        source_credentials: { type: 'authorized_user', client_id: 'c', client_secret: 's', refresh_token: 'SECRET' },
      }),
    );
    const who = operatorIdentity(env, join(home, 'none'));
    expect(who).toMatch(
      new RegExp(`^gcp:${SA} \\(impersonated by user-adc \\(gcloud account alice@relaycorp\\.tech\\)\\) os:`),
    );
    expect(who).not.toContain('SECRET');
  });

  it('CLOUDSDK_AUTH_IMPERSONATE_SERVICE_ACCOUNT names the last account of its delegation chain', () => {
    const { home, env } = sandboxEnv({
      CLOUDSDK_AUTH_IMPERSONATE_SERVICE_ACCOUNT: `delegate@p.iam.gserviceaccount.com,${SA}`,
    });
    env.GOOGLE_APPLICATION_CREDENTIALS = adcFile(home, {
      type: 'service_account',
      client_email: 'ci@p.iam.gserviceaccount.com',
    });
    expect(operatorIdentity(env, join(home, 'none'))).toMatch(
      new RegExp(`^gcp:${SA} \\(impersonated by ci@p\\.iam\\.gserviceaccount\\.com\\) `),
    );
  });

  it('a user ADC file holds no email: the record says it was a user ADC, and no token', () => {
    const { home, env } = sandboxEnv();
    env.GOOGLE_APPLICATION_CREDENTIALS = adcFile(home, {
      type: 'authorized_user',
      client_id: '764086051850-6qr4p6gpi6hn506pt8ejuq83di341hur.apps.googleusercontent.com',
      client_secret: 'd-FL95Q19q7MQmFpd7hHD0Ty',
      refresh_token: 'SECRET',
    });
    const who = operatorIdentity(env, join(home, 'none'));
    expect(who).toMatch(/^gcp:user-adc os:/);
    expect(who).not.toContain('SECRET');
  });

  it('an external_account (Workload Identity Federation) file names the service account it impersonates', () => {
    const { home, env } = sandboxEnv();
    env.GOOGLE_APPLICATION_CREDENTIALS = adcFile(home, {
      type: 'external_account',
      audience: '//iam.googleapis.com/projects/123/locations/global/workloadIdentityPools/github/providers/relaycorp',
      subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
      token_url: 'https://sts.googleapis.com/v1/token',
      service_account_impersonation_url: impersonationUrl(SA),
      credential_source: { file: '/var/run/token' },
    });
    expect(operatorIdentity(env, join(home, 'none'))).toMatch(
      new RegExp(`^gcp:${SA} \\(impersonated by workload identity federation github/relaycorp\\) `),
    );
    env.GOOGLE_APPLICATION_CREDENTIALS = adcFile(home, {
      type: 'external_account',
      audience: '//iam.googleapis.com/projects/123/locations/global/workloadIdentityPools/github/providers/relaycorp',
    });
    expect(operatorIdentity(env, join(home, 'none'))).toMatch(/^gcp:federated:github\/relaycorp /);
  });

  it('the backup CronJob on GKE names its Kubernetes service account (Workload Identity), never the token', () => {
    const { home, env } = sandboxEnv({ KUBERNETES_SERVICE_HOST: '10.0.0.1' });
    // Claims of a projected service account token (Kubernetes ≥ 1.21, BoundServiceAccountTokenVolume).
    const token = podToken(home, {
      aud: ['https://container.googleapis.com/v1/projects/p/locations/europe-west1/clusters/gateway'],
      iss: 'https://container.googleapis.com/v1/projects/p/locations/europe-west1/clusters/gateway',
      sub: 'system:serviceaccount:default:gwctl-backup',
      'kubernetes.io': {
        namespace: 'default',
        pod: { name: 'gwctl-backup-28519200-xk2p9', uid: 'u1' },
        serviceaccount: { name: 'gwctl-backup', uid: 'u2' },
      },
    });
    const who = operatorIdentity(env, token);
    expect(who).toMatch(
      /^gcp:ksa:default\/gwctl-backup \(workload identity\) kube:system:serviceaccount:default:gwctl-backup os:/,
    );
    expect(who).not.toContain('c2lnbmF0dXJl');
  });

  it('a legacy secret-based service account token works too', () => {
    const { home, env } = sandboxEnv({ KUBERNETES_SERVICE_HOST: '10.0.0.1' });
    const token = podToken(home, {
      iss: 'kubernetes/serviceaccount',
      'kubernetes.io/serviceaccount/namespace': 'gateway',
      'kubernetes.io/serviceaccount/service-account.name': 'gwctl',
    });
    expect(operatorIdentity(env, token)).toMatch(/^gcp:ksa:gateway\/gwctl \(workload identity\) /);
  });

  it('outside a pod the token path is not read, and with no credentials only the OS user is named', () => {
    const { home, env } = sandboxEnv();
    const token = podToken(home, { sub: 'system:serviceaccount:default:x' });
    expect(operatorIdentity(env, token)).toMatch(/^os:[^ ]+@[^ ]+$/);
  });
});
