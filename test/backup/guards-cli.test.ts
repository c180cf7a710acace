import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { startKubeEmulator, type KubeEmulator } from '@gwctl/emulators/kube';
import { runGwctl, resultOf } from '../helpers/cli.js';
import {
  BACKUPS,
  seed,
  seedFast,
  startFixture,
  VAULT,
  vaultLike,
  writeConfig,
  type Fixture,
  vaultStatefulSet,
} from './harness.js';

// The guards of issue #13 (points 5–7), tried as an operator (or a hostile one) would: the built CLI
// (`npm run build` first) against the GCS and Kubernetes emulators.
const PARCELS = 'gateway-test-parcels-1a2b3c';
const PROD_VAULT = 'relaycorp-gateway-prod-vault';

let f: Fixture;
let kube: KubeEmulator;
let config: { dir: string; file: string };

const gwctl = (...args: string[]) =>
  runGwctl([...args, '--env', 'test'], { cwd: config.dir, env: { GWCTL_CONFIG: config.file } });
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- CLI output, checked field by field
const json = (stdout: string) => resultOf({ stdout }) as Record<string, any>;
const vaultSet = () => kube.objects('StatefulSet').find((o) => o.metadata.name === 'vault')!;
const replicas = () => (vaultSet().spec as { replicas: number }).replicas;
const records = () =>
  Object.fromEntries(
    Object.entries(vaultSet().metadata.annotations ?? {}).filter(([k]) => k.startsWith('gwctl.relaycorp.tech/')),
  );
const errorLine = (stderr: string) => stderr.trimEnd().split('\n').at(-1)!;

beforeAll(async () => {
  f = await startFixture();
  await f.gcs.createBucket(PARCELS);
  kube = await startKubeEmulator();
  kube.seed([vaultStatefulSet(3)]);
  config = writeConfig(f.emu.url, kube.url, PARCELS);
  // A second environment in the same gwctl.yaml, whose buckets no restore of `test` may write into.
  const yaml = parse(readFileSync(config.file, 'utf8'));
  yaml.environments.prod = { project: 'prod', buckets: { vault: PROD_VAULT }, emulators: { storage: f.emu.url } };
  writeFileSync(config.file, stringify(yaml));
  await seed(f.gcs, VAULT, vaultLike(10));
});
afterAll(async () => {
  await Promise.all([f?.close(), kube?.close()]);
});

