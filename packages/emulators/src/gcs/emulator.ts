import { EmulatorClock } from '../common/clock.js';
import { FaultInjector } from '../common/faults.js';
import { startHttpEmulator, type EmulatorHandle } from '../common/http-emulator.js';
import { RequestLog } from '../common/request-log.js';
import { commitObject } from './commit.js';
import { GCS_SERVICE, type GcsContext, type GcsQuirks } from './context.js';
import { ApiRequestLog, handleControl, isControlRequest } from './control.js';
import { faultBody } from './errors.js';
import { sweepLifecycle, type SweepResult } from './lifecycle.js';
import type { OrgPolicy } from './org-policy.js';
import { Persistence } from './persistence.js';
import { handleApiRequest } from './router.js';
import { Store } from './store.js';
import type { BucketUsage } from '../monitoring/storage-metrics.js';

export interface GcsEmulatorOptions {
  /** 0 (default) lets the OS pick. */
  port?: number;
  /** Keep buckets and objects here, and load them from here at start. */
  dataDir?: string;
  log?: RequestLog;
  faults?: FaultInjector;
  /** Bytes one rewrite call copies (default 1 MiB); bigger objects need a rewrite token. */
  rewriteChunkBytes?: number;
  /** Run a lifecycle sweep this often (off by default; tests call `sweep()`). */
  sweepIntervalMs?: number;
  /** A network round trip added to every HTTP request, a batch being one (see HttpEmulatorOptions). */
  latencyMs?: number;
  /** Organization policy constraints to enforce, e.g. `{ softDeletePolicySeconds: [0] }`. */
  orgPolicy?: OrgPolicy;
  quirks?: GcsQuirks;
}

export interface GcsEmulator extends EmulatorHandle {
  /** Lifecycle ages and retention are measured against this clock: `clock.advance(2 * DAY_MS)`. */
  clock: EmulatorClock;
  /** One lifecycle pass now (also purges expired soft-deleted objects). */
  sweep(): SweepResult;
  /** Flips bytes of an object (the live generation unless one is given) without updating its stored hashes. */
  corruptObject(bucket: string, name: string, generation?: number): void;
  /** Live objects in a bucket; with `versions`, noncurrent generations too. */
  objectCount(bucket: string, opts?: { versions?: boolean }): number;
  /**
   * What Cloud Monitoring's daily storage measurement would find, per bucket and storage class: live and noncurrent
   * objects (stored and billed), not soft-deleted ones. The Monitoring stand-in reports it as object_count/total_bytes.
   */
  usage(): BucketUsage[];
  /** The organization policy in force; change it in place, or through `POST /_emulator/org-policy`. */
  orgPolicy: OrgPolicy;
  /** Answers GCS may give but seldom does (an empty first listing page); change them in place. */
  quirks: GcsQuirks;
  /**
   * Writes objects into an existing bucket as uploads would (new generations, hashes), without HTTP and
   * unrecorded: a benchmark seeds a million objects in seconds instead of a million uploads.
   */
  putObjects(bucket: string, objects: Iterable<SeedObject>): void;
}

export interface SeedObject {
  name: string;
  data: Buffer;
  contentType?: string;
  metadata?: Record<string, string>;
}

const DEFAULT_REWRITE_CHUNK_BYTES = 1024 * 1024;

/** Starts a Google Cloud Storage JSON API emulator that `@google-cloud/storage` can use via `apiEndpoint`. */
export async function startGcsEmulator(opts: GcsEmulatorOptions = {}): Promise<GcsEmulator> {
  const clock = new EmulatorClock();
  const opened = opts.dataDir ? Persistence.open(opts.dataDir) : undefined;
  const store = new Store(opened?.persistence);
  if (opened) {
    store.load(opened.state.buckets, opened.state.versions);
    opened.persistence.attach(() => store.dump());
  }
  const log = opts.log ?? new RequestLog();
  const apiLog = new ApiRequestLog(log);
  const faults = opts.faults ?? new FaultInjector();
  const ctx: GcsContext = {
    store,
    clock,
    rewriteChunkBytes: opts.rewriteChunkBytes ?? DEFAULT_REWRITE_CHUNK_BYTES,
    log: apiLog,
    faults,
    orgPolicy: { ...opts.orgPolicy },
    quirks: { ...opts.quirks },
  };
  const sweep = () => sweepLifecycle(store, clock.now().getTime());
  const control = { clock, sweep, log, faults, orgPolicy: ctx.orgPolicy };
  const handle = await startHttpEmulator({
    service: GCS_SERVICE,
    port: opts.port,
    log: apiLog,
    faults,
    exempt: isControlRequest,
    faultBody,
    latencyMs: opts.latencyMs,
    handler: (req, res) => (isControlRequest(req) ? handleControl(control, req, res) : handleApiRequest(ctx, req, res)),
  });
  const timer = opts.sweepIntervalMs ? setInterval(sweep, opts.sweepIntervalMs).unref() : undefined;
  let closing: Promise<void> | undefined;

  return {
    ...handle,
    log,
    clock,
    sweep,
    orgPolicy: ctx.orgPolicy,
    quirks: ctx.quirks,
    putObjects(bucket, objects) {
      const b = store.bucket(bucket);
      if (!b) throw new Error(`putObjects: no such bucket ${bucket}`);
      for (const o of objects) {
        const fields = { ...(o.contentType ? { contentType: o.contentType } : {}), metadata: { ...o.metadata } };
        commitObject(ctx, { bucket: b, name: o.name, data: o.data, fields, preconditions: {} });
      }
    },
    corruptObject(bucket, name, generation) {
      const v = store.bucket(bucket)?.find(name, generation);
      if (!v) throw new Error(`corruptObject: no such object gs://${bucket}/${name}`);
      if (v.data.length === 0) throw new Error(`corruptObject: gs://${bucket}/${name} is empty, nothing to flip`);
      const data = Buffer.from(v.data);
      data[0] ^= 0xff;
      data[data.length >> 1] ^= 0x55;
      v.data = data;
      store.saveVersion(v);
    },
    objectCount(bucket, { versions = false } = {}) {
      const b = store.bucket(bucket);
      if (!b) return 0;
      if (!versions) return b.live.size;
      let count = b.live.size;
      for (const older of b.noncurrent.values()) count += older.length;
      return count;
    },
    usage() {
      const out = new Map<string, BucketUsage>();
      for (const b of store.allBuckets()) {
        const location = (b.record.fields.location ?? 'US').toLowerCase();
        const generations = [...b.live.values(), ...[...b.noncurrent.values()].flat()];
        for (const v of generations) {
          const key = `${b.name}|${v.storageClass}`;
          const u = out.get(key) ?? { bucket: b.name, location, storageClass: v.storageClass, objects: 0, bytes: 0 };
          u.objects++;
          u.bytes += v.data.length;
          out.set(key, u);
        }
      }
      return [...out.values()];
    },
    close() {
      closing ??= (async () => {
        if (timer) clearInterval(timer);
        await handle.close();
        opened?.persistence.close();
      })();
      return closing;
    },
  };
}
