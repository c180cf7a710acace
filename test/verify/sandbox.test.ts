import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Storage } from '@google-cloud/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { gcsClient, kubeClients, type KubeClients } from '@gwctl/emulators/testing';
import type { AuditRecord, LegacyRecord } from '../../src/lib/audit/record.js';
import { SANDBOX_BUCKETS } from '../../src/lib/sandbox/environment.js';
import { sandboxFiles } from '../../src/lib/sandbox/paths.js';
import { startSandbox, type RunningSandbox } from '../../src/lib/sandbox/run.js';
import { GATEWAY_IMAGE, seedKubeObjects } from '../../src/lib/sandbox/seed-kube.js';
import type { Drift } from '../../src/lib/verify/drift.js';
import type { VerifyReport } from '../../src/lib/verify/run.js';
import { auditRecords as recordsIn } from '../helpers/audit.js';
import { runGwctl, tempDir, resultOf } from '../helpers/cli.js';

// `gwctl verify infra` against a whole sandbox (its emulators run in this process, so the sandbox
// counts as running), driven the way an operator would: change something, verify, read the verdict.

let root: string;
let home: string;
let sandbox: RunningSandbox;
let kube: KubeClients;
let storage: Storage;
const ns = 'default';

beforeAll(async () => {
  root = tempDir('gwctl-verify-');
  home = join(root, '.gwctl');
  sandbox = await startSandbox({ dir: join(home, 'sandbox'), lifecycleSweepMs: 600_000 });
  kube = kubeClients(sandbox.state.endpoints.kube);
  storage = gcsClient(sandbox.state.endpoints.gcs);
});
afterAll(async () => sandbox?.close());

const gwctl = (...args: string[]) => runGwctl(args, { cwd: root, env: { GWCTL_HOME: home } });

async function verify(...extra: string[]): Promise<{ code: number; report: VerifyReport; stderr: string }> {
  const r = await gwctl('verify', 'infra', '--env', 'sandbox', '--json', ...extra);
  return { code: r.code, report: resultOf(r) as VerifyReport, stderr: r.stderr };
}

const driftOn = (report: VerifyReport, object: string, field?: string): Drift | undefined =>
  report.drifts.find((d) => d.object === object && (field === undefined || d.field === field));

async function expectClean(): Promise<void> {
  const { code, report, stderr } = await verify();
  expect(report.drifts, stderr).toEqual([]);
  expect(code).toBe(0);
}

/** The sandbox's records, from its shared audit log, as `gwctl audit show` reads them. */
async function sandboxRecords(): Promise<AuditRecord[]> {
  const r = await gwctl('audit', 'show', '--env', 'sandbox', '--json');
  expect(r.code, r.stderr).toBe(0);
  return resultOf<{ records: AuditRecord[] }>(r).records;
}
/** Environments without `audit.log` (a third party's gwctl.yaml) record in the local file. */
const fileRecords = () => recordsIn(join(home, 'audit.jsonl'));

