import { readFileSync } from 'node:fs';
import { openCogrpcHealth, type CogrpcHealthClient } from '../cloud/cogrpc-health.js';
import { openMonitoring, type MonitoringReader } from '../cloud/monitoring.js';
import type { Environment } from '../config/schema.js';
import { ExitCode, UsageError } from '../errors/gwctl-error.js';
import { probeCogrpc, type CogrpcProbeResult } from './cogrpc-probe.js';
import { deriveFindings, DEFAULT_THRESHOLDS, type Finding, type FindingThresholds } from './findings.js';
import { probeHttp, type HttpProbeResult } from './http-probe.js';
import { probeMonitoring, type MonitoringProbeResult } from './monitoring-probe.js';
import { PROBE_NAMES, ProbeFailure, runProbe, type ProbeName, type ProbeOutcome } from './probe-outcome.js';
import { evaluateSlo, type SloObjective, type SloVerdict } from './slo.js';
import { probeWebsocket, type WebsocketProbeResult } from './websocket-probe.js';

/** Just above GCP's default 30 s backend timeout, so a request the LB gives up on is seen as such. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 31_000;

export interface DiagnoseOptions {
  /** Requests per HTTP target. */
  requests: number;
  rate?: number;
  concurrency?: number;
  holdMs: number;
  sinceMs: number;
  skip: ReadonlySet<ProbeName>;
  slo: readonly SloObjective[];
  requestTimeoutMs?: number;
  cogrpcWarmCalls?: number;
  cogrpcDeadlineMs?: number;
  thresholds?: FindingThresholds;
  /** Advanced as requests finish and the hold elapses (quiet progress bars accept this too). */
  progress?: { setTotal(total: number): void; tick(n?: number): void };
}

/** The I/O the diagnosis does besides its own sockets; tests swap parts of it. */
export interface DiagnoseIo {
  openMonitoring: (env: Environment) => Promise<MonitoringReader>;
  openCogrpcHealth: (opts: { address: string; caPem?: string }) => Promise<CogrpcHealthClient>;
  readCa: (file: string) => string;
  now: () => Date;
}

export const defaultIo: DiagnoseIo = {
  openMonitoring,
  openCogrpcHealth,
  readCa: (file) => readFileSync(file, 'utf8'),
  now: () => new Date(),
};

export interface DiagnosisReport {
  env: string;
  startedAt: string;
  finishedAt: string;
  probes: {
    http: ProbeOutcome<HttpProbeResult>;
    websocket: ProbeOutcome<WebsocketProbeResult>;
    cogrpc: ProbeOutcome<CogrpcProbeResult>;
    monitoring: ProbeOutcome<MonitoringProbeResult>;
  };
  findings: Finding[];
  slo?: SloVerdict;
  /** 4 when an SLO is breached, else 1 when a probe failed, else 0. */
  exitCode: number;
}

/**
 * Measures the environment's parcel delivery and collection path. Each probe fails on its own, so one
 * unreachable endpoint costs one line, not the whole report.
 *
 * Order matters because probes share this process's event loop: Cloud Monitoring goes first (loading its
 * SDK and decoding its answers is CPU-heavy and would stall other probes' timings), then the websocket is
 * held in the background (idle once open) while HTTP and then CogRPC are timed one after the other.
 */
