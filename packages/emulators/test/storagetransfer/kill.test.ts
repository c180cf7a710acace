import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { StorageTransferServiceClient } from '@google-cloud/storage-transfer';
import { afterEach, describe, expect, it } from 'vitest';
import {
  gcsClient,
  plainTransferOperation,
  startStorageTransferTarget,
  storageTransferClientOptions,
  type StorageTransferTarget,
} from '../../src/testing/index.js';

const WORKER = resolve(import.meta.dirname, 'emulators-worker.mjs');

let t: StorageTransferTarget | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

/** The worker's emulators, once it has printed where they listen. */
function startWorker(gcsDir: string, stsDir: string) {
  const child = spawn(process.execPath, [WORKER, gcsDir, stsDir], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c));
  const endpoints = new Promise<{ gcs: string; sts: number }>((ok, fail) => {
    child.stdout.once('data', (c: Buffer) => ok(JSON.parse(c.toString()) as { gcs: string; sts: number }));
    child.once('exit', (code) => fail(new Error(`worker exited ${code}: ${stderr}`)));
  });
  const exited = new Promise((r) => child.once('exit', r));
  return { child, endpoints, exited };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('Storage Transfer Service emulator killed with -9 in the middle of a run', () => {
  it('takes the run up again at the next start on the same data: SUCCESS, every object in the sink, none lost', async () => {
    const [gcsDir, stsDir] = [mkdtempSync(join(tmpdir(), 'gcs-')), mkdtempSync(join(tmpdir(), 'sts-'))];
    const worker = startWorker(gcsDir, stsDir);
    const { gcs, sts } = await worker.endpoints;
    const storage = gcsClient(gcs);
    const client = new StorageTransferServiceClient(storageTransferClientOptions('127.0.0.1', sts, 'gwctl-test'));
    await storage.createBucket('gateway-prod-parcels');
    await storage.createBucket('gwctl-backups');
    for (let i = 0; i < 10; i++)
      await storage.bucket('gateway-prod-parcels').file(`p/${i}`).save(`parcel ${i}`, { resumable: false });
    const [job] = await client.createTransferJob({
      transferJob: {
        projectId: 'gwctl-test',
        status: 'ENABLED',
        transferSpec: {
          gcsDataSource: { bucketName: 'gateway-prod-parcels', path: 'p/' },
          gcsDataSink: { bucketName: 'gwctl-backups', path: 'b/' },
        },
      },
    });
    const [op] = await client.runTransferJob({ jobName: job.name!, projectId: 'gwctl-test' });
    const copied = async (c: StorageTransferServiceClient) =>
      plainTransferOperation((await c.checkRunTransferJobProgress(op.name!)).metadata);
    while ((await copied(client)).counters.objectsCopiedToSink < 3) await sleep(10);
    await sleep(Math.random() * 30);
    worker.child.kill('SIGKILL');
    await worker.exited;
    await client.close();

    t = await startStorageTransferTarget({ gcs: { dataDir: gcsDir }, sts: { dataDir: stsDir } });
    let last = await t.client.checkRunTransferJobProgress(op.name!);
    while (!last.done) {
      await sleep(20);
      last = await t.client.checkRunTransferJobProgress(op.name!);
    }
    const done = plainTransferOperation(last.metadata);
    expect(done.status).toBe('SUCCESS');
    expect(done.counters.objectsCopiedToSink + done.counters.objectsFromSourceSkippedBySync).toBe(10);
    const [copies] = await t.storage.bucket('gwctl-backups').getFiles();
    expect(copies.map((f) => f.name).sort()).toEqual([...Array(10).keys()].map((i) => `b/${i}`).sort());
    for (const f of copies) expect((await f.download())[0].toString()).toBe(`parcel ${f.name.slice(2)}`);
  });
});
