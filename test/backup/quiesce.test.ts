import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openKubeAdmin } from '../../src/lib/cloud/kube-resources.js';
import { startKubeEmulator, type KubeEmulator } from '@gwctl/emulators/kube';
import { listBackups, loadManifest } from '../../src/lib/backup/catalog.js';
import { createBackup } from '../../src/lib/backup/create.js';
import { kubeScaler, parseWorkload, withQuiesce } from '../../src/lib/backup/quiesce.js';
import { environment, seed, startFixture, VAULT, vaultLike, type Fixture } from './harness.js';

let f: Fixture;
let kube: KubeEmulator;

const vaultStatefulSet = (replicas: number) => ({
  apiVersion: 'apps/v1',
  kind: 'StatefulSet',
  metadata: { name: 'vault', namespace: 'default' },
  spec: {
    replicas,
    serviceName: 'vault',
    selector: { matchLabels: { app: 'vault' } },
    template: {
      metadata: { labels: { app: 'vault' } },
      spec: { containers: [{ name: 'vault', image: 'hashicorp/vault:1.15' }] },
    },
  },
});

const replicas = () =>
  (kube.objects('StatefulSet').find((o) => o.metadata.name === 'vault')!.spec as { replicas: number }).replicas;

beforeEach(async () => {
  f = await startFixture();
  kube = await startKubeEmulator();
  kube.seed([vaultStatefulSet(3)]);
});
afterEach(async () => {
  await Promise.all([f.close(), kube.close()]);
});

async function scaler() {
  return kubeScaler(await openKubeAdmin(environment(f.emu.url, { kubeServer: kube.url })));
}

const vault = parseWorkload('statefulset/vault', 'default');

describe('backup create --quiesce', () => {
  it('scales Vault to 0 for the copy, back to 3 afterwards, and records it in the manifest', async () => {
    await seed(f.gcs, VAULT, vaultLike(20));
    const seen: number[] = [];
    const { result, quiesce } = await withQuiesce(
      await scaler(),
      vault,
      () =>
        createBackup(
          { store: f.store, onCopied: () => seen.push(replicas()) },
          { location: f.loc, concurrency: 4, quiesced: true },
        ),
      { pollMs: 10 },
    );
    expect(new Set(seen)).toEqual(new Set([0]));
    expect(replicas()).toBe(3);
    expect(quiesce).toEqual({ workload: 'statefulset/default/vault', replicas: 3 });
    expect(result.quiesced).toBe(true);
    expect((await listBackups(f.store, f.loc))[0]!.quiesced).toBe(true);
    expect((await loadManifest(f.store, (await listBackups(f.store, f.loc))[0]!)).quiesced).toBe(true);
  });

  it('puts the replicas back when the copy fails', async () => {
    await seed(f.gcs, VAULT, vaultLike(5));
    const broken = { ...f.loc, backupBucket: 'no-such-backup-bucket' };
    let during = -1;
    await expect(
      withQuiesce(
        await scaler(),
        vault,
        async () => {
          during = replicas();
          return createBackup({ store: f.store }, { location: broken, concurrency: 4, quiesced: true });
        },
        { pollMs: 10 },
      ),
    ).rejects.toThrow(/no-such-backup-bucket/);
    expect(during).toBe(0);
    expect(replicas()).toBe(3);
  });

  it('puts the replicas back when interrupted', async () => {
    await seed(f.gcs, VAULT, vaultLike(100));
    const controller = new AbortController();
    await expect(
      withQuiesce(
        await scaler(),
        vault,
        () =>
          createBackup(
            {
              store: f.store,
              signal: controller.signal,
              onCopied: (n) => n === 10 && controller.abort(new Error('interrupted by SIGINT')),
            },
            { location: f.loc, concurrency: 2, quiesced: true },
          ),
        { pollMs: 10, signal: controller.signal },
      ),
    ).rejects.toThrow(/does not exist/);
    expect(replicas()).toBe(3);
    expect(await listBackups(f.store, f.loc)).toEqual([]);
  });
});
