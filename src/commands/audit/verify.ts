import { Flags } from '@oclif/core';
import { GwctlCommand } from '../../base-command.js';
import { ExitCode } from '../../lib/errors/gwctl-error.js';

export default class AuditVerify extends GwctlCommand<typeof AuditVerify> {
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
    this.ui.note(`audit log: ${log.file}`);
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
      this.ui.error(`audit log ${log.file} failed verification (${n} problem(s))`);
      process.exitCode = ExitCode.runtime;
      return result;
    }
    const grown = head?.ok ? `; ${head.added} record(s) added since the expected head` : '';
    this.ui.success(`${verdict.records} record(s) intact${grown}; head ${verdict.head}`);
    return result;
  }
}
