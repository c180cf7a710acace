import * as grpc from '@grpc/grpc-js';
import { afterEach, describe, expect, it } from 'vitest';
import {
  getTransferOperation,
  listTransferOperations,
  plainTransferOperation,
  startStorageTransferTarget,
  type StorageTransferTarget,
} from '../../src/testing/index.js';
import { SINK, SOURCE, startWithBuckets } from './target.js';

let t: StorageTransferTarget | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

async function start(opts: Parameters<typeof startStorageTransferTarget>[0] = {}) {
  t = await startWithBuckets(opts);
  for (let i = 0; i < 5; i++) await t.storage.bucket(SOURCE).file(`p/${i}`).save(`parcel ${i}`, { resumable: false });
  const [job] = await t.client.createTransferJob({
    transferJob: {
      projectId: t.project,
      status: 'ENABLED',
      transferSpec: {
        gcsDataSource: { bucketName: SOURCE, path: 'p/' },
        gcsDataSink: { bucketName: SINK, path: 'b/' },
      },
    },
  });
  return { ...t, job: job.name! };
}

const codeOf = (p: Promise<unknown>) =>
  p.then(
    () => 0,
    (e: { code?: number }) => e.code,
  );

describe('faults on the transfer API and during a run', () => {
  it('a call failed with UNAVAILABLE is recorded as a fault, changes nothing, and works when tried again', async () => {
    const { client, project, sts } = await start();
    sts.log.clear();
    sts.faults.failNext('503', 'CreateTransferJob');
    const transferJob = {
      name: 'transferJobs/gwctl-retry-1',
      projectId: project,
      status: 'ENABLED' as const,
      transferSpec: { gcsDataSource: { bucketName: SOURCE }, gcsDataSink: { bucketName: SINK } },
    };
    // CreateTransferJob is not retried by the client (storage_transfer_service_client_config.json: non_idempotent).
    expect(await codeOf(client.createTransferJob({ transferJob }))).toBe(grpc.status.UNAVAILABLE);
    expect(await codeOf(client.getTransferJob({ jobName: transferJob.name, projectId: project }))).toBe(
      grpc.status.NOT_FOUND,
    );
    await client.createTransferJob({ transferJob });
    const creates = sts.log.list({ service: 'storagetransfer' }).filter((r) => r.path.endsWith('/CreateTransferJob'));
    expect(creates.map((r) => [r.status, r.fault])).toEqual([
      [grpc.status.UNAVAILABLE, '503'],
      [0, undefined],
    ]);
  });

  it('RunTransferJob, retried by the client on UNAVAILABLE, starts one operation', async () => {
    const { client, project, job, sts } = await start();
    sts.faults.failNext('503', 'RunTransferJob');
    const [operation] = await client.runTransferJob({ jobName: job, projectId: project });
    const [, m] = await operation.promise();
    expect(plainTransferOperation(m).status).toBe('SUCCESS');
    const runs = sts.log.list({ service: 'storagetransfer' }).filter((r) => r.path.endsWith('/RunTransferJob'));
    expect(runs.map((r) => r.status)).toEqual([grpc.status.UNAVAILABLE, 0]);
    expect(await listTransferOperations(client, { projectId: project, jobNames: [job] })).toHaveLength(1);
  });

  it('GetTransferJob, which the client retries on UNAVAILABLE, gets through a fault unnoticed', async () => {
    const { client, project, job, sts } = await start();
    sts.faults.failNext('503', 'GetTransferJob');
    const [got] = await client.getTransferJob({ jobName: job, projectId: project });
    expect(got.name).toBe(job);
    expect(sts.log.list().filter((r) => r.path.endsWith('/GetTransferJob') && r.fault)).toHaveLength(1);
  });

  it('Cloud Storage faults during a run are retried: the copies land and GCS’s own log shows the faults', async () => {
    const { client, project, job, gcs, log } = await start();
    gcs.faults.failNext('503');
    gcs.faults.failNext('429');
    const [operation] = await client.runTransferJob({ jobName: job, projectId: project });
    const [, m] = await operation.promise();
    expect(plainTransferOperation(m)).toMatchObject({ status: 'SUCCESS', counters: { objectsCopiedToSink: 5 } });
    expect(log.list({ service: 'gcs' }).filter((r) => r.fault)).toHaveLength(2);
    expect((await t!.storage.bucket(SINK).getFiles())[0]).toHaveLength(5);
  });

  it('a run scripted to fail part way ends FAILED with its error, the objects copied before it kept', async () => {
    const { client, project, job, sts } = await start();
    sts.failNextRun({ afterObjects: 2, code: 'PERMISSION_DENIED', message: 'storage.objects.create denied' });
    const [operation] = await client.runTransferJob({ jobName: job, projectId: project });
    const [, m] = await operation.promise();
    const op = plainTransferOperation(m);
    expect(op).toMatchObject({ status: 'FAILED', counters: { objectsCopiedToSink: 2 } });
    expect(op.errorBreakdowns.map((e) => [e.errorCode, e.errorCount, e.errorLogEntries[0]!.errorDetails])).toEqual([
      ['PERMISSION_DENIED', 1, ['storage.objects.create denied']],
    ]);
    // Only the next run: the one after it succeeds, and copies what the failed one left.
    const [again] = await client.runTransferJob({ jobName: job, projectId: project });
    const [, m2] = await again.promise();
    expect(plainTransferOperation(m2)).toMatchObject({
      status: 'SUCCESS',
      counters: { objectsCopiedToSink: 3, objectsFromSourceSkippedBySync: 2 },
    });
  });

  it('objects made to fail are counted in objectsFromSourceFailed; the others are copied; the run ends FAILED', async () => {
    const { client, project, job, sts } = await start();
    sts.failObjects({ match: (name) => name === 'p/3', code: 'PERMISSION_DENIED' });
    const [operation] = await client.runTransferJob({ jobName: job, projectId: project });
    const op = plainTransferOperation((await operation.promise())[1]);
    expect(op).toMatchObject({
      status: 'FAILED',
      counters: { objectsCopiedToSink: 4, objectsFromSourceFailed: 1, bytesFromSourceFailed: 'parcel 3'.length },
    });
    expect(op.errorBreakdowns[0]).toMatchObject({
      errorCode: 'PERMISSION_DENIED',
      errorLogEntries: [{ url: `gs://${SOURCE}/p/3` }],
    });
  });

  it('a run whose sink bucket does not exist fails with NOT_FOUND', async () => {
    const { client, project, job } = await start();
    await t!.storage.bucket(SINK).delete();
    const [operation] = await client.runTransferJob({ jobName: job, projectId: project });
    const op = plainTransferOperation((await operation.promise())[1]);
    expect(op.status).toBe('FAILED');
    expect(op.errorBreakdowns.map((e) => [e.errorCode, e.errorLogEntries[0]!.url])).toEqual([
      ['NOT_FOUND', `gs://${SINK}`],
    ]);
  });

  it('CancelOperation aborts a run: done, status ABORTED, error CANCELLED (google.longrunning.Operations.CancelOperation)', async () => {
    const { client, project, job } = await start({ sts: { objectDelayMs: 100 } });
    const [operation] = await client.runTransferJob({ jobName: job, projectId: project });
    await client.cancelOperation({ name: operation.name! } as never);
    await expect(operation.promise()).rejects.toMatchObject({ code: grpc.status.CANCELLED });
    const op = await getTransferOperation(client, operation.name!);
    expect([op.done, op.error?.code]).toEqual([true, grpc.status.CANCELLED]);
    expect(plainTransferOperation(op.metadata).status).toBe('ABORTED');
    expect((await listTransferOperations(client, { projectId: project, transferStatuses: ['aborted'] })).length).toBe(
      1,
    );
  });

  it('PauseTransferOperation holds a run PAUSED until ResumeTransferOperation', async () => {
    const { client, project, job } = await start({ sts: { objectDelayMs: 60 } });
    const [operation] = await client.runTransferJob({ jobName: job, projectId: project });
    await client.pauseTransferOperation({ name: operation.name! });
    const status = async () =>
      plainTransferOperation((await client.checkRunTransferJobProgress(operation.name!)).metadata);
    const paused = await status();
    expect(paused.status).toBe('PAUSED');
    await new Promise((r) => setTimeout(r, 300));
    expect((await status()).counters.objectsCopiedToSink).toBe(paused.counters.objectsCopiedToSink);
    await client.resumeTransferOperation({ name: operation.name! });
    const [, m] = await operation.promise();
    expect(plainTransferOperation(m)).toMatchObject({ status: 'SUCCESS', counters: { objectsCopiedToSink: 5 } });
  });
});
