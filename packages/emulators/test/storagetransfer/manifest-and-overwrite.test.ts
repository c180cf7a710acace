import { afterEach, describe, expect, it } from 'vitest';
import { plainTransferOperation, type StorageTransferTarget } from '../../src/testing/index.js';
import { SINK, SOURCE, startWithBuckets } from './target.js';

let t: StorageTransferTarget | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

async function start() {
  t = await startWithBuckets();
  return t;
}

const put = (bucket: string, name: string, data: string) =>
  t!.storage.bucket(bucket).file(name).save(data, { resumable: false });
const sinkNames = async () => (await t!.storage.bucket(SINK).getFiles())[0].map((f) => f.name).sort();
const read = async (name: string) => (await t!.storage.bucket(SINK).file(name).download())[0].toString();

/** Creates a GCS→GCS job with `spec` merged in, runs it, and waits for the operation's end. */
async function runJob(spec: Record<string, unknown>, source = { bucketName: SOURCE, path: 'p/' }) {
  const { client, project } = t!;
  const [job] = await client.createTransferJob({
    transferJob: {
      projectId: project,
      status: 'ENABLED',
      transferSpec: { gcsDataSource: source, gcsDataSink: { bucketName: SINK, path: 'b/' }, ...spec },
    },
  });
  const [operation] = await client.runTransferJob({ jobName: job.name!, projectId: project });
  const [, metadata] = await operation.promise();
  return plainTransferOperation(metadata);
}

// https://cloud.google.com/storage-transfer/docs/manifest: CSV, UTF-8, first column the object name relative to the
// source path, names with commas double-quoted; an object storage manifest may give a generation as second column.
describe('a transfer manifest names the objects to copy', () => {
  it('copies exactly the listed objects, with quoted names (commas, quotes) and unicode, relative to the source path', async () => {
    await start();
    for (const name of ['p/doe,john.txt', 'p/say "hi".txt', 'p/façade/ünï.bin', 'p/not-listed', 'p/dir/a'])
      await put(SOURCE, name, `data of ${name}`);
    await put(SOURCE, 'manifests/run-1.csv', '"doe,john.txt"\n"say ""hi"".txt"\nfaçade/ünï.bin\r\ndir/a\n');
    const op = await runJob({ transferManifest: { location: `gs://${SOURCE}/manifests/run-1.csv` } });
    expect(op.status).toBe('SUCCESS');
    expect(op.counters).toMatchObject({
      objectsFoundFromSource: 4,
      objectsCopiedToSink: 4,
      objectsFromSourceFailed: 0,
    });
    expect(await sinkNames()).toEqual(['b/dir/a', 'b/doe,john.txt', 'b/façade/ünï.bin', 'b/say "hi".txt']);
    expect(await read('b/façade/ünï.bin')).toBe('data of p/façade/ünï.bin');
  });

  it('counts a listed object that does not exist as failed (NOT_FOUND in errorBreakdowns) and copies the rest; the operation ends FAILED', async () => {
    await start();
    await put(SOURCE, 'p/present', 'here');
    await put(SOURCE, 'm.csv', 'present\ngone-1\ngone-2\n');
    const op = await runJob({ transferManifest: { location: `gs://${SOURCE}/m.csv` } });
    expect(op.status).toBe('FAILED');
    expect(op.counters).toMatchObject({ objectsCopiedToSink: 1, objectsFromSourceFailed: 2 });
    // ErrorSummary: error_code, error_count, and sample error_log_entries with the object's URL.
    expect(op.errorBreakdowns).toEqual([
      {
        errorCode: 'NOT_FOUND',
        errorCount: 2,
        errorLogEntries: [
          { url: `gs://${SOURCE}/p/gone-1`, errorDetails: [expect.stringContaining('not found')] },
          { url: `gs://${SOURCE}/p/gone-2`, errorDetails: [expect.stringContaining('not found')] },
        ],
      },
    ]);
    expect(await sinkNames()).toEqual(['b/present']);
  });

  it('copies the generation a manifest row names in its second column', async () => {
    await start();
    await t!.storage.bucket(SOURCE).setMetadata({ versioning: { enabled: true } });
    await put(SOURCE, 'p/o', 'old');
    const [meta] = await t!.storage.bucket(SOURCE).file('p/o').getMetadata();
    await put(SOURCE, 'p/o', 'new');
    await put(SOURCE, 'm.csv', `o,${meta.generation}\n`);
    const op = await runJob({ transferManifest: { location: `gs://${SOURCE}/m.csv` } });
    expect(op.status).toBe('SUCCESS');
    expect(await read('b/o')).toBe('old');
  });

  it('fails the operation when the manifest itself does not exist', async () => {
    await start();
    await put(SOURCE, 'p/x', 'x');
    const op = await runJob({ transferManifest: { location: `gs://${SOURCE}/missing.csv` } });
    expect(op.status).toBe('FAILED');
    expect(op.errorBreakdowns.map((e) => [e.errorCode, e.errorLogEntries[0]!.url])).toEqual([
      ['NOT_FOUND', `gs://${SOURCE}/missing.csv`],
    ]);
    expect(await sinkNames()).toEqual([]);
  });
});

