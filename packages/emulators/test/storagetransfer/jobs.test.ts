import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { afterEach, describe, expect, it } from 'vitest';
import {
  plainTransferOperation,
  startStorageTransferTarget,
  type StorageTransferTarget,
} from '../../src/testing/index.js';

// Rules from the field comments of google/storagetransfer/v1/transfer.proto and transfer_types.proto.

let t: StorageTransferTarget | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

const codeOf = (p: Promise<unknown>) =>
  p.then(
    () => 0,
    (e: { code?: number }) => e.code,
  );

const spec = (source: Record<string, unknown> = {}, sink: Record<string, unknown> = {}) => ({
  gcsDataSource: { bucketName: 'gateway-prod-parcels', path: 'parcels/', ...source },
  gcsDataSink: { bucketName: 'gwctl-backups', path: 'b/', ...sink },
});

describe('transfer jobs: create, get, list, update, delete through the real client', () => {
  it('keeps a client-chosen name, and answers ALREADY_EXISTS for a second job of that name', async () => {
    t = await startStorageTransferTarget();
    const { client, project } = t;
    const transferJob = {
      name: 'transferJobs/gwctl-backup-prod-1',
      projectId: project,
      status: 'ENABLED' as const,
      transferSpec: spec(),
    };
    const [job] = await client.createTransferJob({ transferJob });
    expect(job).toMatchObject({ name: 'transferJobs/gwctl-backup-prod-1', status: 'ENABLED', projectId: project });
    // TransferJob.name: "If the specified name is in use by a job, the creation request fails with an ALREADY_EXISTS error."
    expect(await codeOf(client.createTransferJob({ transferJob }))).toBe(grpc.status.ALREADY_EXISTS);
  });

  it('refuses invalid jobs with INVALID_ARGUMENT', async () => {
    t = await startStorageTransferTarget();
    const { client, project } = t;
    const create = (job: Record<string, unknown>) =>
      codeOf(
        client.createTransferJob({
          transferJob: { projectId: project, status: 'ENABLED', transferSpec: spec(), ...job },
        }),
      );
    const INVALID = grpc.status.INVALID_ARGUMENT;
    // TransferJob.transfer_spec is what the job does: without it there is nothing to run.
    expect(await create({ transferSpec: undefined })).toBe(INVALID);
    expect(await create({ projectId: undefined })).toBe(INVALID);
    // TransferJob.status: "This value MUST be specified for CreateTransferJobRequests."
    expect(await create({ status: undefined })).toBe(INVALID);
    // TransferJob.name: "must start with "transferJobs/" ... end with a letter or a number"; not OPI (POSIX only).
    for (const name of ['jobs/1', 'transferJobs/ends-with-dash-', 'transferJobs/OPI123', 'transferJobs/a b'])
      expect(await create({ name }), name).toBe(INVALID);
    // GcsData.path: "Must be an empty string or full path name that ends with a '/'."
    expect(await create({ transferSpec: spec({ path: 'parcels' }) })).toBe(INVALID);
    expect(await create({ transferSpec: spec({}, { path: 'backups/today' }) })).toBe(INVALID);
    expect(await create({ transferSpec: spec({ bucketName: '' }) })).toBe(INVALID);
    // TransferManifest.location: a Cloud Storage object, "gs://bucket_name/path/manifest.csv".
    expect(
      await create({ transferSpec: { ...spec(), transferManifest: { location: 'https://example.com/m.csv' } } }),
    ).toBe(INVALID);
    expect(await create({ transferSpec: { ...spec(), transferManifest: { location: 'gs://bucket-only' } } })).toBe(
      INVALID,
    );
    // ObjectConditions: no empty prefix, none a prefix of another, excludes under an include.
    const conditions = (objectConditions: Record<string, unknown>) =>
      create({ transferSpec: { ...spec(), objectConditions } });
    expect(await conditions({ includePrefixes: [''] })).toBe(INVALID);
    expect(await conditions({ includePrefixes: ['a/', 'a/b/'] })).toBe(INVALID);
    expect(await conditions({ includePrefixes: ['a/'], excludePrefixes: ['b/'] })).toBe(INVALID);
    // TransferOptions: the two deletions "are mutually exclusive".
    expect(
      await create({
        transferSpec: {
          ...spec(),
          transferOptions: { deleteObjectsUniqueInSink: true, deleteObjectsFromSourceAfterTransfer: true },
        },
      }),
    ).toBe(INVALID);
    // Other sources exist in the API; the emulator says it does not do them rather than pretending.
    expect(
      await create({
        transferSpec: { awsS3DataSource: { bucketName: 'x' }, gcsDataSink: { bucketName: 'gwctl-backups' } },
      }),
    ).toBe(grpc.status.UNIMPLEMENTED);
    const [jobs] = await client.listTransferJobs({ filter: JSON.stringify({ projectId: project }) });
    expect(jobs).toEqual([]);
  });

  it('lists by the filter JSON (projectId required; jobNames, case-insensitive jobStatuses), pages included', async () => {
    t = await startStorageTransferTarget();
    const { client, project } = t;
    const names: string[] = [];
    for (let i = 0; i < 3; i++) {
      const [job] = await client.createTransferJob({
        transferJob: { projectId: project, status: 'ENABLED', transferSpec: spec() },
      });
      names.push(job.name!);
    }
    await client.createTransferJob({
      transferJob: { projectId: 'another-project', status: 'ENABLED', transferSpec: spec() },
    });
    await client.updateTransferJob({
      jobName: names[0]!,
      projectId: project,
      transferJob: { status: 'DISABLED' },
      updateTransferJobFieldMask: { paths: ['status'] },
    });
    const list = async (filter: Record<string, unknown>) =>
      (await client.listTransferJobs({ filter: JSON.stringify(filter), pageSize: 2 }))[0].map((j) => j.name).sort();
    expect(await list({ projectId: project })).toEqual([...names].sort());
    expect(await list({ projectId: project, jobNames: [names[1]] })).toEqual([names[1]]);
    expect(await list({ projectId: project, jobStatuses: ['disabled'] })).toEqual([names[0]]);
    expect(await codeOf(client.listTransferJobs({ filter: JSON.stringify({ jobNames: names }) }))).toBe(
      grpc.status.INVALID_ARGUMENT,
    );
    expect(await codeOf(client.listTransferJobs({ filter: 'projectId=x' }))).toBe(grpc.status.INVALID_ARGUMENT);
  });

  it('updates only the masked fields, refuses the others, and DeleteTransferJob sets status DELETED', async () => {
    t = await startStorageTransferTarget();
    const { client, project } = t;
    const [job] = await client.createTransferJob({
      transferJob: { projectId: project, status: 'ENABLED', description: 'nightly', transferSpec: spec() },
    });
    const [updated] = await client.updateTransferJob({
      jobName: job.name!,
      projectId: project,
      transferJob: { description: 'weekly', transferSpec: spec({}, { path: 'weekly/' }) },
      updateTransferJobFieldMask: { paths: ['description'] },
    });
    expect(updated).toMatchObject({ description: 'weekly', transferSpec: { gcsDataSink: { path: 'b/' } } });
    // UpdateTransferJobRequest: "An UpdateTransferJobRequest that specifies other fields are rejected with INVALID_ARGUMENT".
    expect(
      await codeOf(
        client.updateTransferJob({
          jobName: job.name!,
          projectId: project,
          transferJob: { projectId: 'elsewhere' },
          updateTransferJobFieldMask: { paths: ['project_id'] },
        }),
      ),
    ).toBe(grpc.status.INVALID_ARGUMENT);
    // "To update the transfer_spec of the job, a complete transfer specification must be provided."
    expect(
      await codeOf(
        client.updateTransferJob({
          jobName: job.name!,
          projectId: project,
          transferJob: { transferSpec: { gcsDataSink: { bucketName: 'gwctl-backups' } } },
          updateTransferJobFieldMask: { paths: ['transfer_spec'] },
        }),
      ),
    ).toBe(grpc.status.INVALID_ARGUMENT);

    await client.deleteTransferJob({ jobName: job.name!, projectId: project });
    const [deleted] = await client.getTransferJob({ jobName: job.name!, projectId: project });
    expect(deleted.status).toBe('DELETED');
    expect(deleted.deletionTime?.seconds).toBeTruthy();
    expect(await codeOf(client.runTransferJob({ jobName: job.name!, projectId: project }))).toBe(grpc.status.NOT_FOUND);
  });

  it('GetGoogleServiceAccount names the project’s transfer service agent', async () => {
    t = await startStorageTransferTarget();
    const [sa] = await t.client.getGoogleServiceAccount({ projectId: t.project });
    expect(sa.accountEmail).toMatch(/^project-\d+@storage-transfer-service\.iam\.gserviceaccount\.com$/);
    expect(await codeOf(t.client.getGoogleServiceAccount({ projectId: '' }))).toBe(grpc.status.INVALID_ARGUMENT);
  });

  it('keeps jobs and finished operations across a restart with a data directory', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'sts-'));
    t = await startStorageTransferTarget({ sts: { dataDir } });
    await t.storage.createBucket('gateway-prod-parcels');
    await t.storage.createBucket('gwctl-backups');
    const [job] = await t.client.createTransferJob({
      transferJob: { projectId: t.project, status: 'ENABLED', transferSpec: spec() },
    });
    const [op] = await t.client.runTransferJob({ jobName: job.name!, projectId: t.project });
    await op.promise();
    await t.close();
    t = await startStorageTransferTarget({ sts: { dataDir } });
    const [again] = await t.client.getTransferJob({ jobName: job.name!, projectId: t.project });
    expect(again.latestOperationName).toBe(op.name);
    const decoded = await t.client.checkRunTransferJobProgress(op.name!);
    expect(decoded.done).toBe(true);
  });

  it('takes up a run a restart interrupted: on the same data directory it ends SUCCESS, every object copied once', async () => {
    const [dataDir, gcsDir] = [mkdtempSync(join(tmpdir(), 'sts-')), mkdtempSync(join(tmpdir(), 'gcs-'))];
    t = await startStorageTransferTarget({ gcs: { dataDir: gcsDir }, sts: { dataDir, objectDelayMs: 40 } });
    await t.storage.createBucket('gateway-prod-parcels');
    await t.storage.createBucket('gwctl-backups');
    for (let i = 0; i < 8; i++)
      await t.storage.bucket('gateway-prod-parcels').file(`parcels/${i}`).save(`parcel ${i}`, { resumable: false });
    const [job] = await t.client.createTransferJob({
      transferJob: { projectId: t.project, status: 'ENABLED', transferSpec: spec() },
    });
    const [op] = await t.client.runTransferJob({ jobName: job.name!, projectId: t.project });
    const progress = async () => {
      const decoded = await t!.client.checkRunTransferJobProgress(op.name!);
      return { done: decoded.done, ...plainTransferOperation(decoded.metadata) };
    };
    while ((await progress()).counters.objectsCopiedToSink < 2) await new Promise((r) => setTimeout(r, 20));
    await t.close();

    t = await startStorageTransferTarget({ gcs: { dataDir: gcsDir }, sts: { dataDir } });
    let last = await progress();
    while (!last.done) {
      await new Promise((r) => setTimeout(r, 20));
      last = await progress();
    }
    expect(last.status).toBe('SUCCESS');
    // Taken up from the start: what the first run copied is found in the sink and skipped by sync.
    expect(last.counters.objectsCopiedToSink + last.counters.objectsFromSourceSkippedBySync).toBe(8);
    expect(last.counters.objectsFromSourceSkippedBySync).toBeGreaterThanOrEqual(2);
    const [copies] = await t.storage.bucket('gwctl-backups').getFiles({ prefix: 'b/' });
    expect(copies.map((f) => f.name).sort()).toEqual([...Array(8).keys()].map((i) => `b/${i}`).sort());
  });
});
