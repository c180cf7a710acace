import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openEnvironmentAdmins } from '../../src/lib/cloud/environment-admins.js';
import { journalPath, type JournalData } from '../../src/lib/deprovision/journal.js';
import { protectionBinding, protectionPolicy } from '../../src/lib/protection/kube-policy.js';
import { intentsIn, outcomesIn } from '../helpers/audit.js';
import { runGwctl, tempDir, resultOf } from '../helpers/cli.js';
import { startGatewayFixture, TFVARS, type GatewayFixture } from '../helpers/gateway-fixture.js';
import { EMPTYING_RULE } from '../../src/lib/deprovision/plan.js';
import { deprovisionUntilWaiting, envBuckets, expectDeprovisioned } from './support.js';

let f: GatewayFixture | undefined;
afterEach(async () => {
  await f?.close();
  f = undefined;
});

const gwctl = (fx: GatewayFixture, ...args: string[]) => runGwctl(args, { cwd: tempDir(), env: fx.cliEnv });

function clearLogs(fx: GatewayFixture): void {
  fx.gcs.log.clear();
  fx.kube.log.clear();
}

function expectNoMutation(fx: GatewayFixture): void {
  expect(fx.kube.log.mutating(), 'mutating Kubernetes requests').toEqual([]);
  expect(fx.gcs.log.mutating(), 'mutating GCS requests').toEqual([]);
}

