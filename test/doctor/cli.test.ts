import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { CheckResult } from '../../src/lib/doctor/check.js';
import { SANDBOX_BUCKETS } from '../../src/lib/sandbox/environment.js';
import { startSandbox, type RunningSandbox } from '../../src/lib/sandbox/run.js';
import { resultOf, runGwctl, tempDir } from '../helpers/cli.js';

// `gwctl doctor` against a whole sandbox, the real SDKs over the wire (its emulators run in this process): what
// an operator runs on staging before the first change, and what it says when an API would refuse gwctl.

let root: string;
let home: string;
let sandbox: RunningSandbox;

beforeAll(async () => {
  root = tempDir('gwctl-doctor-');
  home = join(root, '.gwctl');
  sandbox = await startSandbox({ dir: join(home, 'sandbox'), lifecycleSweepMs: 600_000 });
});
afterAll(async () => sandbox?.close());

const gwctl = (...args: string[]) => runGwctl(args, { cwd: root, env: { GWCTL_HOME: home } });
const control = (service: 'kube' | 'gcs', route: string, body: unknown) =>
  fetch(`${sandbox.state.endpoints[service]}/_emulator/${route}`, { method: 'POST', body: JSON.stringify(body) });
const checks = (r: { stdout: string }) => resultOf<{ ok: boolean; checks: CheckResult[] }>(r).checks;
const byId = (all: CheckResult[], id: string) => all.find((c) => c.id === id)!;

afterEach(async () => {
  await control('kube', 'access', { deny: [] });
  await control('gcs', 'faults', { probability: 0 });
});