export async function diagnose(
  env: Environment,
  opts: DiagnoseOptions,
  io: DiagnoseIo = defaultIo,
): Promise<DiagnosisReport> {
  const startedAt = io.now();
  const timeoutMs = opts.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const { poweb, cogrpc, caFile } = env.endpoints;
  const lb = env.monitoring;
  const holdSeconds = Math.ceil(opts.holdMs / 1000);
  const on = (probe: ProbeName) => !opts.skip.has(probe);
  refuseNothingToMeasure(env, opts);
  const runsHttp = on('http') && poweb;
  const runsWebsocket = on('websocket') && poweb;
  const runsCogrpc = on('cogrpc') && cogrpc;
  const runsMonitoring = on('monitoring') && monitoringConfigured(env);
  opts.progress?.setTotal(
    (runsHttp ? 2 * opts.requests : 0) +
      (runsWebsocket ? holdSeconds : 0) +
      (runsCogrpc ? 1 : 0) +
      (runsMonitoring ? 1 : 0),
  );

  let ca: { pem?: string; error?: string } | undefined;
  const caPem = (): string | undefined => {
    if (!caFile) return undefined;
    ca ??= readCa(io, caFile);
    if (ca.error) throw new ProbeFailure(ca.error);
    return ca.pem;
  };
  const skipped = (probe: ProbeName, missing: string): ProbeOutcome<never> => ({
    status: 'skipped',
    reason: on(probe) ? `no ${missing} for ${env.name}` : `--skip ${probe}`,
  });
  const ticking = <T>(outcome: Promise<ProbeOutcome<T>>) => outcome.finally(() => opts.progress?.tick());

  const monitoring = !runsMonitoring
    ? skipped('monitoring', 'monitoring.urlMaps, forwardingRules or backendServices')
    : await ticking(
        runProbe(async () => {
          const failed = (err: unknown) =>
            new ProbeFailure(`Cloud Monitoring (project ${env.project}): ${(err as Error).message}`);
          const reader = await io.openMonitoring(env).catch((err: unknown) => Promise.reject(failed(err)));
          try {
            const until = io.now();
            return await probeMonitoring(reader, lb, { since: new Date(until.getTime() - opts.sinceMs), until });
          } catch (err) {
            throw failed(err);
          } finally {
            await reader.close();
          }
        }),
      );

  const websocketHeld = !runsWebsocket
    ? Promise.resolve(skipped('websocket', 'endpoints.poweb'))
    : runProbe(() =>
        withTicks(opts.progress, holdSeconds, () =>
          probeWebsocket({ baseUrl: poweb, caPem: caPem(), holdMs: opts.holdMs, timeoutMs }),
        ),
      );

  const http = !runsHttp
    ? skipped('http', 'endpoints.poweb')
    : await runProbe(() =>
        probeHttp({
          baseUrl: poweb,
          caPem: caPem(),
          requests: opts.requests,
          rate: opts.rate,
          concurrency: opts.concurrency,
          timeoutMs,
          onSample: () => opts.progress?.tick(),
        }),
      );

  const cogrpcOutcome = !runsCogrpc
    ? skipped('cogrpc', 'endpoints.cogrpc')
    : await ticking(
        runProbe(async () => {
          const client = await io.openCogrpcHealth({ address: cogrpc, caPem: caPem() });
          return probeCogrpc({
            address: cogrpc,
            warmCalls: opts.cogrpcWarmCalls ?? 3,
            deadlineMs: opts.cogrpcDeadlineMs ?? 60_000,
            client,
          });
        }),
      );

  const websocket = await websocketHeld;

  const measured = <T>(o: ProbeOutcome<T>) => (o.status === 'ok' ? o.result : undefined);
  const findings = deriveFindings(
    {
      http: measured(http),
      websocket: measured(websocket),
      cogrpc: measured(cogrpcOutcome),
      monitoring: measured(monitoring),
    },
    opts.thresholds ?? DEFAULT_THRESHOLDS,
  );
  const slo = evaluateSlo(opts.slo, http);
  const probes = { http, websocket, cogrpc: cogrpcOutcome, monitoring };
  return {
    env: env.name,
    startedAt: startedAt.toISOString(),
    finishedAt: io.now().toISOString(),
    probes,
    findings,
    ...(slo ? { slo } : {}),
    exitCode: slo?.breached
      ? ExitCode.sloBreach
      : Object.values(probes).some((p) => p.status === 'failed')
        ? ExitCode.runtime
        : ExitCode.ok,
  };
}

/** Fails fast, before any waiting, when the flags or the environment leave nothing to measure. */
function refuseNothingToMeasure(env: Environment, opts: DiagnoseOptions): void {
  const { poweb, cogrpc } = env.endpoints;
  const runnable: Record<ProbeName, boolean> = {
    http: Boolean(poweb),
    websocket: Boolean(poweb),
    cogrpc: Boolean(cogrpc),
    monitoring: monitoringConfigured(env),
  };
  if (opts.slo.length > 0 && opts.skip.has('http'))
    throw new UsageError('--slo applies to parcel delivery, which --skip http turns off');
  const wanted = PROBE_NAMES.filter((p) => !opts.skip.has(p));
  if (wanted.length === 0) throw new UsageError('--skip leaves no probe to run');
  if (!wanted.some((p) => runnable[p])) {
    if (env.name === 'sandbox')
      throw new UsageError(
        'nothing to measure: the sandbox is not running; start it with `gwctl sandbox start --detach`',
      );
    throw new UsageError(
      `nothing to measure in ${env.name}: set endpoints.poweb, endpoints.cogrpc or monitoring.urlMaps in gwctl.yaml`,
    );
  }
}

/** Labels select the LB; a stopped sandbox has labels but no emulator, and must not reach the real API. */
function monitoringConfigured(env: Environment): boolean {
  const lb = env.monitoring;
  const labelled = lb.urlMaps.length + lb.forwardingRules.length + lb.backendServices.length > 0;
  return labelled && (env.name !== 'sandbox' || Boolean(env.emulators?.monitoring));
}

function readCa(io: DiagnoseIo, file: string): { pem?: string; error?: string } {
  try {
    return { pem: io.readCa(file) };
  } catch (err) {
    return {
      error: `cannot read endpoints.caFile ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
    };
  }
}

/** Ticks once a second while the websocket is held, then makes up the rest. */
async function withTicks<T>(progress: DiagnoseOptions['progress'], seconds: number, run: () => Promise<T>): Promise<T> {
  let ticked = 0;
  const timer = setInterval(() => {
    if (ticked < seconds - 1) {
      ticked += 1;
      progress?.tick();
    }
  }, 1000);
  try {
    return await run();
  } finally {
    clearInterval(timer);
    progress?.tick(seconds - ticked);
  }
}
