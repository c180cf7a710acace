import { GcsCallError, type GcsJson, type GcsObject } from './gcs-json.js';
import { parseManifest } from './manifest.js';
import { TransferError, type RpcCode } from './transfer-error.js';
import { parseGsUrl, type TransferSpec } from './transfer-job.js';
import { addError, timestamp, type OperationStatus, type TransferStore } from './transfer-store.js';

/** A failure a test scripts into runs: the run ends FAILED once `afterObjects` objects were copied. */
export interface RunFault {
  afterObjects?: number;
  code?: RpcCode;
  message?: string;
}

/** Objects a test makes fail one by one (the run goes on and ends FAILED), e.g. as if the sink refused them. */
export interface ObjectFault {
  /** Source object names (relative to the bucket) that fail. */
  match: (name: string) => boolean;
  code?: RpcCode;
  message?: string;
}

/** What a user asked of a running operation (CancelOperation, PauseTransferOperation). */
export interface RunControl {
  cancel: boolean;
  /** The emulator is closing: the run stops where it is and stays IN_PROGRESS, for a restart to take up again. */
  stop: boolean;
  paused: boolean;
  wake?: () => void;
}

export interface RunContext {
  store: TransferStore;
  gcs: GcsJson;
  now: () => number;
  /** A pause before each object, so that an operation is seen IN_PROGRESS with its counters moving. */
  objectDelayMs: number;
  runFault?: RunFault;
  objectFaults: ObjectFault[];
  control: RunControl;
}

const RETRIES = 4;
const RETRY_DELAY_MS = 25;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Transient Cloud Storage errors are retried with backoff, as Storage Transfer Service does; others are final. */
async function retrying<T>(call: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (err) {
      if (!(err instanceof GcsCallError) || !err.transient || attempt >= RETRIES) throw err;
      await sleep(RETRY_DELAY_MS * 2 ** attempt);
    }
  }
}

interface Candidate {
  /** Full source object name (relative to the bucket). */
  name: string;
  object?: GcsObject;
  /** Why the object could not be had (a manifest entry that does not exist). */
  missing?: { code: RpcCode; detail: string };
}

/** The source's objects: every one under the source path, or those the manifest names (relative to that path). */
async function* candidates(gcs: GcsJson, spec: TransferSpec): AsyncGenerator<Candidate> {
  const bucket = spec.gcsDataSource!.bucketName!;
  const root = spec.gcsDataSource!.path ?? '';
  const manifest = spec.transferManifest?.location;
  if (!manifest) {
    for await (const object of gcs.list(bucket, root)) yield { name: object.name, object };
    return;
  }
  const where = parseGsUrl(manifest)!;
  const data = await retrying(() => gcs.download(where.bucket, where.name));
  if (!data) throw new TransferError('NOT_FOUND', `The manifest ${manifest} does not exist.`);
  for (const entry of parseManifest(data)) {
    const name = root + entry.name;
    const object = await retrying(() => gcs.stat(bucket, name, entry.generation));
    // https://cloud.google.com/storage-transfer/docs/manifest: "Files or objects that fail to transfer are listed in the
    // transfer logs"; a listed object that does not exist is one of them, not the end of the transfer.
    yield object
      ? { name, object }
      : {
          name,
          missing: {
            code: 'NOT_FOUND',
            detail: `Object gs://${bucket}/${name}${entry.generation ? `#${entry.generation}` : ''} listed in the manifest was not found.`,
          },
        };
  }
}

/** ObjectConditions: must start with an include prefix (when any) and with no exclude prefix. */
function selected(spec: TransferSpec, name: string): boolean {
  const { includePrefixes = [], excludePrefixes = [] } = spec.objectConditions ?? {};
  if (includePrefixes.length && !includePrefixes.some((p) => name.startsWith(p))) return false;
  return !excludePrefixes.some((p) => name.startsWith(p));
}

/** TransferOptions.overwrite_when, else overwrite_objects_already_existing_in_sink (true: ALWAYS), else DIFFERENT. */
function overwriteWhen(spec: TransferSpec): 'DIFFERENT' | 'NEVER' | 'ALWAYS' {
  const o = spec.transferOptions ?? {};
  if (o.overwriteWhen && o.overwriteWhen !== 'OVERWRITE_WHEN_UNSPECIFIED') return o.overwriteWhen;
  return o.overwriteObjectsAlreadyExistingInSink ? 'ALWAYS' : 'DIFFERENT';
}

/** DIFFERENT: "only if the objects have the same name but different HTTP ETags or checksum values". */
const sameContent = (a: GcsObject, b: GcsObject) =>
  a.size === b.size && a.crc32c === b.crc32c && (!a.md5Hash || !b.md5Hash || a.md5Hash === b.md5Hash);

