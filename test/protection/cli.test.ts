import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runGwctl, tempDir, resultOf } from '../helpers/cli.js';
import { startGatewayFixture, TFVARS, type GatewayFixture } from '../helpers/gateway-fixture.js';
import { kubeClients } from '@gwctl/emulators/testing';

let f: GatewayFixture;
beforeAll(async () => {
  f = await startGatewayFixture({ envName: 'prod' });
});
afterAll(async () => f?.close());

const gwctl = (...args: string[]) => runGwctl(args, { cwd: tempDir(), env: f.cliEnv });
const status = async () =>
  resultOf(await gwctl('env', 'status', 'prod', '--json')) as {
    protection: { verdict: string; disagreeing: string[] };
  };

// Each test spawns gwctl several times: generous limits for a loaded CI machine.
describe('gwctl env protect / unprotect / status', { timeout: 240_000 }, () => {
  it('protect asks before acting; --yes turns all three places on and says what to do in Terraform', async () => {
    const asked = await gwctl('env', 'protect', 'prod');
    expect(asked.code).toBe(2);
    expect(asked.stderr).toMatch(/refusing to change anything non-interactively without --yes/);
    expect((await status()).protection.verdict).toBe('unprotected');

    const r = await gwctl('env', 'protect', 'prod', '--yes');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/create validatingadmissionpolicy\/gwctl-destroy-protection-prod/);
    expect(r.stdout).toContain(
      `next: in the environment's Terraform root module: terraform apply -var-file=${f.tfvars}`,
    );
    expect(r.stdout).toMatch(/Protection of prod: protected/);
    expect(readFileSync(f.tfvars, 'utf8')).toBe(
      TFVARS.replace('prevent_destruction = false #', 'prevent_destruction = true #'),
    );
    expect((await status()).protection.verdict).toBe('protected');

    const again = await gwctl('env', 'protect', 'prod', '--yes');
    expect(again.stdout).toMatch(/prod is already protected/);
  });

  it('status reports inconsistent, naming the part that disagrees', async () => {
    await kubeClients(f.kube.url).admission.deleteValidatingAdmissionPolicyBinding({
      name: 'gwctl-destroy-protection-prod',
    });
    const r = await gwctl('env', 'status', 'prod');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Protection of prod: inconsistent \(kubernetes disagrees\)/);
    expect(r.stdout).toMatch(
      /kubernetes\s+inconsistent\s+ValidatingAdmissionPolicy gwctl-destroy-protection-prod is partly in place/,
    );
    expect(r.stdout).toMatch(
      /! ValidatingAdmissionPolicy gwctl-destroy-protection-prod exists but its binding does not/,
    );
    expect((await status()).protection).toMatchObject({ verdict: 'inconsistent', disagreeing: ['kubernetes'] });
  });

  it('unprotect is destructive: it needs the environment’s name, then turns everything off', async () => {
    const noConfirm = await gwctl('env', 'unprotect', 'prod', '--yes');
    expect(noConfirm.code).toBe(2);
    expect(noConfirm.stderr).toMatch(/pass --yes --confirm prod/);
    const dry = await gwctl('env', 'unprotect', 'prod', '--dry-run');
    expect(dry.stdout).toMatch(/delete validatingadmissionpolicy\/gwctl-destroy-protection-prod/);
    expect(dry.stdout).not.toMatch(/validatingadmissionpolicybinding/);
    const r = await gwctl('env', 'unprotect', 'prod', '--yes', '--confirm', 'prod', '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(resultOf(r)).toMatchObject({ status: 'applied', protection: { verdict: 'unprotected' } });
    expect(readFileSync(f.tfvars, 'utf8')).toBe(TFVARS);
    expect((await status()).protection.verdict).toBe('unprotected');
  });
});
