import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { KubeAdmin } from '../../src/lib/cloud/kube-resources.js';
import { journalPath, type JournalData } from '../../src/lib/deprovision/journal.js';
import { FaultInjector, ratesFromProbability } from '@gwctl/emulators/common';
import { RuntimeError } from '../../src/lib/errors/gwctl-error.js';
import { startGatewayFixture } from '../helpers/gateway-fixture.js';
import { deprovision, expectDeprovisioned, expectEmptyAfterLifecycleRun, planFor, seededRandom } from './support.js';

const readJournal = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as JournalData;

describe('deprovisioning a seeded gateway', () => {
  it('leaves no workload replica, Ingress, Service or PVC, and every bucket empties at the next lifecycle run', async () => {
    const f = await startGatewayFixture();
    try {
      const waits: number[] = [];
      const { plan, result } = await deprovision(f, { hooks: { onWait: (_s, info) => waits.push(info.elapsedMs) } });
      expect(result.steps.map((s) => s.id)).toEqual(plan.steps.map((s) => s.id));
      // The CronJob's Job went with it (background propagation): its own step found it gone.
      expect(result.steps.find((s) => s.id.startsWith('delete/job/'))!.outcome).toBe('already-gone');
      expect(waits.length).toBeGreaterThan(0);
      await expectDeprovisioned(f);
      const journal = readJournal(journalPath('staging', f.home));
      expect(journal.finishedAt).toBeDefined();
      expect(journal.steps[`empty-bucket/${f.buckets.parcels}`]!.previous).toMatchObject({
        lifecycleRules: [{ action: { type: 'Delete' }, condition: { age: 2 } }],
        softDeleteRetentionSeconds: 604_800,
      });
      await expectEmptyAfterLifecycleRun(f);
      expect((await planFor(f)).steps).toEqual([]);
    } finally {
      await f.close();
    }
  });

  it('a run stopped midway (a crash after 7 steps) is finished by the next run, which ends in the same state', async () => {
    const f = await startGatewayFixture();
    try {
      let done = 0;
      const crash = () => {
        if (++done === 7) throw new Error('simulated crash');
      };
      await expect(deprovision(f, { hooks: { onStepDone: crash } })).rejects.toThrow('simulated crash');
      const file = journalPath('staging', f.home);
      const partial = readJournal(file);
      expect(Object.keys(partial.steps)).toHaveLength(7);
      expect(partial.finishedAt).toBeUndefined();
      const again = await deprovision(f);
      // Only what was not done is planned again.
      expect(again.plan.steps.map((s) => s.id).filter((id) => partial.steps[id])).toEqual([]);
      const final = readJournal(file);
      expect(final.runs).toBe(2);
      expect(final.finishedAt).toBeDefined();
      await expectDeprovisioned(f);
      await expectEmptyAfterLifecycleRun(f);
    } finally {
      await f.close();
    }
  });

  it('a step that fails says how far it got and how to continue; re-running completes', async () => {
    const f = await startGatewayFixture();
    try {
      let calls = 0;
      const failThirdDelete = (k: KubeAdmin): KubeAdmin => ({
        ...k,
        list: k.list.bind(k),
        get: k.get.bind(k),
        scale: k.scale.bind(k),
        put: k.put.bind(k),
        remove: async (...args) => {
          // The third delete is the Ingress's (after the CronJob's and the Job's).
          if (++calls === 3)
            throw new RuntimeError('deleting ingress/default/public-gateway: HTTP 500: etcdserver: request timed out');
          return k.remove(...args);
        },
      });
      const err = await deprovision(f, { wrapKube: failThirdDelete }).then(
        () => undefined,
        (e: Error) => e,
      );
      expect(err?.message).toMatch(
        /etcdserver: request timed out — stopped at step 10\/23 \(delete-ingress\/default\/public-gateway\)/,
      );
      expect(err?.message).toMatch(
        /step\(s\) done so far are recorded in .*staging-deprovision\.json; re-run gwctl env deprovision staging to continue/,
      );
      await deprovision(f);
      await expectDeprovisioned(f);
    } finally {
      await f.close();
    }
  });

  it('waiting for a load balancer is bounded by the timeout, and a later run finishes the wait', async () => {
    const f = await startGatewayFixture({ lbTeardownMs: 3_000 });
    try {
      const err = await deprovision(f, { timeoutMs: 500 }).then(
        () => undefined,
        (e: Error) => e,
      );
      expect(err?.message).toMatch(
        /ingress\/default\/public-gateway is still there after \d+s \(finalizers: networking\.gke\.io\/ingress-finalizer-V2\)/,
      );
      const [ing] = f.kube.objects('Ingress');
      expect(ing?.metadata.deletionTimestamp).toBeTruthy();
      const again = await deprovision(f, { timeoutMs: 30_000 });
      expect(again.plan.steps[0]!.id).toBe('delete-ingress/default/public-gateway');
      expect(again.plan.steps[0]!.description).toMatch(/already deleting since/);
      await expectDeprovisioned(f);
    } finally {
      await f.close();
    }
  });

  it('completes with 5 % of Kubernetes requests (and 20 % of GCS requests) failing: 429s, 503s and dropped connections', async () => {
    const kubeFaults = new FaultInjector(ratesFromProbability(0.05), seededRandom(7));
    const gcsFaults = new FaultInjector({}, seededRandom(11));
    const f = await startGatewayFixture({ kubeFaults, gcsFaults });
    try {
      gcsFaults.set(ratesFromProbability(0.2));
      await deprovision(f);
      expect(f.kube.log.list().filter((r) => r.fault).length).toBeGreaterThan(0);
      expect(f.gcs.log.list().filter((r) => r.fault).length).toBeGreaterThan(0);
      kubeFaults.set({});
      gcsFaults.set({});
      await expectDeprovisioned(f);
      expect(existsSync(journalPath('staging', f.home))).toBe(true);
    } finally {
      await f.close();
    }
  });
});
