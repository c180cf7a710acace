import { Flags } from '@oclif/core';
import { GwctlCommand } from '../../base-command.js';
import { ExitCode } from '../../lib/errors/gwctl-error.js';

export default class AuditVerify extends GwctlCommand<typeof AuditVerify> {
  static override summary = 'Check that no audit line was edited, dropped or reordered';
  static override description =
    "Recomputes every line's hash and its link to the previous line; a line that is not a record (not JSON, null, a number) is named with its line number. Exits 1 when the log was tampered with. The printed head hash identifies the whole log: keep it elsewhere and pass it back later with --expect-head: the check passes while the log has only grown since (it says by how many records) and fails when it was cut below that point or rewritten. Runs that died without an outcome are recorded first. See docs/audit.md.";
  static override examples = [
    '<%= config.bin %> audit verify',
    '<%= config.bin %> audit verify --expect-head 3f2a…',
    '<%= config.bin %> audit verify --json',
  ];
  static override flags = {
    'expect-head': Flags.string({
      description: 'a head hash printed earlier: fails unless the log still holds that line (it may have grown since)',
    }),
  };

  async run() {
    const [{ openAuditLog, describeOpenRun }, { verifyAuditLines, checkExpectedHead }] = await Promise.all([
      import('../../lib/audit/open-log.js'),
      import('../../lib/audit/verify.js'),
    ]);
    const log = await this.auditLog();
    const { lines, open } = await openAuditLog(log, 'audit verify', await this.runProgress(), (m) => this.ui.warn(m));
    const verdict = verifyAuditLines(lines);
    const expected = this.flags['expect-head'];
    const head = expected === undefined ? undefined : checkExpectedHead(lines, expected);
    const c = this.ui.color;
    this.ui.info(c.dim(`audit log: ${log.file}`));
    for (const p of verdict.problems) this.ui.info(`${c.red('✗')} ${p.message}`);
    if (head && !head.ok) this.ui.info(`${c.red('✗')} ${head.message}`);
    for (const r of open) this.ui.info(c.yellow(`open: ${describeOpenRun(r)}`));
    const result = {
      file: log.file,
      ...verdict,
      ok: verdict.ok && (head?.ok ?? true),
      ...(head ? { expectedHead: head.ok ? { found: true, added: head.added } : { found: false } } : {}),
      open: open.map((r) => ({ line: r.line, seq: r.intent.seq, run: r.intent.run, state: r.state })),
    };
    if (!result.ok) {
      // The verdict is the result, under --json too (one document on stdout); the exit code says it failed.
      const n = verdict.problems.length + (head?.ok === false ? 1 : 0);
      this.ui.info(`${c.red('error:')} audit log ${log.file} failed verification (${n} problem(s))`);
      process.exitCode = ExitCode.runtime;
      return result;
    }
    const grown = head?.ok ? `; ${head.added} record(s) added since the expected head` : '';
    this.ui.success(`${verdict.records} record(s) intact${grown}; head ${verdict.head}`);
    return result;
  }
}
