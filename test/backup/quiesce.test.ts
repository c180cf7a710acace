import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openKubeAdmin } from '../../src/lib/cloud/kube-resources.js';
import { startKubeEmulator, type KubeEmulator } from '@gwctl/emulators/kube';
import { listBackups, loadManifest } from '../../src/lib/backup/catalog.js';
import { createBackup } from '../../src/lib/backup/create.js';
import { kubeScaler, parseWorkload, withQuiesce } from '../../src/lib/backup/quiesce.js';
import { environment, seed, startFixture, VAULT, vaultLike, type Fixture, vaultStatefulSet } from './harness.js';

let f: Fixture;
let kube: KubeEmulator;

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
const by = 'os:sre@laptop (backup test)';
const annotations = () =>
  kube.objects('StatefulSet').find((o) => o.metadata.name === 'vault')!.metadata.annotations ?? {};

describe('backup create --quiesce', () => {
  it('scales Vault to 0 for the copy, back to 3 afterwards, and records it in the manifest', async () => {
    await seed(f.gcs, VAULT, vaultLike(20));
    const seen: number[] = [];
    const recorded: (string | undefined)[] = [];
    const { result, quiesce } = await withQuiesce(
      await scaler(),
      vault,
      () =>
        createBackup(
          {
            store: f.store,
            onCopied: () => {
              seen.push(replicas());
              recorded.push(annotations()['gwctl.relaycorp.tech/quiesced-replicas']);
            },
          },
          { location: f.loc, concurrency: 4, quiesced: true },
        ),
      { pollMs: 10, by },
    );
    expect(new Set(seen)).toEqual(new Set([0]));
    // While Vault is down the cluster itself knows what to put back; afterwards the record is gone.
    expect(new Set(recorded)).toEqual(new Set(['3']));
    expect(annotations()).not.toHaveProperty('gwctl.relaycorp.tech/quiesced-replicas');
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
        { pollMs: 10, by },
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
        { pollMs: 10, signal: controller.signal, by },
      ),
    ).rejects.toThrow(/does not exist/);
    expect(replicas()).toBe(3);
    expect(await listBackups(f.store, f.loc)).toEqual([]);
  });

  it('records the count in the same PATCH that scales to 0: a merge patch guarded by resourceVersion', async () => {
    await seed(f.gcs, VAULT, vaultLike(3));
    kube.log.clear();
    await withQuiesce(
      await scaler(),
      vault,
      () => createBackup({ store: f.store }, { location: f.loc, concurrency: 4, quiesced: true }),
      { pollMs: 10, by },
    );
    // Kubernetes API conventions: a PATCH carrying metadata.resourceVersion is applied only at that version.
    const writes = kube.log.mutating().map((r) => `${r.method} ${r.path.split('?')[0]}`);
    expect(writes).toEqual([
      'PATCH /apis/apps/v1/namespaces/default/statefulsets/vault',
      'PATCH /apis/apps/v1/namespaces/default/statefulsets/vault',
    ]);
  });

  it('finding Vault at 0 with the record of a killed backup, puts the recorded 3 replicas back', async () => {
    await seed(f.gcs, VAULT, vaultLike(3));
    // What a backup killed with SIGKILL after its scale-down leaves behind.
    kube.seed([
      {
        ...vaultStatefulSet(0),
        metadata: {
          name: 'vault',
          namespace: 'default',
          annotations: {
            'gwctl.relaycorp.tech/quiesced-replicas': '3',
            'gwctl.relaycorp.tech/quiesced-at': '2025-06-01T00:00:00.000Z',
            'gwctl.relaycorp.tech/quiesced-by': 'os:cron@node-1 (backup 20250601T000000Z-123456)',
          },
        },
      },
    ]);
    const { quiesce } = await withQuiesce(
      await scaler(),
      vault,
      () => createBackup({ store: f.store }, { location: f.loc, concurrency: 4, quiesced: true }),
      { pollMs: 10, by },
    );
    expect(quiesce).toMatchObject({ replicas: 3, recovered: { replicas: 3, at: '2025-06-01T00:00:00.000Z' } });
    expect(replicas()).toBe(3);
    expect(Object.keys(annotations()).filter((k) => k.startsWith('gwctl.relaycorp.tech/'))).toEqual([]);
  });
});
