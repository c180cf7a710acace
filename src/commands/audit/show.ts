import { Flags } from '@oclif/core';
import { GwctlCommand } from '../../base-command.js';

export default class AuditShow extends GwctlCommand<typeof AuditShow> {
  static override summary = 'Show the audit log of applied changes';
  static override description =
    'Every applied (or failed) mutation appends one hash-chained JSON line: time, operator, command, environment, plan digest and result.';
  static override examples = [
    '<%= config.bin %> audit show',
    '<%= config.bin %> audit show --env prod --limit 20',
    '<%= config.bin %> audit show --json',
  ];
  static override flags = { limit: Flags.integer({ description: 'show only the last N records', min: 1 }) };

  async run() {
    const log = await this.auditLog();
    let records = log.records();
    if (this.flags.env) records = records.filter((r) => r.env === this.flags.env);
    if (this.flags.limit) records = records.slice(-this.flags.limit);
    this.ui.info(this.ui.color.dim(`audit log: ${log.file}`));
    this.ui.table(records, [
      { header: 'seq', get: (r) => r.seq, align: 'right' },
      { header: 'time', get: (r) => r.time },
      { header: 'env', get: (r) => r.env },
      { header: 'command', get: (r) => r.command },
      { header: 'result', get: (r) => (r.result === 'applied' ? r.result : this.ui.color.red(r.result)) },
      { header: 'summary', get: (r) => r.summary },
      { header: 'operator', get: (r) => r.operator },
    ]);
    return { file: log.file, records };
  }
}
