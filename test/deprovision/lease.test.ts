import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { FaultInjector } from '@gwctl/emulators/common';
import { afterEach, describe, expect, it } from 'vitest';
import { openLeaseAdmin, type LeaseAdmin } from '../../src/lib/cloud/kube-lease.js';
import { acquireLease, DeprovisionLeaseHeldError, type HeldLease } from '../../src/lib/deprovision/lease.js';
import { thisMachine } from '../../src/lib/deprovision/same-machine.js';
import { intentsIn, outcomesIn } from '../helpers/audit.js';
import { resultOf, runGwctl, tempDir } from '../helpers/cli.js';
import { startGatewayFixture, type GatewayFixture } from '../helpers/gateway-fixture.js';
import { deprovisionUntilWaiting, expectDeprovisioned } from './support.js';

let f: GatewayFixture | undefined;
afterEach(async () => {
  await f?.close();
  f = undefined;
});

const gwctl = (fx: GatewayFixture, ...args: string[]) => runGwctl(args, { cwd: tempDir(), env: fx.cliEnv });
const LEASE = 'gwctl-deprovision-staging';
const leases = (fx: GatewayFixture) => fx.kube.objects('Lease');
const auditFile = (fx: GatewayFixture) => resolve(fx.dir, 'home/audit.jsonl');

/** MicroTime as the API server writes it: six fractional digits. */
const micro = (ms: number) => new Date(ms).toISOString().replace('Z', '000Z');

const PROCESS_4242 = { pid: 4242, host: 'build-vm-7', started: new Date(0).toISOString() };

/** A Lease written by a gwctl on another machine (or as `process` says), last renewed `agoMs` ago by its clock. */
function foreignLease(fx: GatewayFixture, agoMs: number, durationSeconds = 60, process: object = PROCESS_4242) {
  fx.kube.seed([
    {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: {
        name: LEASE,
        namespace: fx.namespace,
        annotations: {
          'gwctl/process': JSON.stringify(process),
          'gwctl/operator': 'gcp:bob@relaycorp.tech os:bob@build-vm-7',
        },
      },
      spec: {
        holderIdentity: 'bob@build-vm-7 pid 4242 (gwctl run 0badc0ffee)',
        acquireTime: micro(Date.now() - agoMs - 60_000),
        renewTime: micro(Date.now() - agoMs),
        leaseDurationSeconds: durationSeconds,
        leaseTransitions: 0,
      },
    } as never,
  ]);
}

