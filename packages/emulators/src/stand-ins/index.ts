import { dirname } from 'node:path';
import { z } from 'zod';
import { createLocalCa, type LocalCa } from '../ca/local-ca.js';
import type { ColdStartConfig } from '../cogrpc/cold-start.js';
import { startCogrpcStandIn, type CogrpcStandIn } from '../cogrpc/cogrpc-stand-in.js';
import type { FaultInjector } from '../common/faults.js';
import { makePrivateDir, writePrivateFile } from '../common/private-files.js';
import type { RequestLog } from '../common/request-log.js';
import type { LbIdentity } from '../monitoring/lb-metrics.js';
import {
  startMonitoringStandIn,
  type MonitoringSeed,
  type MonitoringStandIn,
  type MonitoringStandInOptions,
} from '../monitoring/monitoring-stand-in.js';
import type { LbTrafficScenario } from '../monitoring/scenario.js';
import { powebConfigPatchSchema, type PowebStandInConfig } from '../poweb/config.js';
import { startPowebStandIn, type PowebStandIn } from '../poweb/poweb-stand-in.js';

const quantiles = z
  .object({
    p50: z.number().min(0),
    p90: z.number().min(0).optional(),
    p95: z.number().min(0).optional(),
    p99: z.number().min(0),
    max: z.number().min(0).optional(),
  })
  .strict();
const scenarioSchema = z
  .object({
    requests: z.number().int().min(0),
    windowMs: z.number().positive().optional(),
    backendMs: quantiles,
    totalMs: quantiles,
    responseCodes: z.record(z.string(), z.number().min(0)).optional(),
  })
  .strict();

/** Everything `configure()` and `PUT /_emulator/config` accept; each part optional. */
export const standInsPatchSchema = z
  .object({
    poweb: powebConfigPatchSchema,
    cogrpc: z
      .object({ coldStartMs: z.number().min(0), idleMs: z.number().min(0), scaleToZero: z.boolean() })
      .partial()
      .strict(),
    /** `null` removes the synthetic traffic, leaving what the PoWeb stand-in served. */
    monitoring: z.object({ scenario: scenarioSchema.nullable() }).partial().strict(),
  })
  .partial()
  .strict();

export type StandInsPatch = z.input<typeof standInsPatchSchema>;

export interface StandInsConfig {
  poweb: PowebStandInConfig;
  cogrpc: ColdStartConfig;
  monitoring: { scenario: LbTrafficScenario | null };
}

/** Ready-made states: a well-configured gateway, and one with the three incidents `diagnose parcels` looks for. */
export const STAND_IN_PRESETS = {
  healthy: {
    poweb: {
      backend: { latencyMs: 2, jitterMs: 3, stallFraction: 0 },
      lb: { latencyMs: 1, jitterMs: 2, stallFraction: 0, backendTimeoutMs: 3_600_000 },
    },
    cogrpc: { coldStartMs: 0 },
    monitoring: { scenario: { requests: 2000, backendMs: { p50: 30, p99: 200 }, totalMs: { p50: 45, p99: 260 } } },
  },
  incident: {
    // GCP's default backend timeout, a few deliveries stuck in front of the gateway, CogRPC scaled to zero.
    poweb: {
      backend: { latencyMs: 20, jitterMs: 30, stallFraction: 0 },
      lb: { latencyMs: 5, jitterMs: 10, stallFraction: 0.05, stallMs: 31_000, backendTimeoutMs: 30_000 },
    },
    cogrpc: { coldStartMs: 14_000, scaleToZero: true },
    monitoring: {
      scenario: {
        requests: 2000,
        backendMs: { p50: 40, p99: 200 },
        totalMs: { p50: 60, p95: 400, p99: 31_000 },
        responseCodes: { 401: 0.98, 502: 0.02 },
      },
    },
  },
} satisfies Record<string, StandInsPatch>;

export interface DiagnoseStandInsOptions {
  /** The sandbox's CA, so one ca.pem covers every stand-in; made here when absent. */
  ca?: LocalCa;
  /** Where to write the CA certificate (PEM) clients must trust: the environment's `endpoints.caFile`. */
  caFile?: string;
  /** `project_id` the monitoring stand-in answers for; default `gwctl-sandbox`. */
  project?: string;
  lb?: Partial<LbIdentity>;
  /** Applied over the `healthy` preset. */
  config?: StandInsPatch;
  log?: RequestLog;
  /** Cloud Monitoring: alerting configuration the project starts with, injected faults, how often uptime checks run. */
  monitoring?: { seed?: MonitoringSeed; faults?: FaultInjector; uptimeIntervalMs?: number };
  /** Cloud Storage usage for the monitoring stand-in's object_count and total_bytes (see MonitoringStandInOptions). */
  storage?: MonitoringStandInOptions['storage'];
}

