import { afterEach, describe, expect, it } from 'vitest';
import { deploymentTriggerRef, openTriggerAdmin } from '../../src/lib/cloud/cloudbuild.js';
import { openLeaseAdmin } from '../../src/lib/cloud/kube-lease.js';
import { acquireLease } from '../../src/lib/deprovision/lease.js';
import { disableTrigger } from '../../src/lib/deprovision/trigger.js';
import { resultOf, runGwctl, tempDir } from '../helpers/cli.js';
import { startGatewayFixture, type GatewayFixture } from '../helpers/gateway-fixture.js';

let f: GatewayFixture | undefined;
afterEach(async () => {
  await f?.close();
  f = undefined;
});

const gwctl = (fx: GatewayFixture, ...args: string[]) => runGwctl(args, { cwd: tempDir(), env: fx.cliEnv });
const TRIGGER = 'gateway-gke-deployment';
const UPDATE = '/google.devtools.cloudbuild.v1.CloudBuild/UpdateBuildTrigger';

function trigger(fx: GatewayFixture) {
  const [t] = fx.cloudbuild.triggers.list(fx.project, fx.region).filter((x) => x.name === TRIGGER);
  return t!;
}

// The runbook's second step: "disable the Cloud Build trigger that deploys to Kubernetes", through the Cloud Build API
// (UpdateBuildTrigger with an update_mask, cloudbuild.proto), before anything is torn down.
describe('the deployment trigger', { timeout: 240_000 }, () => {
  it('is disabled by the run, first, before any Kubernetes or bucket change, and env status shows it', async () => {
    f = await startGatewayFixture();
    f.cloudbuild.log.clear();
    f.kube.log.clear();
    const dry = await gwctl(f, 'env', 'deprovision', 'staging', '--dry-run');
    expect(dry.stdout).toMatch(
      /1\. disable cloudbuild-trigger\/relaycorp-gateway-staging\/europe-west1\/gateway-gke-deployment — first, so CI cannot redeploy/,
    );
    expect(f.cloudbuild.log.mutating()).toEqual([]);

    const r = await gwctl(f, 'env', 'deprovision', 'staging', '--yes', '--confirm', 'staging', '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(trigger(f)).toMatchObject({ disabled: true, tags: ['gwctl-deprovision'], filename: 'cloudbuild.yaml' });
    const [update] = f.cloudbuild.log.mutating();
    expect(update?.path).toBe(UPDATE);
    const firstKubeWrite = f.kube.log.mutating().find((q) => !q.path.includes('/leases'))!;
    expect(Date.parse(update!.time)).toBeLessThanOrEqual(Date.parse(firstKubeWrite.time));

    const status = await gwctl(f, 'env', 'status', 'staging', '--json');
    expect(resultOf(status).leftovers.trigger).toEqual({
      name: TRIGGER,
      resourceName: trigger(f).resourceName,
      state: 'disabled by gwctl env deprovision',
    });
    expect(status.stderr).toMatch(/Deployment trigger gateway-gke-deployment: disabled by gwctl env deprovision/);
  });

  it('Cloud Build faults (UNAVAILABLE) are retried; a re-run leaves the disabled trigger alone', async () => {
    f = await startGatewayFixture();
    // Every third call fails with UNAVAILABLE: reads are retried by the client library, the update by gwctl.
    let calls = 0;
    (f.cloudbuild.faults as unknown as { random: () => number }).random = () => (calls++ % 3 === 0 ? 0 : 0.99);
    f.cloudbuild.faults.set({ p503: 0.3 });
    const stopped = await gwctl(f, 'env', 'deprovision', 'staging', '--yes', '--confirm', 'staging');
    expect(stopped.code, stopped.stderr).toBe(0);
    expect(trigger(f).disabled).toBe(true);
    expect(f.cloudbuild.log.list().some((q) => q.fault)).toBe(true);
    f.cloudbuild.faults.set({});
    f.cloudbuild.log.clear();
    const again = await gwctl(f, 'env', 'deprovision', 'staging', '--yes', '--confirm', 'staging');
    expect(again.stdout).toMatch(/note: Cloud Build trigger gateway-gke-deployment .* is already disabled/);
    expect(f.cloudbuild.log.mutating()).toEqual([]);
  });

  it('env protect enables it again when a deprovision was abandoned, and leaves alone one someone else disabled', async () => {
    f = await startGatewayFixture();
    const t = trigger(f);
    f.cloudbuild.triggers.update(
      { project: f.project, location: f.region, trigger: t.id! },
      { tags: ['gwctl-deprovision'], disabled: true },
      ['disabled', 'tags'],
    );
    const protect = await gwctl(f, 'env', 'protect', 'staging', '--yes');
    expect(protect.code, protect.stderr).toBe(0);
    expect(protect.stdout).toMatch(
      /enable cloudbuild-trigger\/relaycorp-gateway-staging\/europe-west1\/gateway-gke-deployment — disabled by gwctl env deprovision/,
    );
    expect(trigger(f).disabled).toBe(false);
    // proto3 sends no empty list: the masked `tags` field is cleared.
    expect(trigger(f).tags ?? []).toEqual([]);

    f.cloudbuild.triggers.update({ project: f.project, location: f.region, trigger: t.id! }, { disabled: true }, [
      'disabled',
    ]);
    const again = await gwctl(f, 'env', 'protect', 'staging', '--yes');
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toMatch(
      /warning: Cloud Build trigger gateway-gke-deployment .* is disabled, and not by gwctl env deprovision: left disabled/,
    );
    expect(trigger(f).disabled).toBe(true);
  });

  it('no trigger of that name: the plan warns and goes on; cloudBuild.trigger names another', async () => {
    f = await startGatewayFixture();
    const t = trigger(f);
    f.cloudbuild.triggers.update(
      { project: f.project, location: f.region, trigger: t.id! },
      { name: 'deploy-gateway' },
      ['name'],
    );
    const r = await gwctl(f, 'env', 'deprovision', 'staging', '--dry-run');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(
      /warning: no Cloud Build trigger gateway-gke-deployment \(projects\/relaycorp-gateway-staging\/locations\/europe-west1\/triggers\/gateway-gke-deployment\): nothing to disable/,
    );
  });

  it('a trigger someone froze (disabled, untagged) after the plan was read is reported already disabled, not tagged; env protect leaves it', async () => {
    f = await startGatewayFixture();
    const t = trigger(f);
    // A deploy freeze between plan and step 1: disabled by hand (gcloud builds triggers update … --disabled).
    f.cloudbuild.triggers.update({ project: f.project, location: f.region, trigger: t.id! }, { disabled: true }, [
      'disabled',
    ]);
    f.cloudbuild.log.clear();
    const admin = await openTriggerAdmin(f.env());
    expect(await disableTrigger(admin, deploymentTriggerRef(f.env()))).toBe('already-disabled');
    expect(f.cloudbuild.log.mutating()).toEqual([]);
    expect(trigger(f).tags ?? []).toEqual([]);

    const plan = await gwctl(f, 'env', 'deprovision', 'staging', '--dry-run');
    expect(plan.stdout).toMatch(
      /is already disabled, and not by gwctl: left as it is \(env protect will not enable it\)/,
    );
    const protect = await gwctl(f, 'env', 'protect', 'staging', '--yes');
    expect(protect.code, protect.stderr).toBe(0);
    expect(trigger(f).disabled).toBe(true);
  });

  it('env protect warns, on stderr, while a deprovision holds the Lease: it is about to re-enable CI mid-teardown', async () => {
    f = await startGatewayFixture();
    const leases = await openLeaseAdmin(f.env());
    const held = await acquireLease(leases, {
      env: 'staging',
      namespace: 'default',
      run: 'feedface',
      operator: 'os:alice@laptop',
    });
    try {
      const r = await gwctl(f, 'env', 'protect', 'staging', '--dry-run');
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toMatch(
        /warning: a deprovision of staging is running: Lease default\/gwctl-deprovision-staging is held by .* \(gwctl run feedface\) since .*; protecting now re-enables its deployment trigger mid-deprovision/,
      );
      expect(r.stdout).not.toMatch(/a deprovision of staging is running/);
    } finally {
      await held.release();
    }
    const after = await gwctl(f, 'env', 'protect', 'staging', '--dry-run');
    expect(after.stderr).not.toMatch(/a deprovision of staging/);
  });
});