/**
 * Runs one transfer operation to its end, moving its counters in the store as it goes: each source object is copied
 * with objects.rewrite to the sink path plus its name relative to the source path, or skipped by sync, or counted
 * failed with its error in `errorBreakdowns`. The operation ends SUCCESS when no object failed, FAILED otherwise,
 * ABORTED when cancelled.
 */
export async function runOperation(name: string, ctx: RunContext): Promise<void> {
  const record = ctx.store.operationRecord(name)!;
  const op = record.metadata;
  const spec = op.transferSpec;
  const source = spec.gcsDataSource!;
  const sink = spec.gcsDataSink!;
  const when = overwriteWhen(spec);
  const counters = op.counters;
  const finish = (status: OperationStatus) => {
    op.status = status;
    op.endTime = timestamp(ctx.now());
    record.done = true;
    // google.longrunning CancelOperation: a cancelled operation gets "an Operation.error value with a
    // google.rpc.Status.code of 1, corresponding to Code.CANCELLED".
    if (status === 'ABORTED') record.error = { code: 1, message: 'The transfer operation was cancelled.' };
    ctx.store.save();
  };
  try {
    for (const [bucket, what] of [
      [source.bucketName!, 'source'],
      [sink.bucketName!, 'sink'],
    ] as const)
      if (!(await retrying(() => ctx.gcs.bucketExists(bucket)))) {
        addError(op, 'NOT_FOUND', `gs://${bucket}`, `The ${what} bucket ${bucket} does not exist.`);
        return finish('FAILED');
      }
    for await (const c of candidates(ctx.gcs, spec)) {
      await gate(ctx);
      if (ctx.control.stop) return;
      if (ctx.control.cancel) return finish('ABORTED');
      const url = `gs://${source.bucketName}/${c.name}`;
      if (!selected(spec, c.name)) continue;
      if (c.missing) {
        counters.objectsFromSourceFailed++;
        addError(op, c.missing.code, url, c.missing.detail);
        ctx.store.save();
        continue;
      }
      const object = c.object!;
      const size = Number(object.size);
      const destination = (sink.path ?? '') + object.name.slice((source.path ?? '').length);
      const existing =
        when === 'ALWAYS' ? undefined : await retrying(() => ctx.gcs.stat(sink.bucketName!, destination));
      if (existing && (when === 'NEVER' || sameContent(existing, object))) {
        counters.objectsFromSourceSkippedBySync++;
        counters.bytesFromSourceSkippedBySync += size;
        ctx.store.save();
        continue;
      }
      counters.objectsFoundFromSource++;
      counters.bytesFoundFromSource += size;
      const fault = ctx.objectFaults.find((f) => f.match(object.name));
      if (fault) {
        counters.objectsFromSourceFailed++;
        counters.bytesFromSourceFailed += size;
        addError(op, fault.code ?? 'PERMISSION_DENIED', url, fault.message ?? `Copying ${url} failed (injected).`);
        ctx.store.save();
        continue;
      }
      try {
        await retrying(() => ctx.gcs.rewrite(object, sink.bucketName!, destination));
        counters.objectsCopiedToSink++;
        counters.bytesCopiedToSink += size;
        if (spec.transferOptions?.deleteObjectsFromSourceAfterTransfer) {
          await retrying(() => ctx.gcs.delete(object));
          counters.objectsDeletedFromSource++;
          counters.bytesDeletedFromSource += size;
        }
      } catch (err) {
        if (!(err instanceof GcsCallError)) throw err;
        counters.objectsFromSourceFailed++;
        counters.bytesFromSourceFailed += size;
        addError(op, err.rpcCode, url, err.message);
      }
      ctx.store.save();
      const runFault = ctx.runFault;
      if (runFault && counters.objectsCopiedToSink >= (runFault.afterObjects ?? 0)) {
        addError(op, runFault.code ?? 'INTERNAL', url, runFault.message ?? 'The transfer failed (injected).');
        return finish('FAILED');
      }
    }
    const runFault = ctx.runFault;
    if (runFault) {
      addError(
        op,
        runFault.code ?? 'INTERNAL',
        `gs://${source.bucketName}`,
        runFault.message ?? 'The transfer failed (injected).',
      );
      return finish('FAILED');
    }
    finish(counters.objectsFromSourceFailed > 0 ? 'FAILED' : 'SUCCESS');
  } catch (err) {
    if (ctx.control.stop) return;
    const code = err instanceof TransferError ? err.code : err instanceof GcsCallError ? err.rpcCode : 'INTERNAL';
    const url = spec.transferManifest?.location ?? `gs://${source.bucketName}`;
    addError(op, code, url, (err as Error).message);
    finish('FAILED');
  }
}

/** Waits out the per-object delay and any pause (until resumed, cancelled or stopped). */
async function gate(ctx: RunContext): Promise<void> {
  if (ctx.objectDelayMs) await sleep(ctx.objectDelayMs);
  const c = ctx.control;
  while (c.paused && !c.cancel && !c.stop) await new Promise<void>((r) => (c.wake = r));
}
