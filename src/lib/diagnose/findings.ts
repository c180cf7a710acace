import type { CogrpcProbeResult } from './cogrpc-probe.js';
import { formatCounts, formatMs, formatShare, formatWindow } from './format.js';
import { EXPECTED_STATUS, type HttpProbeResult, type HttpSample, type HttpTargetSummary } from './http-probe.js';
import type { MonitoringProbeResult } from './monitoring-probe.js';
import type { ProbeName } from './probe-outcome.js';
import type { WebsocketProbeResult } from './websocket-probe.js';

export interface Finding {
  severity: 'error' | 'warning';
  code: string;
  probe: ProbeName;
  /** What was measured, in plain words. */
  message: string;
  /** What to do about it. */
  fix: string;
}

/** Where "normal" ends. Policy, not measurement: kept apart so it can be tuned and tested. */
export interface FindingThresholds {
  /** A parcel delivery (or a backend answer) slower than this is slow. */
  slowMs: number;
  /** A first CogRPC call is a cold start when at least this slow… */
  coldStartMinMs: number;
  /** …and this many times slower than the warm calls. */
  coldStartRatio: number;
  /** LB total p99 exceeding backend p99 by at least this much… */
  lbGapMinMs: number;
  /** …and by this factor means the time goes to the LB/network. */
  lbGapRatio: number;
  /** Share of 5xx answers at the LB worth reporting. */
  serverErrorShare: number;
}

export const DEFAULT_THRESHOLDS: FindingThresholds = {
  slowMs: 1000,
  coldStartMinMs: 500,
  coldStartRatio: 10,
  lbGapMinMs: 1000,
  lbGapRatio: 2,
  serverErrorShare: 0.01,
};

export interface Measurements {
  http?: HttpProbeResult;
  websocket?: WebsocketProbeResult;
  cogrpc?: CogrpcProbeResult;
  monitoring?: MonitoringProbeResult;
}

/** GCP's default backend service timeout: a cut close to it means nobody changed the default. */
const GCP_DEFAULT_TIMEOUT_MS = 30_000;

/** Everything wrong that the measurements show, most severe first. Nothing here is assumed: each finding quotes what was measured. */
export function deriveFindings(m: Measurements, t: FindingThresholds = DEFAULT_THRESHOLDS): Finding[] {
  const findings = [
    ...(m.http ? httpFindings(m.http, m.monitoring, t) : []),
    ...(m.websocket ? websocketFindings(m.websocket) : []),
    ...(m.cogrpc ? cogrpcFindings(m.cogrpc, t) : []),
    ...(m.monitoring ? monitoringFindings(m.monitoring, t) : []),
  ];
  return findings.sort((a, b) => (a.severity === b.severity ? 0 : a.severity === 'error' ? -1 : 1));
}

function httpFindings(
  http: HttpProbeResult,
  monitoring: MonitoringProbeResult | undefined,
  t: FindingThresholds,
): Finding[] {
  const findings: Finding[] = [];
  for (const target of http.targets) {
    const what =
      target.target === 'POST /v1/parcels' ? 'parcel deliveries (POST /v1/parcels)' : 'health checks (GET /)';
    if (target.timeouts > 0) {
      const backendP99 = monitoring?.backend?.p99?.valueMs;
      findings.push({
        severity: 'error',
        code: 'http-timeouts',
        probe: 'http',
        message: `${target.timeouts} of ${target.requests} ${what} got no response within ${formatMs(http.timeoutMs)}`,
        fix:
          backendP99 !== undefined && backendP99 < t.slowMs
            ? `the gateway answers its load balancer fast (backend p99 ${formatMs(backendP99)}), so the requests stall in front of it: check the LB's logs for these requests' statusDetails and its backend service timeout`
            : `check whether the gateway or the load balancer holds the requests: compare backend and total latencies (monitoring probe) and the LB's logs for these requests' statusDetails`,
      });
    }
    const unexpected = unexpectedStatuses(target);
    if (Object.keys(unexpected).length > 0) {
      const expected = EXPECTED_STATUS[target.target];
      const worst = Number(Object.entries(unexpected).sort(([, a], [, b]) => b - a)[0]![0]);
      findings.push({
        severity: 'error',
        code: 'http-unexpected-status',
        probe: 'http',
        message: `${target.target}${target.target === 'POST /v1/parcels' ? ' without a countersignature' : ''} answered ${formatCounts(unexpected)}; a healthy gateway answers ${expected}`,
        fix: statusFix(worst, target.target, http.samples),
      });
    }
    if (target.errors > 0) {
      const errors = Object.fromEntries(
        Object.entries(target.statuses).filter(([k]) => !/^\d+$/.test(k) && k !== 'timeout'),
      );
      findings.push({
        severity: target.errors === target.requests ? 'error' : 'warning',
        code: 'http-connection-errors',
        probe: 'http',
        message: `${target.errors} of ${target.requests} ${what} failed without a response: ${formatCounts(errors)}`,
        fix: 'connections were dropped or refused part of the time: check the load balancer logs and whether PoWeb pods restarted (kubectl get pods)',
      });
    }
    const total = target.latency.total;
    if (total && total.p99 > t.slowMs) {
      const slowest = slowestSample(http.samples, target.target);
      const [phase, phaseMs] = slowest ? dominantPhase(slowest) : ['waiting for the first byte', total.p99];
      findings.push({
        severity: 'warning',
        code: 'http-slow',
        probe: 'http',
        message: `${what}: p99 ${formatMs(total.p99)} (p50 ${formatMs(total.p50)}); the slowest spent ${formatMs(phaseMs)} ${phase}`,
        fix: phaseFix(phase),
      });
    }
  }
  return findings;
}

