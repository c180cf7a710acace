import type { AuditRecord } from './record.js';

/** One stored line, parsed if it can be: a log read from disk may hold anything. */
export interface AuditLine {
  /** 1-based, as an editor numbers the file's lines. */
  line: number;
  text: string;
  record?: AuditRecord;
  /** Why `text` is not a record: not JSON, or JSON that is not an audit record (`null`, a number, an array, …). */
  problem?: { kind: 'unparseable' | 'not-a-record'; message: string };
}

/** Splits a log's text into lines, numbered as in the file; blank lines carry nothing and are skipped. */
export function parseAuditText(text: string): AuditLine[] {
  const out: AuditLine[] = [];
  text.split('\n').forEach((t, i) => {
    if (t.length > 0) out.push(parseAuditLine(t, i + 1));
  });
  return out;
}

export function parseAuditLine(text: string, line: number): AuditLine {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return {
      line,
      text,
      problem: { kind: 'unparseable', message: `line ${line} is not valid JSON: it was edited or truncated` },
    };
  }
  const shape = recordShapeProblem(value);
  if (shape)
    return { line, text, problem: { kind: 'not-a-record', message: `line ${line} is not an audit record: ${shape}` } };
  return { line, text, record: value as AuditRecord };
}

/** The fields the chain relies on; anything else a record holds is only shown. */
function recordShapeProblem(value: unknown): string | undefined {
  if (value === null) return 'it is null';
  if (Array.isArray(value)) return 'it is an array';
  if (typeof value !== 'object') return `it is a ${typeof value}`;
  const r = value as Record<string, unknown>;
  if (!Number.isSafeInteger(r.seq) || (r.seq as number) < 1) return 'it has no sequence number (seq)';
  for (const field of ['prev', 'hash'] as const) if (typeof r[field] !== 'string') return `it has no ${field} hash`;
  return undefined;
}

export const recordsOf = (lines: AuditLine[]): AuditRecord[] => lines.flatMap((l) => (l.record ? [l.record] : []));