// Each test spawns gwctl several times: generous limits for a loaded CI machine.
describe('gwctl env deprovision', { timeout: 240_000 }, () => {
  it('--dry-run shows every step and the manual ones, and sends no mutating request', async () => {
    f = await startGatewayFixture();
    clearLogs(f);
    const r = await gwctl(f, 'env', 'deprovision', 'staging', '--dry-run');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/scale-down deployment\/default\/public-gateway-poweb — replicas 2 → 0/);
    expect(r.stdout).toMatch(
      /delete ingress\/default\/public-gateway — and wait until GKE has torn down its load balancer \(load balancer 34\.120\.10\.20\)/,
    );
    expect(r.stdout).toMatch(
      new RegExp(
        `set-lifecycle gs://${f.buckets.vault} — lifecycle: Delete at age 0; versioning off; soft delete 7 day\\(s\\) → off`,
      ),
    );
    expect(r.stdout).toContain('dry run: nothing was changed');
    expect(r.stdout).toContain(`terraform destroy -var-file=${f.tfvars}`);
    expect(f.kube.log.list().length).toBeGreaterThan(0);
    expectNoMutation(f);
    expect(existsSync(journalPath('staging', f.home))).toBe(false);
  });

  it('refuses while any one of the three protections is on, saying which and how to turn it off', async () => {
    f = await startGatewayFixture();
    const fx = f;
    const env = fx.env();
    const admins = await openEnvironmentAdmins(env);
    const refused = async (part: RegExp) => {
      clearLogs(fx);
      const r = await gwctl(fx, 'env', 'deprovision', 'staging', '--yes', '--confirm', 'staging');
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toMatch(/error: environment staging is protected against destruction: /);
      expect(r.stderr).toMatch(part);
      expect(r.stderr).toContain('Turn protection off with: gwctl env unprotect staging');
      expectNoMutation(fx);
    };

    writeFileSync(fx.tfvars, TFVARS.replace('prevent_destruction = false', 'prevent_destruction = true'));
    await refused(/terraform \(prevent_destruction = true in .*staging\.tfvars:6\)/);
    writeFileSync(fx.tfvars, TFVARS);

    await admins.kube.put(protectionPolicy('staging'));
    await admins.kube.put(protectionBinding('staging', 'default'));
    await refused(/kubernetes \(ValidatingAdmissionPolicy gwctl-destroy-protection-staging denies deleting/);
    await admins.kube.remove('ValidatingAdmissionPolicyBinding', 'gwctl-destroy-protection-staging');
    // Half of it is still "on": a policy without its binding is inconsistent, and refused too.
    await refused(/kubernetes \(ValidatingAdmissionPolicy gwctl-destroy-protection-staging is partly in place\)/);
    await admins.kube.remove('ValidatingAdmissionPolicy', 'gwctl-destroy-protection-staging');

    await fx.storage.bucket(fx.buckets.backups).setMetadata({ labels: { 'gwctl-protected': 'true' } });
    await refused(/buckets \(1 of 4 bucket\(s\) labelled gwctl-protected=true\)/);

    // A dry run still shows the plan, and says the apply would be refused.
    const dry = await gwctl(fx, 'env', 'deprovision', 'staging', '--dry-run');
    expect(dry.code).toBe(0);
    expect(dry.stderr).toMatch(/warning: applying would be refused: environment staging is protected/);
  });

  it('needs the typed confirmation: --yes alone, or a wrong --confirm, changes nothing', async () => {
    f = await startGatewayFixture();
    clearLogs(f);
    const noConfirm = await gwctl(f, 'env', 'deprovision', 'staging', '--yes');
    expect(noConfirm.code).toBe(2);
    expect(noConfirm.stderr).toMatch(/pass --yes --confirm staging/);
    const wrong = await gwctl(f, 'env', 'deprovision', 'staging', '--yes', '--confirm', 'prod');
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/--confirm prod does not match the environment "staging"/);
    expectNoMutation(f);
  });

  it('runs to the end, status shows what is left, buckets empty after the lifecycle run, and a second run is a no-op', async () => {
    f = await startGatewayFixture();
    const r = await gwctl(f, 'env', 'deprovision', 'staging', '--yes', '--confirm', 'staging', '--json');
    expect(r.code, r.stderr).toBe(0);
    const out = resultOf(r);
    expect(out.status).toBe('applied');
    expect(out.result.steps).toHaveLength(23);
    // Under --json the plan still goes to stderr, but per-step progress stays quiet.
    expect(r.stderr).toContain('Plan: deprovision the environment (environment staging)');
    expect(r.stderr).not.toMatch(/✓ \[9\/23\]/);
    await expectDeprovisioned(f);
    const audit = readFileSync(resolve(f.dir, 'home/audit.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(audit.at(-1)).toMatchObject({ command: 'env deprovision', env: 'staging', result: 'applied' });

    const before = resultOf(await gwctl(f, 'env', 'status', 'staging', '--json'));
    expect(before.leftovers.ingresses).toEqual([]);
    expect(before.leftovers.workloads.every((w: { replicas: number }) => w.replicas === 0)).toBe(true);
    // Not empty yet: the lifecycle rule runs about daily. The counts are Cloud Monitoring's last daily measurement.
    expect(
      before.leftovers.buckets.every(
        (b: { emptying: boolean; empty: boolean; objects: number }) => b.emptying && !b.empty && b.objects > 0,
      ),
    ).toBe(true);
    expect(before.leftovers.deprovision.state).toBe('finished');
    expect(before.leftovers.clean).toBe(false);

    f.gcs.clock.advance(86_400_000);
    f.gcs.sweep();
    f.monitoring.measureStorage();
    const after = await gwctl(f, 'env', 'status', 'staging', '--json');
    const status = resultOf(after);
    expect(status.leftovers.clean).toBe(true);
    expect(status.leftovers.buckets.map((b: { empty: boolean }) => b.empty)).toEqual(envBuckets(f).map(() => true));
    // Cloud Monitoring does not track buckets with no objects: no count once they are empty.
    expect(status.leftovers.buckets.map((b: { objects?: number }) => b.objects)).toEqual(
      envBuckets(f).map(() => undefined),
    );
    expect(after.stderr).toMatch(/Kubernetes: nothing left to remove\n {2}Buckets: empty/);

    clearLogs(f);
    const again = await gwctl(f, 'env', 'deprovision', 'staging', '--yes', '--confirm', 'staging');
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/staging is already deprovisioned \(finished .*\): nothing to do/);
    expectNoMutation(f);
  });

  const auditFile = (fx: GatewayFixture) => resolve(fx.dir, 'home/audit.jsonl');

  it('a gwctl killed while waiting for the load balancer is finished by running it again, which records what the killed run did', async () => {
    // Long enough that the load balancer is still going when the second run starts, on a loaded machine too.
    f = await startGatewayFixture({ lbTeardownMs: 15_000 });
    const run = await deprovisionUntilWaiting(f);
    run.child.kill('SIGKILL');
    await run.exited;

    const journal = JSON.parse(readFileSync(journalPath('staging', f.home), 'utf8')) as JournalData;
    expect(Object.keys(journal.steps)).toHaveLength(9);
    expect(journal.finishedAt).toBeUndefined();
    expect(f.kube.objects('Ingress')[0]?.metadata.deletionTimestamp).toBeTruthy();
    // kill -9 leaves the intent without an outcome.
    const [killed] = intentsIn(auditFile(f));
    expect(outcomesIn(auditFile(f))).toEqual([]);

    const r = await gwctl(f, 'env', 'deprovision', 'staging', '--yes', '--confirm', 'staging');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/resuming the deprovision started .*: 9 step\(s\) already done/);
    expect(r.stdout).toMatch(/delete ingress\/default\/public-gateway — already deleting since/);
    expect(r.stderr).toMatch(
      /an earlier env deprovision on staging \(run [0-9a-f]+\) died without recording its outcome/,
    );
    await expectDeprovisioned(f);
    const final = JSON.parse(readFileSync(journalPath('staging', f.home), 'utf8')) as JournalData;
    expect(final.runs).toBe(2);
    expect(Object.keys(final.steps)).toHaveLength(23);
    const [abandoned, applied] = outcomesIn(auditFile(f));
    expect(abandoned).toMatchObject({
      run: killed!.run,
      result: 'abandoned',
      steps: { planned: 23, done: 9, ids: Object.keys(journal.steps) },
      reconciledBy: expect.stringMatching(/^gwctl env deprovision \(run [0-9a-f]+, pid \d+ on /),
    });
    expect(applied).toMatchObject({ result: 'applied', steps: { planned: 14, done: 14 } });
  });

  it('Ctrl-C while waiting for the load balancer stops the run, records it as interrupted with the steps done (exit 130)', async () => {
    f = await startGatewayFixture({ lbTeardownMs: 15_000 });
    const run = await deprovisionUntilWaiting(f);
    run.child.kill('SIGINT');
    expect(await run.exited).toBe(130);
    expect(run.stderr()).toMatch(/warning: SIGINT: stopping/);
    expect(run.stderr()).toMatch(
      /error: interrupted by SIGINT — stopped at step 10\/23 .* 9 of 23 step\(s\) done, recorded as interrupted in the audit log/,
    );
    const journal = JSON.parse(readFileSync(journalPath('staging', f.home), 'utf8')) as JournalData;
    const [intent] = intentsIn(auditFile(f));
    expect(outcomesIn(auditFile(f))).toEqual([
      expect.objectContaining({
        run: intent!.run,
        result: 'interrupted',
        signal: 'SIGINT',
        steps: { planned: 23, done: 9, ids: Object.keys(journal.steps) },
      }),
    ]);
    // The delete stands; the re-run waits for it and finishes.
    const r = await gwctl(f, 'env', 'deprovision', 'staging', '--yes', '--confirm', 'staging');
    expect(r.code, r.stderr).toBe(0);
    await expectDeprovisioned(f);
    expect(outcomesIn(auditFile(f)).map((o) => o.result)).toEqual(['interrupted', 'applied']);
  });

  it('asks the same confirmation for the sandbox, and deprovisions it like any other environment', async () => {
    f = await startGatewayFixture({ sandbox: true });
    clearLogs(f);
    const r = await gwctl(f, 'env', 'deprovision', 'sandbox', '--yes');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/pass --yes --confirm sandbox/);
    expectNoMutation(f);
    const ok = await gwctl(f, 'env', 'deprovision', 'sandbox', '--yes', '--confirm', 'sandbox');
    expect(ok.code, ok.stderr).toBe(0);
    await expectDeprovisioned(f);
  });

  it('reports the buckets that a retention policy or holds would keep from emptying', async () => {
    f = await startGatewayFixture();
    await f.storage.bucket(f.buckets.backups).setMetadata({ retentionPolicy: { retentionPeriod: 30 * 86_400 } });
    await f.storage
      .bucket(f.buckets.parcels)
      .file((await f.storage.bucket(f.buckets.parcels).getFiles())[0][0]!.name)
      .setMetadata({ temporaryHold: true });
    const r = await gwctl(f, 'env', 'deprovision', 'staging', '--dry-run', '--keep-soft-delete');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(
      `warning: gs://${f.buckets.backups} has a retention policy of 30 day(s): objects younger than that stay until they expire (remove it with: gcloud storage buckets update gs://${f.buckets.backups} --clear-retention-period)`,
    );
    // Holds are per object; planning never lists every object, so it says where to look instead of counting.
    expect(r.stdout).toContain('note: objects under a temporary or event-based hold outlive the lifecycle rule');
    expect(r.stderr).toMatch(
      new RegExp(
        `warning: gs://${f.buckets.vault} keeps soft delete \\(7 day\\(s\\)\\): every object the rule deletes stays billable`,
      ),
    );
  });

  it('reports soft-deleted objects as still billed: deprovision warns, turning soft delete off leaves them, env status shows them', async () => {
    // https://cloud.google.com/storage/docs/soft-delete: soft-deleted objects are kept (and billed) until their
    // hard-delete time, whatever the bucket's policy becomes afterwards.
    f = await startGatewayFixture();
    const vault = f.storage.bucket(f.buckets.vault);
    const [files] = await vault.getFiles({ prefix: 'core/' });
    const [versions] = await vault.getFiles({ prefix: 'core/', versions: true });
    for (const v of versions) await v.delete({ ifGenerationMatch: Number(v.metadata.generation) } as never);

    const r = await gwctl(f, 'env', 'deprovision', 'staging', '--yes', '--confirm', 'staging');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(
      new RegExp(
        `warning: gs://${f.buckets.vault} holds ${versions.length} soft-deleted object\\(s\\) \\([^)]+\\), billed until \\S+: turning soft delete off does not purge them`,
      ),
    );
    expect(r.stdout).toMatch(
      /soft delete 7 day\(s\) → off \(what is already soft-deleted stays until its hard-delete time\)/,
    );
    expect(files.length).toBeGreaterThan(0);

    f.gcs.clock.advance(86_400_000);
    f.gcs.sweep();
    f.gcs.log.clear();
    const status = await gwctl(f, 'env', 'status', 'staging', '--json');
    const left = resultOf(status).leftovers;
    const vaultLeft = left.buckets.find((b: { name: string }) => b.name === f!.buckets.vault);
    expect(vaultLeft.empty).toBe(true);
    expect(vaultLeft.softDeleted).toMatchObject({ objects: versions.length, more: false });
    expect(Date.parse(vaultLeft.softDeleted.billedUntil)).toBeGreaterThan(f.gcs.clock.now().getTime());
    expect(left.clean).toBe(true);
    expect(status.stderr).toContain(`warning: gs://${f.buckets.vault} holds ${versions.length} soft-deleted object(s)`);
    // One page per bucket, never the whole soft-deleted listing.
    const listings = f.gcs.log.list().filter((q) => q.path.includes('softDeleted=true'));
    expect(listings).toHaveLength(envBuckets(f).length);
    expect(listings.every((q) => q.path.includes('maxResults=1000'))).toBe(true);
  });

  it('an organization policy that forbids turning soft delete off stops the step with a clear error naming the constraint', async () => {
    f = await startGatewayFixture();
    f.gcs.orgPolicy.softDeletePolicySeconds = [7 * 86_400];
    const r = await gwctl(f, 'env', 'deprovision', 'staging', '--yes', '--confirm', 'staging');
    expect(r.code).toBe(1);
    const line = r.stderr.trim().split('\n').at(-1)!;
    expect(line).toMatch(
      new RegExp(
        `^error: updating bucket gs://${f.buckets.parcels}: organization policy constraints/storage\\.softDeletePolicySeconds does not allow soft delete off \\(0 s\\); nothing changed`,
      ),
    );
    expect(line).toContain(
      '(allowed values: gcloud resource-manager org-policies describe constraints/storage.softDeletePolicySeconds --effective --project=relaycorp-gateway-staging); or re-run with --keep-soft-delete — stopped at step 20/23',
    );

    const kept = await gwctl(f, 'env', 'deprovision', 'staging', '--yes', '--confirm', 'staging', '--keep-soft-delete');
    expect(kept.code, kept.stderr).toBe(0);
    for (const b of envBuckets(f)) {
      const [m] = await f.storage.bucket(b).getMetadata();
      expect(m.lifecycle?.rule, b).toEqual([EMPTYING_RULE]);
      expect(m.softDeletePolicy?.retentionDurationSeconds, b).toBe('604800');
    }
  });
});