function unexpectedStatuses(target: HttpTargetSummary): Record<string, number> {
  return Object.fromEntries(
    Object.entries(target.statuses).filter(([k]) => /^\d+$/.test(k) && Number(k) !== EXPECTED_STATUS[target.target]),
  );
}

function statusFix(status: number, target: HttpTargetSummary['target'], samples: HttpSample[]): string {
  if (status === 502 || status === 504) {
    const late = samples.filter((s) => s.status === status && s.timings.totalMs >= 0.9 * GCP_DEFAULT_TIMEOUT_MS).length;
    if (late > 0)
      return `${status} after about ${formatMs(GCP_DEFAULT_TIMEOUT_MS)} is the load balancer giving up on the backend (backend_timeout): find why PoWeb is slow, or raise the BackendConfig timeoutSec`;
  }
  if (status >= 500)
    return 'the load balancer could not get a good answer from PoWeb: check the PoWeb pods (kubectl get pods), their readiness probes and the LB backend health';
  if (status === 404)
    return 'the URL map does not send this path to PoWeb: check the Ingress rules and endpoints.poweb';
  if (status === 415)
    return 'something between gwctl and the gateway changed the Content-Type: check proxies in front of the load balancer';
  if (status >= 300 && status < 400) return 'the endpoint redirects: set endpoints.poweb to the final https:// address';
  if (status >= 200 && status < 300 && target === 'POST /v1/parcels')
    return 'an unauthenticated parcel was accepted: make sure endpoints.poweb is really the Awala gateway';
  if (status === 403 || status === 429)
    return 'something in front of the gateway (Cloud Armor, a WAF, rate limiting) is refusing the probe: check its rules';
  return 'check the PoWeb logs for these requests';
}

function slowestSample(samples: HttpSample[], target: HttpSample['target']): HttpSample | undefined {
  return samples
    .filter((s) => s.target === target && s.status !== undefined)
    .sort((a, b) => b.timings.totalMs - a.timings.totalMs)[0];
}

/** The phase that took longest in one request, from curl-style cumulative timings. */
export function dominantPhase(s: HttpSample): [string, number] {
  const { dnsMs = 0, connectMs = dnsMs, tlsMs = connectMs, ttfbMs = tlsMs, totalMs } = s.timings;
  const phases: Array<[string, number]> = [
    ['resolving DNS', dnsMs],
    ['connecting (TCP)', connectMs - dnsMs],
    ['in the TLS handshake', tlsMs - connectMs],
    ['waiting for the first byte', ttfbMs - tlsMs],
    ['receiving the response', totalMs - ttfbMs],
  ];
  return phases.sort((a, b) => b[1] - a[1])[0]!;
}

function phaseFix(phase: string): string {
  if (phase === 'resolving DNS') return 'DNS is slow from here: check the resolver this host uses';
  if (phase === 'connecting (TCP)' || phase === 'in the TLS handshake')
    return 'connection setup is slow: check the network path to the load balancer (and its region) from here';
  return 'the wait is after the request was sent: the monitoring probe splits it into load balancer and gateway time';
}

function websocketFindings(ws: WebsocketProbeResult): Finding[] {
  const findings: Finding[] = [];
  if (ws.closedBy === 'cut') {
    const nearDefault =
      Math.abs(ws.openMs - GCP_DEFAULT_TIMEOUT_MS) <= 1500
        ? ` (GCP's default is ${formatMs(GCP_DEFAULT_TIMEOUT_MS)})`
        : '';
    findings.push({
      severity: 'error',
      code: 'websocket-cut-by-lb',
      probe: 'websocket',
      message: `websocket closed by the load balancer after ${formatMs(ws.openMs)}: the connection ended without a close frame (${ws.code}), as a GCP load balancer ends a websocket when its backend service timeout elapses${nearDefault}`,
      fix: 'raise the BackendConfig `timeoutSec` of the PoWeb backend service (e.g. 3600), or serve /v1/parcel-collection from its own backend service with a long timeout',
    });
  }
  if (ws.closedBy === 'server') {
    findings.push({
      severity: 'error',
      code: 'websocket-closed-by-server',
      probe: 'websocket',
      message: `websocket closed by the server after ${formatMs(ws.openMs)} with ${ws.code}${ws.reason ? ` "${ws.reason}"` : ''}; keep-alive collection should stay open`,
      fix: closeCodeFix(ws.code),
    });
  }
  if (ws.challengeMs === undefined && ws.closedBy !== 'server') {
    findings.push({
      severity: 'warning',
      code: 'websocket-no-challenge',
      probe: 'websocket',
      message: `the websocket opened but no handshake challenge arrived in ${formatMs(ws.openMs)}; the gateway sends one at once`,
      fix: 'the upgrade reached something other than PoWeb parcel collection: check the Ingress routes /v1/parcel-collection to PoWeb',
    });
  }
  return findings;
}

