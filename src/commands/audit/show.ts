import { Flags } from '@oclif/core';
import { GwctlCommand } from '../../base-command.js';

export default class AuditShow extends GwctlCommand<typeof AuditShow> {
  static override flags = { limit: Flags.integer({ description: 'show only the last N records', min: 1 }) };

  async run() {
    const [{ openAuditLog, describeOpenRun }, { recordsOf }] = await Promise.all([
      import('../../lib/audit/open-log.js'),
      import('../../lib/audit/lines.js'),
    ]);
    const log = await this.auditLog();
    const { lines, open } = await openAuditLog(log, 'audit show', await this.runProgress(), (m) => this.ui.warn(m));
    const c = this.ui.color;
    let records = recordsOf(lines);
    if (this.flags.env) records = records.filter((r) => r.env === this.flags.env);
    if (this.flags.limit) records = records.slice(-this.flags.limit);
    this.ui.note(`audit log: ${log.file}`);
    this.ui.table(records, [
      { header: 'seq', get: (r) => r.seq, align: 'right' },
      { header: 'time', get: (r) => r.time },
      { header: 'env', get: (r) => r.env },
      { header: 'command', get: (r) => r.command },
      {
        header: 'result',
        get: (r) =>
          r.kind === 'intent' ? c.dim('intent') : r.result === 'applied' ? r.result : c.red(String(r.result)),
      },
      {
        header: 'steps',
        get: (r) =>
          r.kind === 'intent' ? r.steps : r.kind === 'outcome' ? `${r.steps?.done ?? '?'}/${r.steps?.planned}` : '',
        align: 'right',
      },
      { header: 'run', get: (r) => (r.kind ? r.run : '') },
      { header: 'summary', get: (r) => r.summary },
      { header: 'operator', get: (r) => r.operator },
    ]);
    const problems = lines.flatMap((l) => (l.problem ? [{ line: l.line, ...l.problem }] : []));
    for (const p of problems) this.ui.warn(p.message);
    for (const r of open) this.ui.info(c.yellow(`open: ${describeOpenRun(r)}`));
    return {
      file: log.file,
      records,
      problems,
      open: open.map((r) => ({ line: r.line, seq: r.intent.seq, run: r.intent.run, state: r.state })),
    };
  }
}
