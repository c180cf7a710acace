import { Flags } from '@oclif/core';
import { GwctlCommand } from '../../base-command.js';
import { RuntimeError } from '../../lib/errors/gwctl-error.js';

export default class AuditVerify extends GwctlCommand<typeof AuditVerify> {
  static override summary = 'Check that no audit line was edited, dropped or reordered';
  static override description =
    "Recomputes every line's hash and its link to the previous line. Exits 1 and names each bad line when the log was tampered with. The printed head hash identifies the whole log: keep it elsewhere and pass it back with --expect-head to detect a truncated tail.";
  static override examples = [
    '<%= config.bin %> audit verify',
    '<%= config.bin %> audit verify --expect-head 3f2a…',
    '<%= config.bin %> audit verify --json',
  ];
  static override flags = {
    'expect-head': Flags.string({
      description: 'the head hash recorded earlier; fails if the log no longer contains it at the end',
    }),
  };

  async run() {
    const log = await this.auditLog();
    const verdict = log.verify();
    const expected = this.flags['expect-head'];
    const headMatches = expected === undefined || verdict.head === expected;
    this.ui.info(this.ui.color.dim(`audit log: ${log.file}`));
    for (const p of verdict.problems) this.ui.info(`${this.ui.color.red('✗')} ${p.message}`);
    if (!headMatches)
      this.ui.info(
        `${this.ui.color.red('✗')} head is ${verdict.head}, expected ${expected}: lines were removed from the end or the log was rewritten`,
      );
    const result = { file: log.file, ...verdict, ok: verdict.ok && headMatches };
    if (!result.ok) {
      if (this.jsonEnabled()) this.logJson(result);
      throw new RuntimeError(
        `audit log ${log.file} failed verification (${verdict.problems.length + (headMatches ? 0 : 1)} problem(s))`,
      );
    }
    this.ui.success(`${verdict.records} record(s) intact; head ${verdict.head}`);
    return result;
  }
}