// coordination.k8s.io/v1 Lease, as client-go's leader election uses it: holderIdentity, acquireTime, renewTime,
// leaseDurationSeconds (https://kubernetes.io/docs/concepts/architecture/leases/).
describe('one deprovision at a time, across machines: the Lease', { timeout: 240_000 }, () => {
  it('a second run is refused while the first holds the Lease, naming who and since when; a re-run after completion is a no-op', async () => {
    f = await startGatewayFixture({ lbTeardownMs: 20_000 });
    const first = await deprovisionUntilWaiting(f);
    const [held] = leases(f);
    expect(held?.metadata.name).toBe(LEASE);
    const holder = (held!.spec as { holderIdentity: string }).holderIdentity;
    expect(holder).toMatch(new RegExp(`@${hostname()} pid ${first.child.pid} \\(gwctl run [0-9a-f]+\\)$`));

    const second = await gwctl(f, 'env', 'deprovision', 'staging', '--yes', '--confirm', 'staging');
    expect(second.code).toBe(1);
    expect(second.stderr.trim().split('\n').at(-1)).toMatch(
      new RegExp(
        `^error: deprovisioning staging is already running: Lease default/${LEASE} is held by ${holder.replace(/[()]/g, '\\$&')} \\[.*\\] since \\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z .*nothing was changed`,
      ),
    );
    // The second run wrote nothing: no intent of its own.
    expect(intentsIn(auditFile(f))).toHaveLength(1);
    const status = resultOf(await gwctl(f, 'env', 'status', 'staging', '--json'));
    expect(status.leftovers.deprovision.runningNow.holder).toBe(holder);
    const dry = await gwctl(f, 'env', 'deprovision', 'staging', '--dry-run');
    expect(dry.code).toBe(0);
    expect(dry.stderr).toMatch(/warning: applying now would be refused: deprovisioning staging is already running/);

    expect(await first.exited).toBe(0);
    // Released at the end.
    expect(leases(f)).toEqual([]);
    await expectDeprovisioned(f);
    f.kube.log.clear();
    const again = await gwctl(f, 'env', 'deprovision', 'staging', '--yes', '--confirm', 'staging');
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/staging is already deprovisioned \(finished .*\): nothing to do/);
    expect(f.kube.log.mutating()).toEqual([]);
  });

  it('refuses a Lease another machine holds and renews, and takes over one whose holder stopped renewing it (watched unchanged for its duration here), with a warning', async () => {
    f = await startGatewayFixture();
    foreignLease(f, 5_000);
    const refused = await gwctl(f, 'env', 'deprovision', 'staging', '--yes', '--confirm', 'staging');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      /error: deprovisioning staging is already running: Lease default\/gwctl-deprovision-staging is held by bob@build-vm-7 pid 4242 \(gwctl run 0badc0ffee\) \[gcp:bob@relaycorp.tech os:bob@build-vm-7\] since /,
    );
    expect(f.kube.log.mutating()).toEqual([]);

    await f.close();
    f = await startGatewayFixture();
    foreignLease(f, 10 * 60_000, 5);
    const r = await gwctl(f, 'env', 'deprovision', 'staging', '--yes', '--confirm', 'staging');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/watching it for 5s before taking it over, in case this machine's clock runs ahead/);
    expect(r.stderr).toMatch(
      /warning: taking over Lease default\/gwctl-deprovision-staging from bob@build-vm-7 pid 4242 \(gwctl run 0badc0ffee\) \(acquired .*\): its holder stopped renewing it 60\ds ago by the clocks, and it stayed unchanged for 5s as seen here/,
    );
    await expectDeprovisioned(f);
    expect(leases(f)).toEqual([]);
  });

  it('kill -9 leaves the Lease behind; the next run on this host takes it over at once, its holder being gone', async () => {
    f = await startGatewayFixture({ lbTeardownMs: 15_000 });
    const run = await deprovisionUntilWaiting(f);
    run.child.kill('SIGKILL');
    await run.exited;
    expect(leases(f)).toHaveLength(1);
    const r = await gwctl(f, 'env', 'deprovision', 'staging', '--yes', '--confirm', 'staging');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(
      new RegExp(
        `taking over Lease default/${LEASE} from .*: its holder, pid ${run.child.pid} on ${hostname()}, is no longer running`,
      ),
    );
    await expectDeprovisioned(f);
    expect(leases(f)).toEqual([]);
  });

  it('SIGTERM stops the run and releases the Lease; the outcome says interrupted', async () => {
    f = await startGatewayFixture({ lbTeardownMs: 15_000 });
    const run = await deprovisionUntilWaiting(f);
    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(143);
    expect(leases(f)).toEqual([]);
    expect(outcomesIn(auditFile(f)).map((o) => o.result)).toEqual(['interrupted']);
  });
});

