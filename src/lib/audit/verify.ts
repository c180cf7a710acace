import type { AuditLine } from './lines.js';
import { canonicalJson, GENESIS, sha256 } from './record.js';

export interface AuditProblem {
  line: number;
  problem: 'unparseable' | 'not-a-record' | 'edited' | 'dropped' | 'reordered' | 'broken-chain';
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
 * Checks every line: that it is a record at all, its own hash (edited?), its sequence number
 * (dropped or reordered?) and its link to the previous line's text (anything else that breaks the chain).
 */
export function verifyAuditLines(lines: readonly AuditLine[]): AuditVerdict {
  const problems: AuditProblem[] = [];
  let prevText: string | undefined;
  let prevLine = 0;
  let expectedSeq = 1;
  let prevHadProblem = false;
  lines.forEach((l, i) => {
    const { line, record } = l;
    const before = problems.length;
    if (!record) {
      problems.push({ line, problem: l.problem!.kind, message: l.problem!.message });
      prevText = l.text;
      prevLine = line;
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
    if (record.seq > expectedSeq && lines[i + 1]?.record?.seq !== expectedSeq) {
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
          message: `line ${line} does not follow line ${prevLine}: the previous line was edited, or lines were inserted`,
        });
      }
      expectedSeq++;
    }
    prevHadProblem = problems.length > before;
    prevText = l.text;
    prevLine = line;
  });
  return {
    ok: problems.length === 0,
    records: lines.length,
    head: prevText === undefined ? GENESIS : sha256(prevText),
    problems,
  };
}

export type HeadCheck =
  { ok: true; /** Records appended after the expected head. */ added: number } | { ok: false; message: string };

/**
 * A head written down earlier must still be in the log: the hash of its last line then, of some line
 * now. Lines after it are records appended since (an intact log only grows); its absence means the
 * log was cut below it or rewritten.
 */
export function checkExpectedHead(lines: readonly AuditLine[], expected: string): HeadCheck {
  const want = expected.trim().toLowerCase();
  if (want === GENESIS) return { ok: true, added: lines.length };
  const at = lines.findIndex((l) => sha256(l.text) === want);
  if (at >= 0) return { ok: true, added: lines.length - 1 - at };
  return {
    ok: false,
    message: `no line of the log hashes to the expected head ${expected}: lines were removed from the end or the log was rewritten`,
  };
}
