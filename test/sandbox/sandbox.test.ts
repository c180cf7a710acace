import { join } from 'node:path';
import { StorageTransferServiceClient } from '@google-cloud/storage-transfer';
import { plainTransferOperation, storageTransferClientOptions } from '@gwctl/emulators/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBucketAdmin } from '../../src/lib/cloud/buckets.js';
import { openKubeApis } from '../../src/lib/cloud/kube.js';
import { sandboxEnvironment } from '../../src/lib/sandbox/environment.js';
import { parseFaults } from '../../src/lib/sandbox/faults-flag.js';
import { startSandbox, type RunningSandbox } from '../../src/lib/sandbox/run.js';
import { runGwctl, tempDir, resultOf } from '../helpers/cli.js';

describe('sandbox (in process)', () => {
  let home: string;
  let sandbox: RunningSandbox;

  beforeAll(async () => {
    home = tempDir('gwctl-sandbox-');
    sandbox = await startSandbox({ dir: join(home, 'sandbox'), lifecycleSweepMs: 60_000 });
  });
  afterAll(async () => sandbox?.close());

  it('seeds a realistic gateway the real SDKs can see', async () => {
    expect(sandbox.seeded).toBeDefined();
    const env = sandboxEnvironment(join(home, 'sandbox'));
    expect(env.emulators?.storage).toBe(sandbox.state.endpoints.gcs);
    const buckets = await openBucketAdmin(env);
    const parcels = await buckets.settings('gateway-sandbox-parcels-000000');
    expect(parcels.lifecycleRules).toEqual([{ action: { type: 'Delete' }, condition: { age: 2 } }]);
    expect((await buckets.settings('relaycorp-gateway-sandbox-vault')).versioning).toBe(true);
    expect((await buckets.inventory('relaycorp-gateway-sandbox-vault')).objects).toBeGreaterThanOrEqual(300);
    const kube = await openKubeApis(env);
    const deployments = await kube.apps.listNamespacedDeployment({ namespace: 'default' });
    expect(deployments.items.map((d) => d.metadata?.name)).toEqual(
      expect.arrayContaining([
        'public-gateway-poweb',
        'public-gateway-pohttp',
        'public-gateway-cogrpc',
        'public-gateway-pdcout',
        'public-gateway-crcin',
      ]),
    );
    const ingress = await kube.networking.readNamespacedIngress({ name: 'public-gateway', namespace: 'default' });
    expect(ingress.metadata?.finalizers).toContain('networking.gke.io/ingress-finalizer-V2');
  });

  it('runs Storage Transfer Service jobs between its buckets, for backups with --engine sts', async () => {
    const env = sandboxEnvironment(join(home, 'sandbox'));
    expect(env.emulators?.storagetransfer).toBe(sandbox.state.endpoints.storagetransfer);
    const [host, port] = env.emulators!.storagetransfer!.split(':');
    const client = new StorageTransferServiceClient(storageTransferClientOptions(host!, Number(port), env.project));
    try {
      const [job] = await client.createTransferJob({
        transferJob: {
          projectId: env.project,
          status: 'ENABLED',
          transferSpec: {
            gcsDataSource: { bucketName: env.buckets.vault },
            gcsDataSink: { bucketName: env.buckets.backups, path: 'sts-rehearsal/' },
          },
        },
      });
      const [operation] = await client.runTransferJob({ jobName: job.name!, projectId: env.project });
      const [, metadata] = await operation.promise();
      const done = plainTransferOperation(metadata);
      expect(done.status).toBe('SUCCESS');
      expect(done.counters.objectsCopiedToSink).toBeGreaterThanOrEqual(300);
    } finally {
      await client.close();
    }
    expect(sandbox.log.list({ service: 'storagetransfer' }).map((r) => r.path)).toContain(
      '/google.storagetransfer.v1.StorageTransferService/RunTransferJob',
    );
  });

  it('records every request', () => {
    expect(sandbox.log.list({ service: 'gcs' }).length).toBeGreaterThan(0);
    expect(sandbox.log.list({ service: 'kube' }).length).toBeGreaterThan(0);
  });
});

describe('--faults', () => {
  it('parses per-service probabilities and rejects nonsense with one line', () => {
    expect(parseFaults('gcs=0.1,kube=0.05')).toEqual({ gcs: 0.1, kube: 0.05 });
    expect(() => parseFaults('gcs=2')).toThrow(/between 0 and 1/);
    expect(() => parseFaults('s3=0.1')).toThrow(/"s3" is not a service/);
  });
});

describe('gwctl sandbox (detached, from the CLI)', () => {
  it('starts, is seen by env show, records requests, keeps state across restart, stops', async () => {
    const cwd = tempDir('gwctl-sandbox-cli-');
    const start = await runGwctl(['sandbox', 'start', '--detach', '--json'], { cwd });
    expect(start.code, start.stderr).toBe(0);
    const started = resultOf(start);
    expect(started.endpoints.gcs).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    try {
      const show = await runGwctl(['env', 'show', 'sandbox', '--json'], { cwd });
      expect(resultOf(show).emulators.storage).toBe(started.endpoints.gcs);
      const status = await runGwctl(['sandbox', 'status', '--json'], { cwd });
      expect(resultOf(status)).toMatchObject({ running: true, pid: started.pid });
      const requests = await runGwctl(['sandbox', 'requests', '--service', 'gcs', '--json'], { cwd });
      expect(resultOf(requests).requests.length).toBeGreaterThan(0);
      const again = await runGwctl(['sandbox', 'start', '--detach', '--json'], { cwd });
      expect(resultOf(again).status).toBe('already-running');
      const resetWhileRunning = await runGwctl(['sandbox', 'reset', '--yes'], { cwd });
      expect(resetWhileRunning.code).toBe(1);
    } finally {
      const stop = await runGwctl(['sandbox', 'stop', '--json'], { cwd });
      expect(resultOf(stop).stopped).toBe(true);
    }
    const status = await runGwctl(['sandbox', 'status', '--json'], { cwd });
    expect(resultOf(status).running).toBe(false);
    const reset = await runGwctl(['sandbox', 'reset', '--yes', '--json'], { cwd });
    expect(reset.code, reset.stderr).toBe(0);
  });
});
