import type { ChalkInstance } from 'chalk';
import { renderTable } from '../ui/table.js';
import type { Drift } from './drift.js';
import type { VerifyReport } from './run.js';

const MAX_CELL = 72;

/** The drift table (stdout): object, field, code value, live value, and the gwctl change that explains it. */
export function renderDriftTable(drifts: Drift[], color: ChalkInstance): string {
  return renderTable(drifts, [
    { header: 'object', get: (d) => d.object },
    { header: 'field', get: (d) => d.field },
    { header: 'code', get: (d) => formatValue(d.code) },
    { header: 'live', get: (d) => formatValue(d.live) },
    {
      header: 'explained by',
      get: (d) =>
        d.explainedBy
          ? `#${d.explainedBy.seq} ${d.explainedBy.command} by ${d.explainedBy.operator} at ${d.explainedBy.time}`
          : color.red('UNEXPLAINED'),
    },
  ]);
}

/** The one-line verdict (stderr). */
export function renderVerdict(report: VerifyReport, color: ChalkInstance): string {
  const c = report.counts;
  const compared = [
    c.kubeObjects || report.code.manifests
      ? `${c.kubeObjects} Kubernetes objects (${c.listCalls} lists, ${c.listed} live objects read)`
      : '',
    report.code.terraformState ? `${c.buckets} buckets` : '',
  ]
    .filter(Boolean)
    .join(' and ');
  if (report.result === 'clean')
    return `${color.green('✓')} ${report.env}: live matches the code; compared ${compared}`;
  return `${color.red('✗')} ${report.env}: ${c.drifts} drift(s) from the code, ${c.unexplained ? color.red(`${c.unexplained} unexplained`) : '0 unexplained'}; compared ${compared}`;
}

/** A value as one short cell: lifecycle rules in brief, other structures as compact JSON. */
export function formatValue(v: unknown): string {
  if (v === undefined) return '(absent)';
  if (Array.isArray(v) && v.length === 0) return '(none)';
  if (typeof v === 'string') return truncate(v);
  if (Array.isArray(v) && v.length > 0 && v.every(isRule)) return truncate(v.map(formatRule).join('; '));
  return truncate(JSON.stringify(v));
}

type Rule = { action: { type: string; storageClass?: string }; condition: Record<string, unknown> };
const isRule = (r: unknown): r is Rule =>
  typeof r === 'object' && r !== null && 'action' in r && 'condition' in r && typeof (r as Rule).action === 'object';
const formatRule = (r: Rule) =>
  `${r.action.type}${r.action.storageClass ? `→${r.action.storageClass}` : ''} ${Object.entries(r.condition)
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join(',') : String(v)}`)
    .join(' ')}`;

const truncate = (s: string) => (s.length > MAX_CELL ? `${s.slice(0, MAX_CELL - 1)}…` : s);