describe('gwctl verify infra --env sandbox', () => {
  it('a fresh sandbox verifies clean (exit 0), server defaults and status included, and the run is audited', async () => {
    // What the API server added to what the code says: never drift.
    const live = await kube.apps.readNamespacedDeployment({ name: 'public-gateway-poweb', namespace: ns });
    expect(live.spec?.revisionHistoryLimit).toBe(10);
    expect(live.metadata?.uid).toBeTruthy();
    expect(live.status?.readyReplicas).toBe(2);
    expect(live.spec?.template.spec?.containers[0]?.terminationMessagePath).toBe('/dev/termination-log');

    const { code, report, stderr } = await verify();
    expect(report.drifts, stderr).toEqual([]);
    expect(code).toBe(0);
    expect(report.counts).toMatchObject({ drifts: 0, buckets: 3 });
    expect(report.counts.kubeObjects).toBe(seedKubeObjects().length + 2);
    // Pods and ReplicaSets of the declared Deployments are the cluster's doing, not drift.
    expect(report.ignored).toContainEqual({
      object: expect.stringMatching(/^pod\/default\/public-gateway-poweb-/),
      reason: 'owned by deployment/public-gateway-poweb',
    });

    const last = (await sandboxRecords()).at(-1) as LegacyRecord;
    expect(last).toMatchObject({ command: 'verify infra', env: 'sandbox', result: 'applied' });
    expect(last.details).toMatchObject({
      verdict: 'clean',
      counts: { drifts: 0, buckets: 3 },
      digests: { code: expect.stringMatching(/^[0-9a-f]{64}$/), live: expect.stringMatching(/^[0-9a-f]{64}$/) },
      code: {
        manifests: { files: [{ path: sandboxFiles(join(home, 'sandbox')).manifests, sha256: expect.any(String) }] },
        terraformState: { sha256: expect.any(String) },
      },
    });
  });

  it('a changed Deployment image is drift (exit 3) with the live value, and the pods running it too', async () => {
    const evil = 'relaycorp/relaynet-internet-gateway:1.0.1-evil';
    const patch = (image: string) =>
      kube.apps.patchNamespacedDeployment({
        name: 'public-gateway-poweb',
        namespace: ns,
        body: [{ op: 'replace', path: '/spec/template/spec/containers/0/image', value: image }],
      });
    await patch(evil);
    const { code, report } = await verify();
    expect(code).toBe(3);
    expect(driftOn(report, 'deployment/default/public-gateway-poweb')).toMatchObject({
      kind: 'changed',
      field: 'spec.template.spec.containers[name=poweb].image',
      code: GATEWAY_IMAGE,
      live: evil,
    });
    expect(driftOn(report, 'deployment/default/public-gateway-poweb')?.explainedBy).toBeUndefined();
    const pods = report.drifts.filter((d) => d.kind === 'image');
    expect(pods).toHaveLength(2);
    expect(pods[0]).toMatchObject({
      field: 'status.containerStatuses[name=poweb].imageID',
      live: expect.stringMatching(/^docker\.io\/relaycorp\/relaynet-internet-gateway@sha256:/),
    });
    await patch(GATEWAY_IMAGE);
    await expectClean();
  });

  it('a pod running another digest than the code pins is drift, though its Deployment is unchanged', async () => {
    const [pod] = (
      await kube.core.listNamespacedPod({ namespace: ns, labelSelector: 'app.kubernetes.io/component=crcin' })
    ).items;
    const other = `docker.io/relaycorp/relaynet-internet-gateway@sha256:${'e'.repeat(64)}`;
    pod!.status!.containerStatuses![0]!.imageID = other;
    await kube.core.replaceNamespacedPodStatus({ name: pod!.metadata!.name!, namespace: ns, body: pod! });
    const { code, report } = await verify();
    expect(code).toBe(3);
    expect(report.drifts).toEqual([
      expect.objectContaining({ kind: 'image', object: `pod/default/${pod!.metadata!.name}`, live: other }),
    ]);
    // The ReplicaSet replaces a deleted pod with one that runs the pinned image.
    await kube.core.deleteNamespacedPod({ name: pod!.metadata!.name!, namespace: ns });
    await expectClean();
  });

  it('an extra ConfigMap is reported as undeclared; --skip-kind leaves a kind alone', async () => {
    await kube.core.createNamespacedConfigMap({
      namespace: ns,
      body: { metadata: { name: 'backdoor' }, data: { x: '1' } },
    });
    await kube.core.createNamespacedSecret({
      namespace: ns,
      body: { metadata: { name: 'stash' }, stringData: { k: 'v' } },
    });
    const { code, report } = await verify();
    expect(code).toBe(3);
    expect(driftOn(report, 'configmap/default/backdoor')).toMatchObject({
      kind: 'undeclared',
      field: '(object)',
      live: expect.stringMatching(/^created \d{4}-/),
    });
    expect(driftOn(report, 'secret/default/stash')).toBeDefined();
    const skipped = await verify('--skip-kind', 'Secret');
    expect(skipped.report.drifts.map((d) => d.object)).toEqual(['configmap/default/backdoor']);
    await kube.core.deleteNamespacedConfigMap({ name: 'backdoor', namespace: ns });
    await kube.core.deleteNamespacedSecret({ name: 'stash', namespace: ns });
    await expectClean();
  });

  it('a deleted Service is reported missing', async () => {
    await kube.core.deleteNamespacedService({ name: 'public-gateway-pohttp', namespace: ns });
    const { code, report } = await verify();
    expect(code).toBe(3);
    expect(report.drifts).toEqual([
      expect.objectContaining({
        kind: 'missing',
        object: 'service/default/public-gateway-pohttp',
        code: expect.stringMatching(/^declared in gateway\.yaml#\d+$/),
      }),
    ]);
    const manifest = seedKubeObjects().find((o) => o.kind === 'Service' && o.metadata.name === 'public-gateway-pohttp');
    await kube.core.createNamespacedService({ namespace: ns, body: manifest as never });
    await expectClean();
  });

  it('a bucket whose versioning was turned off is drift, with the live value, unexplained', async () => {
    const vault = storage.bucket(SANDBOX_BUCKETS.vault);
    await vault.setMetadata({ versioning: { enabled: false } });
    const { code, report } = await verify();
    expect(code).toBe(3);
    expect(report.drifts).toEqual([
      expect.objectContaining({
        object: `gs://${SANDBOX_BUCKETS.vault}`,
        field: 'versioning.enabled',
        code: true,
        live: false,
        source: 'module.gateway.google_storage_bucket.vault',
      }),
    ]);
    expect(report.drifts[0]!.explainedBy).toBeUndefined();
    await vault.setMetadata({ versioning: { enabled: true } });
    await expectClean();
  });

  it('a lifecycle changed outside gwctl is unexplained; one set by `bucket ttl set` is explained by its audit entry', async () => {
    const parcels = storage.bucket(SANDBOX_BUCKETS.parcels);
    const rule = (age: number) => ({ rule: [{ action: { type: 'Delete' as const }, condition: { age } }] });
    const lifecycleDrift = (r: VerifyReport) => driftOn(r, `gs://${SANDBOX_BUCKETS.parcels}`, 'lifecycle.rule');

    await parcels.setMetadata({ lifecycle: rule(5) });
    const byHand = await verify();
    expect(byHand.code).toBe(3);
    expect(lifecycleDrift(byHand.report)).toMatchObject({
      code: [{ action: { type: 'Delete' }, condition: { age: 2 } }],
      live: [{ action: { type: 'Delete' }, condition: { age: 5 } }],
    });
    expect(lifecycleDrift(byHand.report)?.explainedBy).toBeUndefined();
    await parcels.setMetadata({ lifecycle: rule(2) });

    const set = await gwctl('bucket', 'ttl', 'set', '--env', 'sandbox', '--days', '30', '--yes');
    expect(set.code, set.stderr).toBe(0);
    const entry = (await sandboxRecords()).findLast((r: AuditRecord) => r.command === 'bucket ttl set')!;
    expect(entry.targets).toEqual([`gs://${SANDBOX_BUCKETS.parcels}`]);
    const byGwctl = await verify();
    expect(byGwctl.code).toBe(3);
    expect(lifecycleDrift(byGwctl.report)).toMatchObject({
      live: [{ action: { type: 'Delete' }, condition: { age: 30 } }],
      explainedBy: { seq: entry.seq, time: entry.time, operator: entry.operator, command: 'bucket ttl set' },
    });
    expect(byGwctl.report.counts.unexplained).toBe(0);
    const table = await gwctl('verify', 'infra', '--env', 'sandbox');
    expect(table.stdout).toMatch(
      new RegExp(`lifecycle\\.rule\\s+Delete age=2\\s+Delete age=30\\s+#${entry.seq} bucket ttl set by `),
    );

    // Changed again, by hand, after gwctl: the entry no longer explains what is live.
    await parcels.setMetadata({ lifecycle: rule(45) });
    expect(lifecycleDrift((await verify()).report)?.explainedBy).toBeUndefined();

    const back = await gwctl('bucket', 'ttl', 'set', '--env', 'sandbox', '--days', '2', '--yes');
    expect(back.code, back.stderr).toBe(0);
    await expectClean();
  });

  it('the CronJob `verify infra schedule --apply` creates is explained by its audit entry', async () => {
    const rendered = await gwctl('verify', 'infra', 'schedule', '--env', 'sandbox', '--every', '1h');
    expect(rendered.code, rendered.stderr).toBe(0);
    const job = parse(rendered.stdout);
    expect(job).toMatchObject({
      kind: 'CronJob',
      metadata: { name: 'gwctl-verify-sandbox', namespace: 'gwctl-verify' },
      spec: { schedule: expect.stringMatching(/^\d+ \* \* \* \*$/), concurrencyPolicy: 'Forbid' },
    });
    const container = job.spec.jobTemplate.spec.template.spec.containers[0];
    expect(container.args).toEqual([
      'verify',
      'infra',
      '--env',
      'sandbox',
      '--manifests',
      '/etc/gwctl-code/manifests.yaml',
      '--terraform-state',
      '/etc/gwctl-code/terraform-state.json',
      '--json',
    ]);
    expect(job.spec.jobTemplate.spec.podFailurePolicy.rules[0].onExitCodes.values).toEqual([2, 3]);

    const applied = await gwctl(
      'verify',
      'infra',
      'schedule',
      '--env',
      'sandbox',
      '--every',
      '1h',
      '--namespace',
      ns,
      '--apply',
      '--yes',
    );
    expect(applied.code, applied.stderr).toBe(0);
    const { code, report } = await verify();
    expect(code).toBe(3);
    expect(report.drifts).toEqual([
      expect.objectContaining({
        kind: 'undeclared',
        object: 'cronjob/default/gwctl-verify-sandbox',
        explainedBy: expect.objectContaining({ command: 'verify infra schedule' }),
      }),
    ]);
    await kube.batch.deleteNamespacedCronJob({ name: 'gwctl-verify-sandbox', namespace: ns });
    await expectClean();
  });
});

describe('gwctl verify infra from a gwctl.yaml', () => {
  it('a third party verifies with its own gwctl.yaml (code paths relative to it); bad input exits 2, an unreachable cluster 1', async () => {
    const files = sandboxFiles(join(home, 'sandbox'));
    const config = join(root, 'verifier', 'gwctl.yaml');
    mkdirSync(join(root, 'verifier', 'code'), { recursive: true });
    copyFileSync(files.manifests, join(root, 'verifier', 'code', 'manifests.yaml'));
    copyFileSync(files.terraformState, join(root, 'verifier', 'code', 'terraform-state.json'));
    writeFileSync(join(root, 'verifier', 'code', 'broken.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: [\n');
    writeFileSync(join(root, 'verifier', 'code', 'plan.json'), '{"format_version":"1.2","planned_values":{}}');
    const env = (name: string, server: string) => `  ${name}:
    project: gwctl-sandbox
    kube: { server: ${server}, namespace: default }
    buckets: { parcels: ${SANDBOX_BUCKETS.parcels}, vault: ${SANDBOX_BUCKETS.vault}, backups: ${SANDBOX_BUCKETS.backups} }
    emulators: { storage: ${sandbox.state.endpoints.gcs} }
    infra: { manifests: code/manifests.yaml, terraformState: code/terraform-state.json }
`;
    writeFileSync(
      config,
      `environments:\n${env('staging', sandbox.state.endpoints.kube)}${env('unreachable', 'http://127.0.0.1:9')}`,
    );
    const verifyWith = (env: string, ...extra: string[]) =>
      gwctl('verify', 'infra', '--config', config, '--env', env, ...extra);
    const code = (file: string) => join(root, 'verifier', 'code', file);
    // The sandbox's cluster seen as "staging": the protection policy is named after "sandbox", which is what the code says.
    const ok = await verifyWith('staging', '--json');
    expect(resultOf(ok).drifts, ok.stderr).toEqual([]);
    expect(ok.code).toBe(0);

    const broken = await verifyWith('staging', '--manifests', code('broken.yaml'));
    expect(broken.code).toBe(2);
    expect(broken.stderr).toMatch(/broken\.yaml(:\d+)?: invalid YAML/);
    const plan = await verifyWith('staging', '--terraform-state', code('plan.json'));
    expect(plan.code).toBe(2);
    expect(plan.stderr).toMatch(/a plan, not a state/);

    const before = fileRecords().length;
    const down = await verifyWith('unreachable');
    expect(down.code, down.stderr).toBe(1);
    expect(down.stderr.trim().split('\n')).toHaveLength(1);
    const failed = fileRecords().slice(before);
    expect(failed).toEqual([
      expect.objectContaining({ command: 'verify infra', env: 'unreachable', result: 'failed' }),
    ]);
  });
});