describe('5. a quiesced backup killed with SIGKILL does not leave Vault down', () => {
  it('records the replica count on the StatefulSet; env status reports it; the next run puts 3 back', async () => {
    // Content of its own, so the killed run has copying to do when it dies.
    await seedFast(
      f.emu.url,
      VAULT,
      vaultLike(400, 'killed/').map((o) => ({ ...o, data: Buffer.from(`killed ${o.name}`) })),
    );
    const child = spawn(
      process.execPath,
      [
        resolve(import.meta.dirname, '../../bin/run.js'),
        ...['backup', 'create', '--env', 'test', '--quiesce', '--yes', '--concurrency', '1'],
      ],
      {
        cwd: config.dir,
        env: { ...process.env, GWCTL_CONFIG: config.file, NO_COLOR: '1', NODE_ENV: 'production' },
        stdio: 'ignore',
      },
    );
    const exited = new Promise((r) => child.on('exit', r));
    // The moment the StatefulSet reaches 0: no chance for any clean-up to run.
    for (let waited = 0; replicas() !== 0; waited += 2) {
      if (waited > 60_000) throw new Error('the backup never scaled Vault down');
      await new Promise((r) => setTimeout(r, 2));
    }
    child.kill('SIGKILL');
    await exited;
    expect(replicas()).toBe(0);
    expect(records()).toMatchObject({
      'gwctl.relaycorp.tech/quiesced-replicas': '3',
      'gwctl.relaycorp.tech/quiesced-at': expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      'gwctl.relaycorp.tech/quiesced-by': expect.stringMatching(/backup \d{8}T\d{6}Z-[0-9a-f]{6}/),
    });
    const at = records()['gwctl.relaycorp.tech/quiesced-at'];

    // In between, env status says what happened and how to fix it.
    const status = await gwctl('env', 'status', '--json');
    expect(status.code, status.stderr).toBe(0);
    expect(status.stderr).toContain(
      `warning: Vault (statefulset/default/vault) scaled down by an interrupted backup at ${at} (was 3 replicas;`,
    );
    expect(json(status.stdout).vault).toMatchObject({
      workload: 'statefulset/default/vault',
      replicas: 0,
      interruptedBackup: { replicas: 3, at },
    });

    // The next run's plan says it brings Vault back, and a dry run changes nothing.
    kube.log.clear();
    const dry = await gwctl('backup', 'create', '--quiesce', '--dry-run');
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain(`0 → 3 replica(s) (recorded by a previous run at ${at}`);
    expect(kube.log.mutating()).toEqual([]);
    expect(replicas()).toBe(0);

    const next = await gwctl('backup', 'create', '--quiesce', '--yes', '--json');
    expect(next.code, next.stderr).toBe(0);
    expect(json(next.stdout)).toMatchObject({
      status: 'applied',
      quiesced: true,
      quiesce: { replicas: 3, recovered: { replicas: 3, at } },
    });
    expect(replicas()).toBe(3);
    expect(records()).toEqual({});
    const after = await gwctl('env', 'status', '--json');
    expect(after.stderr).not.toMatch(/interrupted backup/);
    expect(json(after.stdout).vault).toEqual({ workload: 'statefulset/default/vault', replicas: 3 });
  });

  it('a Vault someone scaled back by hand keeps its replicas; the stale record is replaced, then removed', async () => {
    kube.seed([
      {
        ...vaultSet(),
        metadata: {
          ...vaultSet().metadata,
          annotations: {
            'gwctl.relaycorp.tech/quiesced-replicas': '5',
            'gwctl.relaycorp.tech/quiesced-at': '2025-06-01T00:00:00.000Z',
          },
        },
      } as never,
    ]);
    const r = await gwctl('backup', 'create', '--quiesce', '--yes', '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/has 3 replica\(s\) again: the record is replaced/);
    expect(replicas()).toBe(3);
    expect(records()).toEqual({});
  });
});

describe('6. restore targets are the buckets they name', () => {
  beforeAll(async () => {
    const r = await gwctl('backup', 'create', '--yes');
    expect(r.code, r.stderr).toBe(0);
  });

  it.each([
    ['vault', /is gs:\/\/relaycorp-gateway-test-vault, the backed-up bucket itself: .*--in-place/],
    [`gs://${VAULT}`, /the backed-up bucket itself/],
    [`GS://${VAULT}/`, /the backed-up bucket itself/],
    ['backups', /is gs:\/\/relaycorp-gateway-test-backups, the backup bucket/],
    [`gs://${BACKUPS}`, /the backup bucket/],
    ['parcels', /is gs:\/\/gateway-test-parcels-1a2b3c, the parcels bucket of environment "test"/],
    [PARCELS, /the parcels bucket/],
    [PROD_VAULT, /the vault bucket of environment "prod": a restore of "test"'s backup must not/],
    ['Vault_Restored', /nor a GCS bucket name: only lowercase letters/],
    ['goog-vault-restored', /must not start with "goog"/],
    ['vault-g00gle-restored', /must not contain "google"/],
    ['192.168.5.4', /must not be an IP address/],
    ['ab', /3 to 63 characters/],
    ['gs://gs://vault-restored', /nor a GCS bucket name/],
    [`gs://vault-restored/sub/dir`, /names objects in a bucket; give the bucket alone \(gs:\/\/vault-restored\)/],
  ])('--to-bucket %s is refused before any call (exit 2)', async (target, message) => {
    f.emu.log.clear();
    const r = await gwctl('backup', 'restore', '--to-bucket', target, '--yes');
    expect(r.code, r.stderr).toBe(2);
    expect(errorLine(r.stderr)).toMatch(message);
    expect(f.emu.log.list()).toEqual([]);
  });

  it('--to-bucket gs://<name> restores into <name>, not gs://gs://<name>', async () => {
    const r = await gwctl('backup', 'restore', '--to-bucket', 'gs://vault-restored-url', '--yes', '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(json(r.stdout)).toMatchObject({ status: 'applied', targetBucket: 'vault-restored-url' });
    expect(r.stderr).not.toMatch(/gs:\/\/gs:\/\//);
    const [exists] = await f.gcs.bucket('vault-restored-url').exists();
    expect(exists).toBe(true);
  });

  it('an unknown --bucket fails before anything is written (exit 2)', async () => {
    f.emu.log.clear();
    const r = await gwctl('backup', 'create', '--bucket', 'no-such-vault-bucket', '--yes');
    expect(r.code, r.stderr).toBe(2);
    expect(errorLine(r.stderr)).toMatch(/gs:\/\/no-such-vault-bucket does not exist/);
    expect(f.emu.log.mutating()).toEqual([]);
  });

  it('--bucket backups (or its gs:// URL) is refused: the backup bucket is not backed up into itself', async () => {
    for (const bucket of ['backups', `gs://${BACKUPS}`]) {
      f.emu.log.clear();
      const r = await gwctl('backup', 'create', '--bucket', bucket, '--yes');
      expect(r.code, bucket).toBe(2);
      expect(errorLine(r.stderr)).toMatch(/is the backup bucket, which cannot be backed up into itself/);
      expect(f.emu.log.list()).toEqual([]);
    }
  });
});

describe('7. backups cannot be expired by a TTL', () => {
  it('bucket ttl set on the backups bucket is refused (exit 2), pointing to backup prune --older-than', async () => {
    for (const bucket of ['backups', BACKUPS, `gs://${BACKUPS}`]) {
      f.emu.log.clear();
      const r = await gwctl('bucket', 'ttl', 'set', '--bucket', bucket, '--days', '30', '--yes');
      expect(r.code, bucket).toBe(2);
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(errorLine(r.stderr)).toMatch(/blobs are shared.*gwctl backup prune --older-than/);
      expect(f.emu.log.list()).toEqual([]);
    }
  });

  it('backup create and verify warn loudly about a Delete rule that reaches the backups, on stderr and in --json', async () => {
    const bucket = f.gcs.bucket(BACKUPS);
    // Rules that cannot touch a live backup object: noncurrent versions only, another prefix.
    await bucket.setMetadata({
      lifecycle: {
        rule: [
          { action: { type: 'Delete' }, condition: { numNewerVersions: 3 } },
          { action: { type: 'Delete' }, condition: { age: 1, matchesPrefix: ['tmp/'] } },
        ],
      },
    });
    const quiet = await gwctl('backup', 'create', '--yes', '--json');
    expect(quiet.code, quiet.stderr).toBe(0);
    expect(quiet.stderr).not.toMatch(/warning: .*lifecycle rule/);
    expect(json(quiet.stdout).warnings).toEqual([]);

    await bucket.setMetadata({ lifecycle: { rule: [{ action: { type: 'Delete' }, condition: { age: 30 } }] } });
    const created = await gwctl('backup', 'create', '--yes', '--json');
    expect(created.code, created.stderr).toBe(0);
    const loud =
      /warning: gs:\/\/relaycorp-gateway-test-backups has lifecycle rule 1 \(objects are deleted 30 days after creation\): blobs are shared between backups, so it deletes content that recent backups \(even the newest\) still reference.*`gwctl backup prune --older-than <age>`/;
    expect(created.stderr).toMatch(loud);
    expect(json(created.stdout).warnings).toEqual([expect.stringMatching(/has lifecycle rule 1/)]);
    const verified = await gwctl('backup', 'verify', '--json');
    expect(verified.code, verified.stderr).toBe(0);
    expect(verified.stderr).toMatch(loud);
    expect(json(verified.stdout).warnings).toHaveLength(1);
    await bucket.setMetadata({ lifecycle: null });
  });

  it('backup verify warns when a retention policy is shorter than the oldest kept backup', async () => {
    // The oldest backup is older than a second by now: a 1-second retention policy no longer covers it.
    await new Promise((r) => setTimeout(r, 1_100));
    await f.gcs.bucket(BACKUPS).setMetadata({ retentionPolicy: { retentionPeriod: 1 } });
    try {
      const r = await gwctl('backup', 'verify', '--json');
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toMatch(
        /warning: gs:\/\/relaycorp-gateway-test-backups has a retention policy of 1 second, shorter than its oldest kept backup/,
      );
      expect(json(r.stdout).warnings).toEqual([expect.stringMatching(/retention policy/)]);
    } finally {
      await f.gcs.bucket(BACKUPS).setMetadata({ retentionPolicy: null });
    }
  });
});