/** What `diagnose parcels` needs, as the environment names it. */
export interface DiagnoseStandIns {
  /** `endpoints.poweb`: https://127.0.0.1:<port>, the LB stand-in in front of the PoWeb stand-in. */
  poweb: string;
  /** `endpoints.cogrpc`: localhost:<port> (TLS). */
  cogrpc: string;
  /** `emulators.monitoring`: 127.0.0.1:<port>, insecure gRPC. */
  monitoring: string;
  /** The CA to trust (written to `caFile` when one was given). */
  caPem: string;
  /** `monitoring.urlMaps` / `backendServices`: the label values the monitoring stand-in reports. */
  lb: LbIdentity;
  /** The servers themselves, for tests and finer control. */
  servers: { ca: LocalCa; poweb: PowebStandIn; cogrpc: CogrpcStandIn; monitoring: MonitoringStandIn };
  config(): StandInsConfig;
  /** Also reachable over HTTPS: `PUT <poweb>/_emulator/config` with the same JSON. */
  configure(patch: StandInsPatch): StandInsConfig;
  close(): Promise<void>;
}

/**
 * The three stand-ins `gwctl diagnose parcels` measures, wired together: what the PoWeb LB stand-in serves
 * is recorded by the Cloud Monitoring stand-in, next to the configured synthetic traffic.
 */
export async function startDiagnoseStandIns(opts: DiagnoseStandInsOptions = {}): Promise<DiagnoseStandIns> {
  const ca = opts.ca ?? (await createLocalCa());
  const tls = { key: ca.keyPem, cert: ca.certPem };
  // Its uptime checkers trust the local CA, as Google's trust the public ones the real endpoints use.
  const monitoring = await startMonitoringStandIn({
    lb: { projectId: opts.project ?? 'gwctl-sandbox', ...opts.lb },
    log: opts.log,
    uptimeCa: ca.caPem,
    ...opts.monitoring,
    ...(opts.storage ? { storage: opts.storage } : {}),
  });
  const cogrpc = await startCogrpcStandIn({ tls }).catch(async (err: unknown) => {
    await monitoring.close();
    throw err;
  });
  const poweb = await startPowebStandIn({
    tls,
    log: opts.log,
    onServed: (o) =>
      monitoring.record({
        time: o.time,
        totalMs: o.totalMs,
        responseCode: o.responseCode,
        ...(o.backendMs === undefined ? {} : { backendMs: o.backendMs }),
      }),
    control: { read: () => config(), apply: (patch) => configure(patch as StandInsPatch) },
  }).catch(async (err: unknown) => {
    await Promise.all([monitoring.close(), cogrpc.close()]);
    throw err;
  });

  function config(): StandInsConfig {
    return { poweb: poweb.config(), cogrpc: cogrpc.config(), monitoring: { scenario: monitoring.scenario() ?? null } };
  }
  function configure(patch: StandInsPatch): StandInsConfig {
    const p = standInsPatchSchema.parse(patch);
    if (p.poweb) poweb.configure(p.poweb);
    if (p.cogrpc) {
      const { scaleToZero, ...coldStart } = p.cogrpc;
      cogrpc.configure(coldStart);
      if (scaleToZero) cogrpc.scaleToZero();
    }
    if (p.monitoring && 'scenario' in p.monitoring) monitoring.setScenario(p.monitoring.scenario ?? undefined);
    return config();
  }

  configure(STAND_IN_PRESETS.healthy);
  if (opts.config) configure(opts.config);

  if (opts.caFile) {
    makePrivateDir(dirname(opts.caFile));
    writePrivateFile(opts.caFile, ca.caPem);
  }
  return {
    poweb: poweb.url,
    cogrpc: cogrpc.address,
    monitoring: monitoring.address,
    caPem: ca.caPem,
    lb: monitoring.lb,
    servers: { ca, poweb, cogrpc, monitoring },
    config,
    configure,
    close: async () => {
      await Promise.all([poweb.close(), cogrpc.close(), monitoring.close()]);
    },
  };
}
