import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:net';
import { rootCertificates } from 'node:tls';
import type { ConfigStore } from './config-store.js';
import { durationSeconds } from './config-store.js';
import type { StoredSeries } from './lb-metrics.js';
import type { UptimeCheckConfig } from './uptime-checks.js';

/** Where the emulator says its checks ran from (`checker_location`): one probe, reported for each. */
export const CHECKER_LOCATIONS = ['usa-iowa', 'eur-belgium', 'apac-singapore'];
const KEPT_POINTS = 60;

/**
 * Runs the uptime checks: HTTP(S) GET or a TCP connect to the check's host, and writes what Cloud Monitoring
 * writes (https://cloud.google.com/monitoring/uptime-checks): `uptime_check/check_passed` (GAUGE BOOL) and
 * `uptime_check/request_latency` (GAUGE DOUBLE, ms) on `uptime_url`, labelled `check_id`, `checker_location`.
 * Only loopback hosts are probed (this machine's stand-ins); any other host gets no results.
 */
export class UptimeRunner {
  private readonly series = new Map<string, StoredSeries>();

  constructor(
    private readonly store: ConfigStore<UptimeCheckConfig>,
    /** CA certificates the checkers trust besides the public ones (the sandbox's local CA). */
    private readonly ca?: string,
  ) {}

  /** The series written so far, for ListTimeSeries. */
  all(): StoredSeries[] {
    return [...this.series.values()];
  }

  /** Runs every check of every project once, now. */
  async runAll(projects: () => string[]): Promise<void> {
    const checks = projects().flatMap((p) => this.store.list(p).map((c) => ({ project: p, c })));
    await Promise.all(checks.map(({ project, c }) => this.run(project, c)));
  }

  private async run(project: string, c: UptimeCheckConfig): Promise<void> {
    const host = c.monitoredResource?.labels?.host;
    if (c.monitoredResource?.type !== 'uptime_url' || !host || !isLoopback(host)) return;
    const timeoutMs = (durationSeconds(c.timeout) ?? 10) * 1000;
    const started = performance.now();
    const passed = await probe(c, host, timeoutMs, this.ca);
    const latencyMs = performance.now() - started;
    const now = Date.now();
    const id = c.name!.split('/').pop()!;
    for (const location of CHECKER_LOCATIONS) {
      this.add(project, 'monitoring.googleapis.com/uptime_check/check_passed', id, host, location, now, passed, 'BOOL');
      this.add(
        project,
        'monitoring.googleapis.com/uptime_check/request_latency',
        id,
        host,
        location,
        now,
        latencyMs,
        'DOUBLE',
      );
    }
  }

  private add(
    project: string,
    type: string,
    checkId: string,
    host: string,
    location: string,
    at: number,
    value: boolean | number,
    valueType: 'BOOL' | 'DOUBLE',
  ) {
    const key = `${project}|${type}|${checkId}|${location}`;
    let s = this.series.get(key);
    if (!s) {
      s = {
        metric: { type, labels: { check_id: checkId, checker_location: location, checked_resource_id: host } },
        resource: { type: 'uptime_url', labels: { project_id: project, host } },
        metricKind: 'GAUGE',
        valueType,
        unit: valueType === 'BOOL' ? '' : 'ms',
        points: [],
      };
      this.series.set(key, s);
    }
    s.points.push({ startMs: at, endMs: at, value });
    if (s.points.length > KEPT_POINTS) s.points.splice(0, s.points.length - KEPT_POINTS);
  }

  clear(): void {
    this.series.clear();
  }
}

const isLoopback = (host: string) => /^(127\.\d+\.\d+\.\d+|localhost|\[?::1\]?)$/.test(host);

function probe(c: UptimeCheckConfig, host: string, timeoutMs: number, ca: string | undefined): Promise<boolean> {
  if (c.tcpCheck) {
    return new Promise((resolve) => {
      const socket = connect({ host, port: c.tcpCheck!.port! });
      const end = (ok: boolean) => {
        socket.destroy();
        resolve(ok);
      };
      socket.setTimeout(timeoutMs, () => end(false));
      socket.once('connect', () => end(true));
      socket.once('error', () => end(false));
    });
  }
  const h = c.httpCheck!;
  const request = h.useSsl ? httpsRequest : httpRequest;
  return new Promise((resolve) => {
    const req = request(
      {
        host,
        port: h.port,
        path: h.path,
        method: h.requestMethod === 'POST' ? 'POST' : 'GET',
        timeout: timeoutMs,
        headers: (h.headers as Record<string, string> | undefined) ?? {},
        // validate_ssl false (the default) accepts any certificate, as Google's checkers do.
        rejectUnauthorized: Boolean(h.validateSsl),
        ...(ca ? { ca: [...rootCertificates, ca] } : {}),
      },
      (res) => {
        res.resume();
        resolve(accepted(res.statusCode ?? 0, h.acceptedResponseStatusCodes));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve(false));
    req.end();
  });
}

/** "If empty, the HTTP status code will only pass if the HTTP status code is 200-299" (HttpCheck). */
function accepted(status: number, codes: Array<{ statusValue?: number; statusClass?: string }> | undefined): boolean {
  if (!codes?.length) return status >= 200 && status < 300;
  return codes.some((c) => {
    if (c.statusValue) return c.statusValue === status;
    if (c.statusClass === 'STATUS_CLASS_ANY') return true;
    const cls = Number(/STATUS_CLASS_(\d)XX/.exec(c.statusClass ?? '')?.[1]);
    return Math.floor(status / 100) === cls;
  });
}
