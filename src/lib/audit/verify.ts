import { canonicalJson, GENESIS, sha256, type AuditRecord } from './record.js';

export interface AuditProblem {
  line: number;
  problem: 'unparseable' | 'edited' | 'dropped' | 'reordered' | 'broken-chain';
  message: string;
}

export interface AuditVerdict {
  ok: boolean;
  records: number;
  /** Hash of the last line: write it down elsewhere to detect a rewrite of the whole file. */
  head: string;
  problems: AuditProblem[];
}

/**
 * Checks every line: its own hash (edited?), its sequence number (dropped or reordered?) and
 * its link to the previous line's text (anything else that breaks the chain).
 */
export function verifyAuditLines(lines: string[]): AuditVerdict {
  const problems: AuditProblem[] = [];
  let prevText: string | undefined;
  let expectedSeq = 1;
  let prevHadProblem = false;
  lines.forEach((text, i) => {
    const line = i + 1;
    const before = problems.length;
    let record: AuditRecord;
    try {
      record = JSON.parse(text) as AuditRecord;
    } catch {
      problems.push({
        line,
        problem: 'unparseable',
        message: `line ${line} is not valid JSON: it was edited or truncated`,
      });
      prevText = text;
      expectedSeq++;
      prevHadProblem = true;
      return;
    }
    const { hash, ...rest } = record;
    const edited = sha256(canonicalJson(rest)) !== hash;
    if (edited)
      problems.push({
        line,
        problem: 'edited',
        message: `line ${line} (seq ${record.seq}) was edited: its content no longer matches its hash`,
      });
    const expectedPrev = prevText === undefined ? GENESIS : sha256(prevText);
    if (record.seq > expectedSeq && safeSeq(lines[i + 1]) !== expectedSeq) {
      const missing = record.seq - expectedSeq;
      problems.push({
        line,
        problem: 'dropped',
        message: `${missing} line(s) dropped before line ${line}: expected seq ${expectedSeq}, found ${record.seq}`,
      });
      expectedSeq = record.seq + 1;
    } else {
      if (record.seq !== expectedSeq) {
        problems.push({
          line,
          problem: 'reordered',
          message: `line ${line} is out of order: expected seq ${expectedSeq}, found ${record.seq}`,
        });
      } else if (!edited && !prevHadProblem && record.prev !== expectedPrev) {
        problems.push({
          line,
          problem: 'broken-chain',
          message: `line ${line} does not follow line ${line - 1}: the previous line was edited, or lines were inserted`,
        });
      }
      expectedSeq++;
    }
    prevHadProblem = problems.length > before;
    prevText = text;
  });
  return {
    ok: problems.length === 0,
    records: lines.length,
    head: prevText === undefined ? GENESIS : sha256(prevText),
    problems,
  };
}

function safeSeq(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  try {
    return (JSON.parse(text) as AuditRecord).seq;
  } catch {
    return undefined;
  }
}
