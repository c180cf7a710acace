import type { ChalkInstance } from 'chalk';
import { renderTable } from '../ui/table.js';
import type { DiagnosisReport } from './diagnosis.js';
import { formatCounts, formatMs, formatWindow } from './format.js';
import type { HttpProbeResult } from './http-probe.js';
import type { LatencySummary } from './percentiles.js';
import type { ProbeName, ProbeOutcome } from './probe-outcome.js';
import type { WebsocketProbeResult } from './websocket-probe.js';

const PHASES = [
  ['dns', 'DNS'],
  ['connect', 'connect'],
  ['tls', 'TLS'],
  ['ttfb', 'first byte'],
  ['total', 'total'],
] as const;

/** The human report: a section per probe, then findings with their fix, then the SLO verdict. */
export function renderReport(report: DiagnosisReport, c: ChalkInstance): string {
  const out: string[] = [];
  const section = (title: string) => out.push('', c.bold(title));
  const outcome = <T>(name: ProbeName, o: ProbeOutcome<T>, render: (r: T) => void) => {
    if (o.status === 'ok') return render(o.result);
    if (o.status === 'failed') out.push(`${c.red('✗')} ${name}: ${o.error}`);
    else out.push(c.dim(`– ${name}: skipped (${o.reason})`));
  };

  section('PoWeb HTTP');
  outcome('http', report.probes.http, (r) => out.push(...renderHttp(r)));
  section('Parcel collection websocket');
  outcome('websocket', report.probes.websocket, (r) => out.push(renderWebsocket(r)));
  section('CogRPC');
  outcome('cogrpc', report.probes.cogrpc, (r) =>
    out.push(
      `${r.address} ${r.service}: connect ${formatMs(r.connectMs)}, first call ${formatMs(r.firstCall.ms)} (${r.firstCall.status}), warm median ${formatMs(r.warmMedianMs)} over ${r.warmCalls.length} call(s)`,
    ),
  );
  section('Load balancer (Cloud Monitoring)');
  outcome('monitoring', report.probes.monitoring, (r) => {
    const rows = (
      [
        ['total (LB)', r.total],
        ['backend (gateway)', r.backend],
      ] as const
    ).map(([name, l]) => ({ name, l }));
    out.push(`over the last ${formatWindow(Date.parse(r.until) - Date.parse(r.since))}, ${r.filter}`);
    out.push(
      renderTable(rows, [
        { header: 'latency', get: (x) => x.name },
        { header: 'requests', get: (x) => x.l?.requests ?? 0, align: 'right' },
        { header: 'p50', get: (x) => formatMs(x.l?.p50?.valueMs), align: 'right' },
        { header: 'p95', get: (x) => formatMs(x.l?.p95?.valueMs), align: 'right' },
        { header: 'p99', get: (x) => formatMs(x.l?.p99?.valueMs), align: 'right' },
      ]),
    );
    const classes = Object.fromEntries(
      Object.entries(r.requestsByClass).map(([k, n]) => [k === '0' ? 'no response' : `${k[0]}xx`, n]),
    );
    out.push(`requests by response class: ${formatCounts(classes) || 'none'}`);
    out.push(
      c.dim(
        'percentiles are read from the metric’s buckets: each is known to within its bucket (LB latency buckets are 40 % wide)',
      ),
    );
  });

  section('Findings');
  if (report.findings.length === 0) out.push(`${c.green('✓')} nothing wrong in what was measured`);
  for (const f of report.findings) {
    out.push(`${f.severity === 'error' ? c.red('✗') : c.yellow('!')} ${f.message}`);
    out.push(`  ${c.bold('fix:')} ${f.fix}`);
  }

  if (report.slo) {
    section(`SLO (${report.slo.target}, total time)`);
    for (const check of report.slo.checks) {
      const measured = check.measuredMs === null ? 'no response' : formatMs(check.measuredMs);
      out.push(`${check.met ? c.green('✓') : c.red('✗')} ${check.objective}: measured ${measured}`);
    }
    if (report.slo.note) out.push(c.dim(`  (${report.slo.note})`));
    out.push(report.slo.breached ? c.red.bold('SLO breached') : c.green('SLO met'));
  }
  return out.join('\n').replace(/^\n/, '');
}

function renderHttp(r: HttpProbeResult): string[] {
  const load = 'rate' in r.load ? `${r.load.rate}/s` : `${r.load.concurrency} at a time`;
  const lines = [
    `${r.baseUrl}: ${r.targets[0]?.requests ?? 0} request(s) per target, ${load}, each on a new connection, timeout ${formatMs(r.timeoutMs)}`,
  ];
  const rows = r.targets.flatMap((t) =>
    PHASES.map(([key, label], i) => ({
      target: i === 0 ? t.target : '',
      phase: label,
      s: t.latency[key] as LatencySummary | undefined,
    })),
  );
  lines.push(
    renderTable(rows, [
      { header: 'target', get: (x) => x.target },
      { header: 'phase (done at)', get: (x) => x.phase },
      { header: 'p50', get: (x) => formatMs(x.s?.p50), align: 'right' },
      { header: 'p90', get: (x) => formatMs(x.s?.p90), align: 'right' },
      { header: 'p99', get: (x) => formatMs(x.s?.p99), align: 'right' },
      { header: 'max', get: (x) => formatMs(x.s?.max), align: 'right' },
    ]),
  );
  for (const t of r.targets)
    lines.push(`${t.target}: ${formatCounts(t.statuses)}${t.timeouts ? `; ${t.timeouts} timed out` : ''}`);
  return lines;
}

function renderWebsocket(r: WebsocketProbeResult): string {
  const who = {
    client: 'gwctl at the end of the hold',
    server: 'the server (close frame)',
    cut: 'a connection cut, no close frame',
  }[r.closedBy];
  const challenge =
    r.challengeMs === undefined ? 'no handshake challenge' : `challenge after ${formatMs(r.challengeMs)}`;
  return `${r.url}: upgraded in ${formatMs(r.upgradeMs)}, ${challenge}; open ${formatMs(r.openMs)} of ${formatMs(r.holdMs)}; closed by ${who}, code ${r.code}${r.reason ? ` "${r.reason}"` : ''}`;
}
