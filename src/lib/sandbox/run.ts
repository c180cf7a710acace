import { existsSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  FaultInjector,
  makePrivateDir,
  ratesFromProbability,
  RequestLog,
  tightenTree,
  writePrivateFile,
} from '@gwctl/emulators/common';
import { lockSandboxDir } from './dir-lock.js';
import { SANDBOX_OUTLINE, sandboxEnvironmentAt } from './environment.js';
import { FAULTABLE_SERVICES, type FaultableService } from './faults-flag.js';
import { sandboxFiles } from './paths.js';
import { writeSandboxCode } from './infra-code.js';
import { SANDBOX_MONITORING } from './seed-monitoring.js';
import { seedSandbox, type SeedReport } from './seed.js';
import { ownIdentity, removeSandboxState, writeSandboxState, type SandboxState } from './state.js';

export interface SandboxOptions {
  dir: string;
  faults?: Partial<Record<FaultableService, number>>;
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
 *
 * A start that fails leaves nothing behind that breaks the next: its listeners are closed, no state file is
 * written, and data whose seeding did not finish is wiped (here on failure, and at the next start after a kill).
 */
export async function startSandbox(opts: SandboxOptions): Promise<RunningSandbox> {
  const files = sandboxFiles(opts.dir);
  makePrivateDir(opts.dir);
  const unlock = lockSandboxDir(opts.dir);
  const closers: (() => Promise<void>)[] = [];
  try {
    // Secrets live here (Kubernetes Secrets, Vault blobs, keys): whatever loosened them, tighten again.
    tightenTree(opts.dir);
    discardUnfinishedSeed(files);
    makePrivateDir(files.data);
    const log = new RequestLog(files.requests);
    // Faults stay off until the sandbox is seeded: seeding must not fail on purpose.
    const faults = Object.fromEntries(FAULTABLE_SERVICES.map((s) => [s, new FaultInjector()])) as Record<
      FaultableService,
      FaultInjector
    >;
    const { startGcsEmulator } = await import('@gwctl/emulators/gcs');
    const gcs = await startGcsEmulator({
      dataDir: join(files.data, 'gcs'),
      log,
      faults: faults.gcs,
      sweepIntervalMs: opts.lifecycleSweepMs ?? 5_000,
    });
    closers.push(() => gcs.close());
    const { startKubeEmulator } = await import('@gwctl/emulators/kube');
    const kube = await startKubeEmulator({
      dataDir: join(files.data, 'kube'),
      log,
      faults: faults.kube,
      lbTeardownMs: opts.lbTeardownMs ?? 3_000,
    });
    closers.push(() => kube.close());
    const { startMongoEmulator } = await import('@gwctl/emulators/mongo');
    const mongo = await startMongoEmulator({ dataDir: join(files.data, 'mongodb'), log, faults: faults.mongodb });
    closers.push(() => mongo.close());
    const { startFirestoreEmulator } = await import('@gwctl/emulators/firestore');
    const firestore = await startFirestoreEmulator({ log, faults: faults.firestore });
    closers.push(() => firestore.close());
    const { startCloudBuildEmulator } = await import('@gwctl/emulators/cloudbuild');
    const cloudbuild = await startCloudBuildEmulator({
      dataDir: join(files.data, 'cloudbuild'),
      log,
      faults: faults.cloudbuild,
      seed: [{ project: SANDBOX_OUTLINE.project, location: SANDBOX_OUTLINE.region, trigger: SANDBOX_TRIGGER }],
    });
    closers.push(() => cloudbuild.close());
    // Backups with `--engine sts` run as transfer jobs copying within the GCS emulator, through its JSON API.
    const { startStorageTransferEmulator } = await import('@gwctl/emulators/storagetransfer');
    const storagetransfer = await startStorageTransferEmulator({
      gcsUrl: gcs.url,
      dataDir: join(files.data, 'storagetransfer'),
      log,
      faults: faults.storagetransfer,
    });
    closers.push(() => storagetransfer.close());
    const { startDiagnoseStandIns } = await import('@gwctl/emulators/stand-ins');
    const standIns = await startDiagnoseStandIns({
      log,
      caFile: files.ca,
      monitoring: { seed: SANDBOX_MONITORING, faults: faults.monitoring, uptimeIntervalMs: 15_000 },
      // GCS measures usage daily; the sandbox every minute, so a rehearsal sees its counts move.
      storage: { project: SANDBOX_OUTLINE.project, measure: () => gcs.usage(), measureEveryMs: 60_000 },
    });
    closers.push(() => standIns.close());

    // The URI is a secret in real environments; the sandbox keeps it in a file like one.
    makePrivateDir(dirname(files.mongoUri));
    writePrivateFile(files.mongoUri, `${mongo.uri}\n`);
    const endpoints: SandboxState['endpoints'] = {
      gcs: gcs.url,
      kube: kube.url,
      mongodb: redactedMongoEndpoint(mongo.uri),
      firestore: firestore.host,
      monitoring: standIns.monitoring,
      cloudbuild: cloudbuild.host,
      storagetransfer: storagetransfer.host,
      poweb: standIns.poweb,
      cogrpc: standIns.cogrpc,
    };
    let seeded: SeedReport | undefined;
    try {
      seeded = await seedSandbox({ dir: opts.dir, env: sandboxEnvironmentAt(opts.dir, endpoints), kube, mongo });
      standIns.servers.monitoring.measureStorage();
    } catch (err) {
      await closeAll(closers);
      discardUnfinishedSeed(files);
      throw err;
    }
    for (const service of FAULTABLE_SERVICES) {
      const p = opts.faults?.[service];
      if (p) faults[service].set(ratesFromProbability(p));
    }
    const state: SandboxState = {
      ...ownIdentity(),
      startedAt: new Date().toISOString(),
      dir: opts.dir,
      endpoints,
    };
    // The code the sandbox is built from, rewritten on every start: it is code, not state.
    writeSandboxCode(opts.dir);
    writeSandboxState(opts.dir, state);
    return {
      state,
      seeded,
      log,
      close: async () => {
        removeSandboxState(opts.dir);
        await closeAll(closers);
        unlock();
      },
    };
  } catch (err) {
    await closeAll(closers);
    unlock();
    throw err;
  }
}

/**
 * Data without the seeded marker comes from a start that failed or was killed while seeding; the sandbox
 * never became ready, so no operator work is in it. Seeding again over it would fail (buckets exist).
 */
function discardUnfinishedSeed(files: ReturnType<typeof sandboxFiles>): void {
  if (!existsSync(files.seeded)) rmSync(files.data, { recursive: true, force: true });
}

async function closeAll(closers: (() => Promise<void>)[]): Promise<void> {
  for (const close of closers.splice(0).reverse()) await close().catch(() => undefined);
}

/** The trigger the sandbox's Cloud Build starts with, as a gateway's CI has it. */
const SANDBOX_TRIGGER = {
  name: 'gateway-gke-deployment',
  description: 'Deploys the gateway to GKE on every push to main',
  filename: 'cloudbuild.yaml',
  tags: ['gke'],
};

/** host:port only: what status prints (the full URI stays in its file). */
function redactedMongoEndpoint(uri: string): string {
  return `mongodb://${new URL(uri).host}`;
}
