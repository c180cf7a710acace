import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { FaultInjector, ratesFromProbability, RequestLog } from '@gwctl/emulators/common';
import type { SandboxService } from './faults-flag.js';
import { sandboxFiles } from './paths.js';
import { writeSandboxCode } from './infra-code.js';
import { seedSandbox, type SeedReport } from './seed.js';
import type { SandboxState } from './state.js';

export interface SandboxOptions {
  dir: string;
  faults?: Partial<Record<SandboxService, number>>;
  /** How often buckets' lifecycle rules are applied (GCS does it about daily; the sandbox much faster). */
  lifecycleSweepMs?: number;
  /** Seconds the GKE ingress controller takes to tear an Ingress's load balancer down. */
  lbTeardownMs?: number;
}

export interface RunningSandbox {
  state: SandboxState;
  seeded?: SeedReport;
  log: RequestLog;
  close(): Promise<void>;
}

/**
 * Starts every emulator of a gateway environment on 127.0.0.1 (OS-picked ports), persisting under
 * `<dir>/data`, logging every request to `<dir>/requests.jsonl`, and seeds it on first start.
 * Emulators are loaded lazily: they pull in gRPC and friends, which `gwctl --help` must not pay for.
 */
export async function startSandbox(opts: SandboxOptions): Promise<RunningSandbox> {
  const files = sandboxFiles(opts.dir);
  mkdirSync(files.data, { recursive: true });
  const log = new RequestLog(files.requests);
  const faults = (service: SandboxService) =>
    new FaultInjector(opts.faults?.[service] ? ratesFromProbability(opts.faults[service]!) : {});
  const closers: (() => Promise<void>)[] = [];
  try {
    const { startGcsEmulator } = await import('@gwctl/emulators/gcs');
    const gcs = await startGcsEmulator({
      dataDir: join(files.data, 'gcs'),
      log,
      faults: faults('gcs'),
      sweepIntervalMs: opts.lifecycleSweepMs ?? 5_000,
    });
    closers.push(() => gcs.close());
    const { startKubeEmulator } = await import('@gwctl/emulators/kube');
    const kube = await startKubeEmulator({
      dataDir: join(files.data, 'kube'),
      log,
      faults: faults('kube'),
      lbTeardownMs: opts.lbTeardownMs ?? 3_000,
    });
    closers.push(() => kube.close());
    const { startMongoEmulator } = await import('@gwctl/emulators/mongo');
    const mongo = await startMongoEmulator({ dataDir: join(files.data, 'mongodb'), log, faults: faults('mongodb') });
    closers.push(() => mongo.close());
    const { startFirestoreEmulator } = await import('@gwctl/emulators/firestore');
    const firestore = await startFirestoreEmulator({ log, faults: faults('firestore') });
    closers.push(() => firestore.close());
    const { startDiagnoseStandIns } = await import('@gwctl/emulators/stand-ins');
    const standIns = await startDiagnoseStandIns({ log, caFile: files.ca });
    closers.push(() => standIns.close());

    // The URI is a secret in real environments; the sandbox keeps it in a file like one.
    mkdirSync(dirname(files.mongoUri), { recursive: true });
    writeFileSync(files.mongoUri, `${mongo.uri}\n`, { mode: 0o600 });
    const state: SandboxState = {
      pid: process.pid,
      startedAt: new Date().toISOString(),
      dir: opts.dir,
      endpoints: {
        gcs: gcs.url,
        kube: kube.url,
        mongodb: redactedMongoEndpoint(mongo.uri),
        firestore: firestore.host,
        monitoring: standIns.monitoring,
        poweb: standIns.poweb,
        cogrpc: standIns.cogrpc,
      },
    };
    const seeded = await seedSandbox({ dir: opts.dir, gcsUrl: gcs.url, kube, mongo });
    writeSandboxCode(opts.dir);
    writeFileSync(files.state, `${JSON.stringify(state, null, 2)}\n`);
    return {
      state,
      seeded,
      log,
      close: async () => {
        rmSync(files.state, { force: true });
        await closeAll(closers);
      },
    };
  } catch (err) {
    await closeAll(closers);
    throw err;
  }
}

async function closeAll(closers: (() => Promise<void>)[]): Promise<void> {
  for (const close of closers.reverse()) await close().catch(() => undefined);
}

/** host:port only: what status prints (the full URI stays in its file). */
function redactedMongoEndpoint(uri: string): string {
  return `mongodb://${new URL(uri).host}`;
}
