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

// Shapes from google/storagetransfer/v1/transfer.proto and transfer_types.proto, bundled with
// @google-cloud/storage-transfer; behaviours from the proto comments and https://cloud.google.com/storage-transfer/docs.

let t: StorageTransferTarget | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

async function start(sts: Parameters<typeof startStorageTransferTarget>[0] = {}) {
  t = await startWithBuckets(sts);
  return t;
}

const put = (name: string, data: string, metadata?: Record<string, string>) =>
  t!.storage
    .bucket(SOURCE)
    .file(name)
    .save(data, { resumable: false, contentType: 'application/octet-stream', metadata: { metadata } });

const gcsJob = (extra: Record<string, unknown> = {}) => ({
  projectId: t!.project,
  description: 'gwctl backup',
  status: 'ENABLED' as const,
  transferSpec: {
    gcsDataSource: { bucketName: SOURCE, path: 'parcels/' },
    gcsDataSink: { bucketName: SINK, path: 'backups/2026-12-04/' },
    ...extra,
  },
});

describe('RunTransferJob copies a bucket path to another through the real @google-cloud/storage-transfer client', () => {
  it('creates a job, runs it, and operation.promise() resolves with a SUCCESS TransferOperation; copies keep bytes, hashes and metadata', async () => {
    const { client, storage, project } = await start();
    await put('parcels/a/1', 'first parcel', { sender: '0deadbeef' });
    await put('parcels/b/2', 'second parcel');
    await put('other/3', 'not under the source path');

    const [job] = await client.createTransferJob({ transferJob: gcsJob() });
    // TransferJob.name: "If this field is empty ... Storage Transfer Service assigns a unique name".
    expect(job.name).toMatch(/^transferJobs\/\d+$/);
    expect(job.creationTime?.seconds).toBeTruthy();

    const [operation] = await client.runTransferJob({ jobName: job.name!, projectId: project });
    expect(operation.name).toMatch(/^transferOperations\/transferJobs-\d+-\d+$/);
    const [, decoded, final] = await operation.promise();
    expect(final.done).toBe(true);
    const metadata = plainTransferOperation(decoded);
    // The LRO metadata is a TransferOperation (operation_info.metadata_type in transfer.proto).
    expect(metadata).toMatchObject({
      name: operation.name,
      projectId: project,
      transferJobName: job.name,
      status: 'SUCCESS',
      counters: {
        objectsFoundFromSource: 2,
        bytesFoundFromSource: 'first parcel'.length + 'second parcel'.length,
        objectsCopiedToSink: 2,
        bytesCopiedToSink: 'first parcel'.length + 'second parcel'.length,
        objectsFromSourceFailed: 0,
      },
    });
    expect(metadata.endTime?.seconds).toBeGreaterThan(0);

    // Destination = sink path + the name relative to the source path.
    const [copies] = await storage.bucket(SINK).getFiles();
    expect(copies.map((f) => f.name).sort()).toEqual(['backups/2026-12-04/a/1', 'backups/2026-12-04/b/2']);
    const [src] = await storage.bucket(SOURCE).file('parcels/a/1').getMetadata();
    const [dst] = await storage.bucket(SINK).file('backups/2026-12-04/a/1').getMetadata();
    expect([dst.crc32c, dst.md5Hash, dst.size, dst.metadata]).toEqual([
      src.crc32c,
      src.md5Hash,
      src.size,
      src.metadata,
    ]);

    // TransferJob.latest_operation_name: "The name of the most recently started TransferOperation of this JobConfig."
    const [again] = await client.getTransferJob({ jobName: job.name!, projectId: project });
    expect(again.latestOperationName).toBe(operation.name);
  });

  it('reports IN_PROGRESS with counters moving while it copies; checkRunTransferJobProgress and ListOperations by job see it', async () => {
    const { client, project } = await start({ sts: { objectDelayMs: 40 } });
    for (let i = 0; i < 6; i++) await put(`parcels/${i}`, `parcel ${i}`);
    const [job] = await client.createTransferJob({ transferJob: gcsJob() });
    const [operation] = await client.runTransferJob({ jobName: job.name!, projectId: project });
    expect(operation.done).toBe(false);

    const seen: string[] = [];
    for (;;) {
      const decoded = await client.checkRunTransferJobProgress(operation.name!);
      const m = plainTransferOperation(decoded.metadata);
      seen.push(`${m.status}:${m.counters.objectsCopiedToSink}`);
      if (decoded.done) break;
      await new Promise((r) => setTimeout(r, 30));
    }
    expect(seen[0]).toMatch(/^IN_PROGRESS:/);
    expect(seen.at(-1)).toBe('SUCCESS:6');
    expect(new Set(seen.filter((s) => s.startsWith('IN_PROGRESS'))).size).toBeGreaterThan(1);

    // ListOperations: name "transferOperations", filter JSON {"projectId":..., "jobNames":[...]}.
    const ops = await listTransferOperations(client, { projectId: project, jobNames: [job.name!] });
    expect(ops.map((o) => [o.name, o.done])).toEqual([[operation.name, true]]);
    const other = await getTransferOperation(client, operation.name!);
    expect(other.done).toBe(true);
  });

  it('answers NOT_FOUND for an unknown job or operation, and refuses a second run while one is active', async () => {
    const { client, project } = await start({ sts: { objectDelayMs: 50 } });
    await put('parcels/x', 'x');
    await put('parcels/y', 'y');
    const code = (p: Promise<unknown>) =>
      p.then(
        () => 0,
        (e: { code?: number }) => e.code,
      );
    expect(await code(client.getTransferJob({ jobName: 'transferJobs/123', projectId: project }))).toBe(
      grpc.status.NOT_FOUND,
    );
    expect(await code(getTransferOperation(client, 'transferOperations/transferJobs-1-2'))).toBe(grpc.status.NOT_FOUND);
    const [job] = await client.createTransferJob({ transferJob: gcsJob() });
    // Another project does not see it.
    expect(await code(client.getTransferJob({ jobName: job.name!, projectId: 'someone-else' }))).toBe(
      grpc.status.NOT_FOUND,
    );
    const [first] = await client.runTransferJob({ jobName: job.name!, projectId: project });
    // RunTransferJob: "A TransferJob has a maximum of one active TransferOperation ... an error is returned."
    expect(await code(client.runTransferJob({ jobName: job.name!, projectId: project }))).toBe(
      grpc.status.FAILED_PRECONDITION,
    );
    await first.promise();
    const [second] = await client.runTransferJob({ jobName: job.name!, projectId: project });
    const [, m] = await second.promise();
    // The second run finds the copies the first made: DIFFERENT (the default) skips identical objects.
    expect(plainTransferOperation(m).counters).toMatchObject({
      objectsFromSourceSkippedBySync: 2,
      objectsFoundFromSource: 0,
      objectsCopiedToSink: 0,
    });
  });
});
