import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { expect } from 'vitest';
import { openEnvironmentAdmins } from '../../src/lib/cloud/environment-admins.js';
import type { KubeAdmin } from '../../src/lib/cloud/kube-resources.js';
import { applyDeprovision, type ApplyHooks, type DeprovisionResult } from '../../src/lib/deprovision/apply.js';
import { readInventory } from '../../src/lib/deprovision/inventory.js';
import { DeprovisionJournal, journalPath } from '../../src/lib/deprovision/journal.js';
import { buildDeprovisionPlan, EMPTYING_RULE, type DeprovisionPlan } from '../../src/lib/deprovision/plan.js';
import { DAY_MS } from '@gwctl/emulators/gcs';
import { tempDir } from '../helpers/cli.js';
import type { GatewayFixture } from '../helpers/gateway-fixture.js';

/** The engine as the command drives it, minus the prompt: inventory → plan → apply with the journal. */
export async function deprovision(
  f: GatewayFixture,
  opts: { hooks?: ApplyHooks; wrapKube?: (k: KubeAdmin) => KubeAdmin; timeoutMs?: number } = {},
): Promise<{ plan: DeprovisionPlan; result: DeprovisionResult; journal: DeprovisionJournal }> {
  const env = f.env();
  const admins = await openEnvironmentAdmins(env);
  const deps = { ...admins, kube: opts.wrapKube ? opts.wrapKube(admins.kube) : admins.kube };
  const plan = buildDeprovisionPlan(await readInventory(env, deps));
  const journal = DeprovisionJournal.load(journalPath(env.name, f.home));
  const result = await applyDeprovision(
    plan,
    deps,
    journal,
    { project: env.project, namespace: env.kube.namespace },
    { timeoutMs: opts.timeoutMs ?? 30_000, pollMs: 100 },
    opts.hooks,
  );
  return { plan, result, journal };
}

export async function planFor(f: GatewayFixture): Promise<DeprovisionPlan> {
  const env = f.env();
  return buildDeprovisionPlan(await readInventory(env, await openEnvironmentAdmins(env)));
}

export function envBuckets(f: GatewayFixture): string[] {
  return [f.buckets.parcels, f.buckets.vault, f.buckets.backups, f.buckets.extra].filter(Boolean);
}

/** "No workload replicas, Ingress, Service or PVC, and every bucket with the age-0 rule alone." */
export async function expectDeprovisioned(f: GatewayFixture): Promise<void> {
  const names = (kind: string) =>
    f.kube
      .objects(kind)
      .filter((o) => o.metadata.namespace === f.namespace)
      .map((o) => o.metadata.name);
  for (const kind of ['Deployment', 'StatefulSet'])
    for (const w of f.kube.objects(kind))
      expect((w.spec as { replicas: number }).replicas, `${kind} ${w.metadata.name}`).toBe(0);
  expect(names('Ingress')).toEqual([]);
  expect(names('CronJob')).toEqual([]);
  expect(names('Job')).toEqual([]);
  expect(names('Service')).toEqual(f.namespace === 'default' ? ['kubernetes'] : []);
  expect(names('ConfigMap')).toEqual(['kube-root-ca.crt']);
  expect(names('Secret')).toEqual(['default-token-x7k2p']);
  expect(names('PersistentVolumeClaim')).toEqual([]);
  for (const b of envBuckets(f)) {
    const [m] = await f.storage.bucket(b).getMetadata();
    expect(m.lifecycle?.rule, b).toEqual([EMPTYING_RULE]);
    expect(Boolean(m.versioning?.enabled), b).toBe(false);
    expect(Number(m.softDeletePolicy?.retentionDurationSeconds ?? 0), b).toBe(0);
  }
}

/** A day later, after GCS's lifecycle run: nothing left, noncurrent versions and soft-deleted objects included. */
export async function expectEmptyAfterLifecycleRun(f: GatewayFixture): Promise<void> {
  f.gcs.clock.advance(DAY_MS);
  f.gcs.sweep();
  for (const b of envBuckets(f)) {
    expect(f.gcs.objectCount(b, { versions: true }), b).toBe(0);
    const [files] = await f.storage.bucket(b).getFiles({ versions: true });
    expect(files, b).toEqual([]);
  }
}

/** A deterministic PRNG, so an injected-fault run is the same every time. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Starts `env deprovision` and resolves once it is waiting for GKE to remove the load balancer (step 10 of 23). */
export async function deprovisionUntilWaiting(fx: GatewayFixture) {
  const child = spawn(
    process.execPath,
    [
      resolve(import.meta.dirname, '../../bin/run.js'),
      'env',
      'deprovision',
      'staging',
      '--yes',
      '--confirm',
      'staging',
    ],
    {
      cwd: tempDir(),
      env: { ...process.env, NODE_ENV: 'production', GWCTL_ENV: '', ...fx.cliEnv },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  const deadline = Date.now() + 30_000;
  while (!stderr.includes('waiting for GKE to remove the load balancer') && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 50));
  expect(stderr).toContain('waiting for GKE to remove the load balancer');
  return { child, exited, stderr: () => stderr };
}