// TransferOptions.OverwriteWhen (transfer_types.proto): DIFFERENT "only if ... different HTTP ETags or checksum
// values", NEVER "never overwrites", ALWAYS "even if ... the same"; unset, overwrite_objects_already_existing_in_sink decides.
describe('overwriteWhen decides what happens to objects already in the sink', () => {
  async function seed() {
    await start();
    await put(SOURCE, 'p/same', 'same bytes');
    await put(SOURCE, 'p/changed', 'new bytes');
    await put(SOURCE, 'p/fresh', 'fresh');
    await put(SINK, 'b/same', 'same bytes');
    await put(SINK, 'b/changed', 'old bytes');
  }

  it('DIFFERENT (the default) copies new and changed objects and skips identical ones', async () => {
    await seed();
    const op = await runJob({});
    expect(op.counters).toMatchObject({
      objectsCopiedToSink: 2,
      objectsFromSourceSkippedBySync: 1,
      bytesFromSourceSkippedBySync: 'same bytes'.length,
    });
    expect(await read('b/changed')).toBe('new bytes');
  });

  it('NEVER copies only objects the sink lacks', async () => {
    await seed();
    const op = await runJob({ transferOptions: { overwriteWhen: 'NEVER' } });
    expect(op.counters).toMatchObject({ objectsCopiedToSink: 1, objectsFromSourceSkippedBySync: 2 });
    expect(await read('b/changed')).toBe('old bytes');
  });

  it('ALWAYS, or overwrite_objects_already_existing_in_sink, copies every object', async () => {
    await seed();
    const [before] = await t!.storage.bucket(SINK).file('b/same').getMetadata();
    expect((await runJob({ transferOptions: { overwriteWhen: 'ALWAYS' } })).counters).toMatchObject({
      objectsCopiedToSink: 3,
      objectsFromSourceSkippedBySync: 0,
    });
    const [after] = await t!.storage.bucket(SINK).file('b/same').getMetadata();
    expect(after.generation).not.toBe(before.generation);
    expect((await runJob({ transferOptions: { overwriteObjectsAlreadyExistingInSink: true } })).counters).toMatchObject(
      { objectsCopiedToSink: 3 },
    );
  });
});

// ObjectConditions: "Objects must start with one of the matching include_prefixes ... must not start with any of the
// exclude_prefixes".
describe('object conditions', () => {
  it('copies objects under an include prefix, minus those under an exclude prefix', async () => {
    await start();
    for (const name of ['p/keep/1', 'p/keep/tmp/2', 'p/drop/3']) await put(SOURCE, name, name);
    const op = await runJob({ objectConditions: { includePrefixes: ['p/keep/'], excludePrefixes: ['p/keep/tmp/'] } });
    expect(op.counters).toMatchObject({ objectsCopiedToSink: 1 });
    expect(await sinkNames()).toEqual(['b/keep/1']);
  });

  it('deletes source objects after transfer when asked', async () => {
    await start();
    await put(SOURCE, 'p/move-me', 'moving');
    const op = await runJob({ transferOptions: { deleteObjectsFromSourceAfterTransfer: true } });
    expect(op.counters).toMatchObject({ objectsCopiedToSink: 1, objectsDeletedFromSource: 1 });
    expect((await t!.storage.bucket(SOURCE).file('p/move-me').exists())[0]).toBe(false);
    expect(await read('b/move-me')).toBe('moving');
  });
});