function closeCodeFix(code: number): string {
  if (code === 1008)
    return 'the gateway refuses requests with an Origin header: a proxy in front of it adds one; stop it from doing so';
  if (code === 1011)
    return 'the gateway failed while streaming parcels: check the PoWeb logs and its NATS Streaming connection';
  if (code === 1001) return 'the gateway was going away (a restart or deploy): check PoWeb pod restarts';
  if (code === 1000)
    return 'the gateway ended a keep-alive collection: make sure proxies pass the X-Relaynet-Streaming-Mode header';
  return 'check the PoWeb logs at that time for the reason';
}

function cogrpcFindings(c: CogrpcProbeResult, t: FindingThresholds): Finding[] {
  const findings: Finding[] = [];
  const notServing = [c.firstCall, ...c.warmCalls].filter((call) => call.status !== 'SERVING');
  if (notServing.length > 0) {
    findings.push({
      severity: 'error',
      code: 'cogrpc-not-serving',
      probe: 'cogrpc',
      message: `CogRPC reports ${notServing[0]!.status} for ${c.service} (${notServing.length} of ${c.warmCalls.length + 1} checks)`,
      fix: 'check the CogRPC pods and their logs: the service is up but says it cannot serve',
    });
  }
  if (c.firstCall.ms >= t.coldStartMinMs && c.firstCall.ms >= t.coldStartRatio * c.warmMedianMs) {
    findings.push({
      severity: 'warning',
      code: 'cogrpc-cold-start',
      probe: 'cogrpc',
      message: `first CogRPC call ${formatMs(c.firstCall.ms)} vs warm ${formatMs(c.warmMedianMs)}: the service scaled to zero and started on demand`,
      fix: 'keep a minimum instance for CogRPC (e.g. minReplicas ≥ 1, or Cloud Run --min-instances=1)',
    });
  }
  return findings;
}

function monitoringFindings(mon: MonitoringProbeResult, t: FindingThresholds): Finding[] {
  const findings: Finding[] = [];
  const window = describeWindow(mon);
  if (!mon.total || mon.total.requests === 0) {
    findings.push({
      severity: 'warning',
      code: 'monitoring-no-data',
      probe: 'monitoring',
      message: `Cloud Monitoring has no load balancer requests ${window} for ${mon.filter}`,
      fix: 'check the monitoring labels in gwctl.yaml (urlMaps, forwardingRules, backendServices) against the LB, or widen --since',
    });
    return findings;
  }
  const totalP99 = mon.total.p99?.valueMs;
  const backendP99 = mon.backend?.p99?.valueMs;
  if (
    totalP99 !== undefined &&
    backendP99 !== undefined &&
    totalP99 - backendP99 >= t.lbGapMinMs &&
    totalP99 >= t.lbGapRatio * backendP99
  ) {
    findings.push({
      severity: 'warning',
      code: 'lb-latency-gap',
      probe: 'monitoring',
      message: `backend p99 ${formatMs(backendP99)} but total p99 ${formatMs(totalP99)} ${window}: time is spent in the LB/network, not the gateway`,
      fix: 'look up the slow requests in the LB logs (httpRequest.latency, statusDetails): long-lived websockets count their whole life here, and requests ending near the backend service timeout point at it; otherwise suspect slow clients or networks',
    });
  }
  if (backendP99 !== undefined && backendP99 > t.slowMs) {
    findings.push({
      severity: 'warning',
      code: 'backend-slow',
      probe: 'monitoring',
      message: `the gateway itself is slow: backend p99 ${formatMs(backendP99)} ${window}`,
      fix: "check the PoWeb pods' CPU and memory, and the latency of what it calls (MongoDB, NATS, object storage)",
    });
  }
  const all = Object.values(mon.requestsByClass).reduce((a, b) => a + b, 0);
  const errors5xx = mon.requestsByClass['500'] ?? 0;
  if (all > 0 && errors5xx / all >= t.serverErrorShare) {
    findings.push({
      severity: 'error',
      code: 'lb-5xx',
      probe: 'monitoring',
      message: `${formatShare(errors5xx, all)} of ${all} requests got a 5xx at the load balancer ${window}`,
      fix: "read the LB logs' statusDetails for them: backend_timeout, failed_to_connect_to_backend and response_sent_by_backend each point elsewhere",
    });
  }
  return findings;
}

const describeWindow = (mon: MonitoringProbeResult) =>
  `over the last ${formatWindow(Date.parse(mon.until) - Date.parse(mon.since))}`;