describe('the Lease, as the deprovision engine takes it', { timeout: 60_000 }, () => {
  const options = (run: string, durationSeconds = 60) => ({
    env: 'staging',
    namespace: 'default',
    run,
    operator: 'os:test@host',
    durationSeconds,
  });

  it('of two runs racing for a free lease exactly one wins: every write is a compare-and-swap', async () => {
    f = await startGatewayFixture();
    const admin = await openLeaseAdmin(f.env());
    const results = await Promise.allSettled([
      acquireLease(admin, options('aaaa')),
      acquireLease(admin, options('bbbb')),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    const refused = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(refused.reason).toBeInstanceOf(DeprovisionLeaseHeldError);
    const held = results.find((r) => r.status === 'fulfilled') as PromiseFulfilledResult<HeldLease>;
    await held.value.release();
    expect(leases(f)).toEqual([]);
  });

  it('a run whose lease is taken over while it runs is told, through the signal it checks between steps', async () => {
    f = await startGatewayFixture();
    const admin = await openLeaseAdmin(f.env());
    const held = await acquireLease(admin, options('cccc', 3));
    const [current] = leases(f);
    f.kube.seed([
      { ...current!, spec: { ...(current!.spec as object), holderIdentity: 'mallory@elsewhere' } } as never,
    ]);
    const deadline = Date.now() + 5_000;
    while (!held.lost.aborted && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect((held.lost.reason as Error).message).toMatch(
      /^lost Lease default\/gwctl-deprovision-staging to mallory@elsewhere: another run may be deprovisioning staging/,
    );
    // Released? No: it is not ours any more.
    await held.release();
    expect(leases(f)).toHaveLength(1);
  });

  // client-go's leader election: RenewDeadline < LeaseDuration, so the holder gives up before anyone may take over
  // (k8s.io/client-go/tools/leaderelection, LeaderElectionConfig).
  it('a holder whose renewals fail stops before any other run may take its lease over (two thirds of the duration)', async () => {
    const kubeFaults = new FaultInjector();
    f = await startGatewayFixture({ kubeFaults });
    const admin = await openLeaseAdmin(f.env());
    const held = await acquireLease(admin, options('dddd', 3));
    kubeFaults.set({ p503: 1 });
    const deadline = Date.now() + 8_000;
    while (!held.lost.aborted && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const stoppedAt = Date.now();
    const renewTime = (leases(f)[0]!.spec as { renewTime: string }).renewTime;
    // A rival takes over only past renewTime + leaseDurationSeconds: the holder has stopped by then.
    expect(stoppedAt).toBeLessThan(Date.parse(renewTime) + 3_000);
    expect((held.lost.reason as Error).message).toMatch(
      /^could not renew Lease default\/gwctl-deprovision-staging for 2s.*: stopped before the next step, as another run may take it over after 3s/,
    );
    kubeFaults.set({});
    // Still its own: released.
    await held.release();
    expect(leases(f)).toEqual([]);
  });

  it('the renew deadline is checked before each step, not only when a timer fires (a process frozen, then resumed)', async () => {
    f = await startGatewayFixture();
    const admin = await openLeaseAdmin(f.env());
    const held = await acquireLease(admin, options('ffff', 3));
    // The event loop blocked past the deadline: no renewal, no timer, ran meanwhile.
    const until = performance.now() + 2_200;
    while (performance.now() < until);
    expect(held.lost.aborted).toBe(false);
    held.checkHeld();
    expect((held.lost.reason as Error).message).toMatch(
      /^could not renew Lease default\/gwctl-deprovision-staging for 2s/,
    );
    await held.release();
    expect(leases(f)).toEqual([]);
  });

  it('a machine whose clock runs ahead does not take over a lease its holder keeps renewing; it does once renewals stop', async () => {
    f = await startGatewayFixture();
    const admin = await openLeaseAdmin(f.env());
    // The holder's clock is ten minutes behind: every renewTime it writes looks expired here.
    foreignLease(f, 10 * 60_000, 3);
    let renewing = true;
    const holder = (async () => {
      while (renewing) {
        await new Promise((r) => setTimeout(r, 1_000));
        if (renewing) await renewAsSlowClock(admin);
      }
    })();
    const refused = await acquireLease(admin, options('eeee')).catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(DeprovisionLeaseHeldError);
    expect((refused as Error).message).toMatch(
      /^deprovisioning staging is already running: Lease default\/gwctl-deprovision-staging is held by bob@build-vm-7 pid 4242/,
    );
    renewing = false;
    await holder;

    const warnings: string[] = [];
    const held = await acquireLease(admin, { ...options('eeee'), warn: (m) => warnings.push(m) });
    expect(warnings).toEqual([expect.stringMatching(/stayed unchanged for 3s as seen here$/)]);
    await held.release();
  });

  it('a dead pid under this host name is taken for a dead holder only with the same boot id and pid namespace', async () => {
    f = await startGatewayFixture();
    const admin = await openLeaseAdmin(f.env());
    const exited = spawnSync('true').pid;
    const here = thisMachine();
    const dead = { pid: exited, host: hostname(), started: new Date().toISOString() };
    // Another container with this host name (or a record without the marks): its pid says nothing here.
    for (const marks of [
      {},
      { ...here, boot: '00000000-0000-0000-0000-000000000000' },
      { ...here, pidNamespace: 'pid:[1]' },
    ]) {
      foreignLease(f, 1_000, 60, { ...dead, ...marks });
      await expect(acquireLease(admin, options('gggg'))).rejects.toBeInstanceOf(DeprovisionLeaseHeldError);
    }
    foreignLease(f, 1_000, 60, { ...dead, ...here });
    const warnings: string[] = [];
    const held = await acquireLease(admin, { ...options('gggg'), warn: (m) => warnings.push(m) });
    expect(warnings).toEqual([
      expect.stringMatching(new RegExp(`its holder, pid ${exited} on .*, is no longer running$`)),
    ]);
    await held.release();
  });
});

/** A renewal by a holder whose clock is ten minutes behind: the resourceVersion changes, the renewTime looks old. */
async function renewAsSlowClock(admin: LeaseAdmin) {
  const l = await admin.read('default', LEASE);
  if (!l?.holder) return;
  await admin.replace(l, {
    holder: l.holder,
    acquireTime: new Date(Date.parse(l.acquireTime!)),
    renewTime: new Date(Date.now() - 10 * 60_000),
    durationSeconds: l.durationSeconds!,
    transitions: l.transitions,
    annotations: l.annotations,
  });
}
