import { describe, expect, it } from 'vitest';
import { applyOverrides } from '../../src/lib/config/overrides.js';
import { UsageError } from '../../src/lib/errors/gwctl-error.js';
import { testEnvironment } from '../helpers/migrate-env.js';

// Per-run overrides, as gcloud's --project/--impersonate-service-account and kubectl's --context/--kubeconfig:
// they win over gwctl.yaml for one run, and are refused (exit 2) where they cannot mean what they say.

describe('per-run overrides', () => {
  const staging = testEnvironment({
    name: 'staging',
    project: 'relaycorp-gateway-staging',
    kubeServer: 'https://10.0.0.1',
  });

  it('replace the project, the kubeconfig context and file, and set the service account to act as', () => {
    const env = applyOverrides(staging, {
      project: 'relaycorp-gateway-dr',
      context: 'gke_dr',
      kubeconfig: '/etc/gwctl/kubeconfig',
      impersonateServiceAccount: 'gwctl@relaycorp-gateway-dr.iam.gserviceaccount.com',
    });
    expect(env).toMatchObject({
      project: 'relaycorp-gateway-dr',
      kube: { context: 'gke_dr', kubeconfig: '/etc/gwctl/kubeconfig' },
      impersonateServiceAccount: 'gwctl@relaycorp-gateway-dr.iam.gserviceaccount.com',
    });
    // A kubeconfig context replaces gwctl.yaml's direct kube.server: the two are never combined.
    expect(env.kube.server).toBeUndefined();
    expect(staging.project).toBe('relaycorp-gateway-staging');
  });

  it('leave the environment as it is when none is given', () => {
    expect(applyOverrides(staging, {})).toEqual(staging);
  });

  it('take a delegation chain as gcloud does (a,b,target)', () => {
    const chain = 'a@p.iam.gserviceaccount.com,target@p.iam.gserviceaccount.com';
    expect(applyOverrides(staging, { impersonateServiceAccount: chain }).impersonateServiceAccount).toBe(chain);
  });

  it.each([
    [{ project: 'Prod Project' }, /--project "Prod Project" is not a Google Cloud project ID/],
    [{ project: 'abc' }, /is not a Google Cloud project ID/],
    [{ context: ' ' }, /--context must not be empty/],
    [{ kubeconfig: '' }, /--kubeconfig must not be empty/],
    [{ impersonateServiceAccount: 'not-an-email' }, /is not a service account email/],
  ])('refuse %o', (overrides, message) => {
    expect(() => applyOverrides(staging, overrides)).toThrow(UsageError);
    expect(() => applyOverrides(staging, overrides)).toThrow(message);
  });

  it('refuse another project or cluster for the sandbox, whose calls would then go to Google', () => {
    const sandbox = testEnvironment({ name: 'sandbox' });
    expect(() => applyOverrides(sandbox, { project: 'relaycorp-gateway-prod' })).toThrow(
      /--project cannot be used with the sandbox environment/,
    );
    expect(() => applyOverrides(sandbox, { context: 'gke_prod' })).toThrow(/--context cannot be used/);
  });

  it('accept a domain-scoped project ID', () => {
    expect(applyOverrides(staging, { project: 'example.com:gateway-prod' }).project).toBe('example.com:gateway-prod');
  });
});
