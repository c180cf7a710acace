import type { AuditEntry } from '../audit/record.js';
import type { VerifyReport } from './run.js';

export const VERIFY_COMMAND = 'verify infra';

/** Drifts named in the record; the rest are counted, so one line stays a line. */
const MAX_LISTED = 100;

/**
 * The audit entry every run leaves: what code was compared (each file's SHA-256), a digest of the
 * live values compared, the counts and the verdict. A later `verify` of the log shows when the
 * environment last matched its code, and against which code.
 */
export function verificationEntry(report: VerifyReport, operator: string): AuditEntry {
  const c = report.counts;
  return {
    operator,
    command: VERIFY_COMMAND,
    env: report.env,
    planDigest: `sha256:${report.digests.code}`,
    summary:
      report.result === 'clean'
        ? `live matches the code (${c.kubeObjects} Kubernetes objects, ${c.buckets} buckets)`
        : `${c.drifts} drift(s) from the code, ${c.unexplained} unexplained`,
    result: 'applied',
    details: {
      verdict: report.result,
      counts: c,
      digests: report.digests,
      code: report.code,
      // Which fields, not their values (a Secret's, a bucket's labels): the values are for the operator's screen.
      drifts: report.drifts.slice(0, MAX_LISTED).map((d) => ({
        kind: d.kind,
        object: d.object,
        field: d.field,
        ...(d.explainedBy ? { explainedBy: d.explainedBy.seq } : {}),
      })),
      ...(report.drifts.length > MAX_LISTED ? { moreDrifts: report.drifts.length - MAX_LISTED } : {}),
    },
  };
}

/** A run that could not finish is recorded too, with why. */
export function failedVerificationEntry(env: string, operator: string, error: string): AuditEntry {
  return {
    operator,
    command: VERIFY_COMMAND,
    env,
    planDigest: 'sha256:none',
    summary: 'verification could not finish',
    result: 'failed',
    error,
  };
}
