import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { startIamCredentialsStandIn, type IamCredentialsStandIn } from '@gwctl/emulators/iamcredentials';
import { environmentSchema, type Environment } from '../../src/lib/config/schema.js';
import { cloudBuildOptions } from '../../src/lib/cloud/cloudbuild.js';
import { kmsOptions } from '../../src/lib/cloud/kms.js';
import { clientOptions } from '../../src/lib/cloud/monitoring.js';
import { openStorage, storageAuth } from '../../src/lib/cloud/storage.js';
import { tempDir } from '../helpers/cli.js';

// `--impersonate-service-account` (or $CLOUDSDK_AUTH_IMPERSONATE_SERVICE_ACCOUNT): google-auth-library's own
// Impersonated client, over the wire to a stand-in of Google's token endpoint and of the IAM Service Account
// Credentials API (generateAccessToken: https://cloud.google.com/iam/docs/reference/credentials/rest/v1/projects.serviceAccounts/generateAccessToken),
// reached as gcloud reaches a Private Service Connect endpoint ($CLOUDSDK_API_ENDPOINT_OVERRIDES_IAMCREDENTIALS).

let iam: IamCredentialsStandIn;
const TARGET = 'gwctl-operator@relaycorp-gateway-staging.iam.gserviceaccount.com';

beforeAll(async () => {
  iam = await startIamCredentialsStandIn();
  // The operator's own credentials, as a CI runner has them: workload identity federation (an `external_account`
  // ADC file, https://google.aip.dev/auth/4117) whose Security Token Service is the stand-in's.
  const dir = tempDir('gwctl-adc-');
  writeFileSync(join(dir, 'oidc-token'), 'eyJhbGciOiJSUzI1NiJ9.e30.sig');
  writeFileSync(
    join(dir, 'adc.json'),
    JSON.stringify({
      type: 'external_account',
      audience: '//iam.googleapis.com/projects/123/locations/global/workloadIdentityPools/ci/providers/github',
      subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
      token_url: iam.stsTokenUrl,
      credential_source: { file: join(dir, 'oidc-token') },
    }),
  );
  vi.stubEnv('GOOGLE_APPLICATION_CREDENTIALS', join(dir, 'adc.json'));
  vi.stubEnv('CLOUDSDK_API_ENDPOINT_OVERRIDES_IAMCREDENTIALS', `${iam.url}/v1/`);
  vi.stubEnv('STORAGE_EMULATOR_HOST', '');
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await iam.close();
});
beforeEach(() => {
  iam.calls.length = 0;
  iam.deny([]);
});

const staging = (impersonateServiceAccount?: string): Environment => ({
  ...environmentSchema.parse({ project: 'relaycorp-gateway-staging' }),
  name: 'staging',
  source: 'gwctl.yaml',
  ...(impersonateServiceAccount ? { impersonateServiceAccount } : {}),
});

describe('impersonating a service account', () => {
  it('Storage calls carry the target account’s token, asked for with the operator’s own', async () => {
    const storage = await openStorage(staging(TARGET));
    const token = await storage.authClient.getAccessToken();
    expect(token).toMatch(new RegExp(`^impersonated-${TARGET}-`));
    const generate = iam.calls.find((c) => c.path.endsWith(':generateAccessToken'))!;
    expect(generate.path).toBe(`/v1/projects/-/serviceAccounts/${TARGET}:generateAccessToken`);
    expect(generate.authorization).toMatch(/^Bearer source-token-\d+$/);
    expect(generate.body).toMatchObject({
      scope: ['https://www.googleapis.com/auth/cloud-platform'],
      lifetime: '3600s',
    });
    expect(iam.calls[0]).toMatchObject({
      path: '/v1/token',
      body: { grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange' },
    });
  });

  it('JSON API calls made without the SDK (listings, batches) carry the same token', async () => {
    const headers = await storageAuth(staging(TARGET))!('https://storage.googleapis.com/storage/v1/b/x');
    expect(headers.get('authorization')).toMatch(new RegExp(`^Bearer impersonated-${TARGET}-`));
  });

  it('a delegation chain a,b,target goes through its delegates, as gcloud takes it', async () => {
    const a = 'hop@relaycorp-gateway-staging.iam.gserviceaccount.com';
    const storage = await openStorage(staging(`${a}, ${TARGET}`));
    await storage.authClient.getAccessToken();
    const generate = iam.calls.find((c) => c.path.endsWith(':generateAccessToken'))!;
    expect(generate.path).toContain(TARGET);
    expect(generate.body.delegates).toEqual([`projects/-/serviceAccounts/${a}`]);
  });

  it('Cloud Monitoring, Cloud Build, Cloud KMS and Firestore clients get the impersonated credentials too', async () => {
    const env = staging(TARGET);
    for (const opts of [await clientOptions(env), await cloudBuildOptions(env), await kmsOptions(env)]) {
      expect((opts as { authClient?: unknown }).authClient).toBeDefined();
      const { authClient } = opts as { authClient: { getAccessToken(): Promise<{ token?: string | null }> } };
      expect((await authClient.getAccessToken()).token).toMatch(new RegExp(`^impersonated-${TARGET}-`));
    }
  });

  it('a refused impersonation fails the call with IAM’s reason', async () => {
    const denied = 'not-mine@relaycorp-gateway-staging.iam.gserviceaccount.com';
    iam.deny([denied]);
    const storage = await openStorage(staging(denied));
    await expect(storage.authClient.getAccessToken()).rejects.toThrow(/iam\.serviceAccounts\.getAccessToken/);
  });

  it('without impersonation the clients use Application Default Credentials as they are', async () => {
    expect(await clientOptions(staging())).not.toHaveProperty('authClient');
    expect(await cloudBuildOptions(staging())).not.toHaveProperty('authClient');
    expect(await kmsOptions(staging())).not.toHaveProperty('authClient');
    const storage = await openStorage(staging());
    expect(await storage.authClient.getAccessToken()).toMatch(/^source-token-\d+$/);
    expect(iam.calls.some((c) => c.path.endsWith(':generateAccessToken'))).toBe(false);
  });
});