describe('gwctl doctor', () => {
  it('passes every check on the sandbox, the table on stdout, exit 0', async () => {
    const r = await gwctl('doctor', '--env', 'sandbox');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^CHECK\s+RESULT\s+REASON$/m);
    expect(r.stdout).toMatch(/^gcs\.batch\s+pass\s+rewrites with null attributes are taken inside batches/m);
    expect(r.stdout).toMatch(/^kube\.rbac\.deployments\/scale\s+pass\s+update allowed in namespace default$/m);
    expect(r.stdout).toMatch(/sandbox: 31 passed, 0 warning\(s\), 0 failed, 0 skipped/);
    expect(r.stderr).toBe('');
  });

  it('asks the APIs themselves: SelfSubjectAccessReviews, a batch, metric descriptors, and changes nothing', async () => {
    const before = sandbox.log.list().length;
    const r = await gwctl('doctor', '--env', 'sandbox', '--json');
    expect(r.code).toBe(0);
    const calls = sandbox.log.list().slice(before);
    const paths = calls.map((c) => `${c.method} ${c.path.split('?')[0]}`);
    expect(paths).toContain('POST /apis/authorization.k8s.io/v1/selfsubjectaccessreviews');
    expect(paths).toContain('POST /batch/storage/v1');
    expect(paths).toContain('POST /google.monitoring.v3.MetricService/GetMetricDescriptor');
    expect(paths).toContain('POST /google.devtools.cloudbuild.v1.CloudBuild/GetBuildTrigger');
    expect(paths).toContain('POST /google.storagetransfer.v1.StorageTransferService/GetGoogleServiceAccount');
    // Read-only: the only POSTs are reviews, the batch (a read and a rewrite of nothing) and gRPC reads.
    const writes = calls.filter((c) => ['PUT', 'PATCH', 'DELETE'].includes(c.method));
    expect(writes).toEqual([]);
    const all = checks(r);
    expect(all.every((c) => c.status === 'pass')).toBe(true);
    expect(byId(all, 'gcs.batch')).toMatchObject({
      calls: expect.stringMatching(/^POST \/batch\/storage\/v1: objects\.get .*objects\.rewrite/),
      expects: expect.stringMatching(/404 and 404/),
    });
    expect(byId(all, `gcs.bucket.vault`).reason).toContain(SANDBOX_BUCKETS.vault);
  });

  it('a verb the cluster denies fails its row, names what will fail, and exits 1', async () => {
    await control('kube', 'access', {
      deny: [
        { verb: 'delete', group: 'networking.k8s.io', resource: 'ingresses' },
        { verb: 'update', group: 'apps', resource: 'deployments', subresource: 'scale' },
      ],
    });
    const r = await gwctl('doctor', '--env', 'sandbox');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(
      /^kube\.rbac\.ingresses\s+FAIL\s+denied in namespace default: delete \(env deprovision\)$/m,
    );
    expect(r.stdout).toMatch(/^kube\.rbac\.deployments\/scale\s+FAIL\s+denied in namespace default: update/m);
    expect(r.stdout).toMatch(/^kube\.rbac\.deployments\s+pass/m);
    expect(r.stdout).toMatch(/sandbox: 29 passed, 0 warning\(s\), 2 failed, 0 skipped/);
    expect(r.stdout).toMatch(/will fail until fixed: env deprovision$/m);
  });

  it('GCS answering 503 fails the bucket checks with the service’s answer', async () => {
    await control('gcs', 'faults', { p503: 1 });
    const r = await gwctl('doctor', '--env', 'sandbox', '--json');
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ status: 1, result: { ok: false } });
    const all = checks(r);
    for (const id of ['gcs.bucket.parcels', 'gcs.bucket.vault', 'gcs.bucket.backups', 'gcs.batch'])
      expect(byId(all, id).status, id).toBe('fail');
    expect(byId(all, 'gcs.bucket.vault').reason).toMatch(/gs:\/\/relaycorp-gateway-sandbox-vault/);
    expect(byId(all, 'kube.api').status).toBe('pass');
  });

  it('a cluster that does not answer fails once; its access reviews are skipped', async () => {
    const dir = tempDir('gwctl-doctor-yaml-');
    const { gcs, firestore, monitoring, cloudbuild, storagetransfer } = sandbox.state.endpoints;
    writeFileSync(
      join(dir, 'gwctl.yaml'),
      `environments:
  staging:
    project: gwctl-sandbox
    kube: { server: "http://127.0.0.1:9" }
    buckets: { parcels: ${SANDBOX_BUCKETS.parcels}, vault: ${SANDBOX_BUCKETS.vault}, backups: no-such-backups-bucket }
    emulators: { storage: "${gcs}", firestore: "${firestore}", monitoring: "${monitoring}", cloudbuild: "${cloudbuild}", storagetransfer: "${storagetransfer}" }
`,
    );
    const r = await runGwctl(['doctor', '--env', 'staging', '--json'], { cwd: dir, env: { GWCTL_HOME: home } });
    expect(r.code).toBe(1);
    const all = checks(r);
    expect(byId(all, 'kube.api')).toMatchObject({
      status: 'fail',
      reason: expect.stringMatching(/ECONNREFUSED|connect/),
    });
    for (const c of all.filter((x) => x.id.startsWith('kube.rbac.')))
      expect(c).toMatchObject({ status: 'skip', reason: 'kube.api failed' });
    expect(byId(all, 'gcs.bucket.backups')).toMatchObject({
      status: 'fail',
      reason: expect.stringMatching(/not found/),
    });
    expect(byId(all, 'mongodb.reachable')).toMatchObject({
      status: 'skip',
      reason: 'no mongodb section in gwctl.yaml',
    });
    expect(byId(all, 'firestore.database').status).toBe('pass');
  });

  it('--context and --kubeconfig point this run at another cluster, as kubectl’s do; gwctl.yaml is unchanged', async () => {
    const dir = tempDir('gwctl-doctor-overrides-');
    const { gcs, firestore, monitoring, kube, cloudbuild } = sandbox.state.endpoints;
    // Kubeconfigs as `kubectl config view` writes them (Kubernetes docs, "Organizing Cluster Access Using
    // kubeconfig Files"): gwctl.yaml's names a cluster that does not answer; the other context is the sandbox's.
    const kubeconfig = (name: string, contexts: Record<string, string>) => {
      const file = join(dir, name);
      writeFileSync(
        file,
        `apiVersion: v1
kind: Config
clusters:
${Object.entries(contexts)
  .map(([ctx, server]) => `- name: ${ctx}\n  cluster: { server: "${server}", insecure-skip-tls-verify: true }`)
  .join('\n')}
users:
- name: sre
  user: { token: not-a-real-token }
contexts:
${Object.keys(contexts)
  .map((ctx) => `- name: ${ctx}\n  context: { cluster: ${ctx}, user: sre }`)
  .join('\n')}
current-context: ${Object.keys(contexts)[0]}
`,
      );
      return file;
    };
    const configured = kubeconfig('kubeconfig', { 'gke-staging': 'http://127.0.0.1:9', rehearsal: kube });
    const other = kubeconfig('other-kubeconfig', { 'gke-staging': kube });
    writeFileSync(
      join(dir, 'gwctl.yaml'),
      `environments:
  staging:
    project: gwctl-sandbox
    kube: { kubeconfig: ${configured}, context: gke-staging }
    buckets: { parcels: ${SANDBOX_BUCKETS.parcels}, vault: ${SANDBOX_BUCKETS.vault} }
    emulators: { storage: "${gcs}", firestore: "${firestore}", monitoring: "${monitoring}", cloudbuild: "${cloudbuild}" }
`,
    );
    const doctor = (...extra: string[]) =>
      runGwctl(['doctor', '--env', 'staging', '--json', ...extra], { cwd: dir, env: { GWCTL_HOME: home } });
    const kubeApi = async (...extra: string[]) => byId(checks(await doctor(...extra)), 'kube.api').status;
    expect(await kubeApi()).toBe('fail');
    const before = sandbox.log.list().length;
    const viaContext = checks(await doctor('--context', 'rehearsal'));
    expect(byId(viaContext, 'kube.api'), JSON.stringify(byId(viaContext, 'kube.api'))).toMatchObject({
      status: 'pass',
    });
    expect(
      sandbox.log
        .list()
        .slice(before)
        .some((c) => c.service === 'kube'),
    ).toBe(true);
    expect(await kubeApi('--kubeconfig', other)).toBe('pass');
    const r = await doctor('--project', 'gwctl-other-project');
    expect(resultOf<{ project: string }>(r).project).toBe('gwctl-other-project');
    const bad = await doctor('--context', 'rehearsal', '--project', 'Not A Project');
    expect(bad.code).toBe(2);
    expect(JSON.parse(bad.stdout)).toMatchObject({
      status: 2,
      message: expect.stringMatching(/--project "Not A Project"/),
    });
  });
});
