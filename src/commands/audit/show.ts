import { Flags } from '@oclif/core';
import { GwctlCommand } from '../../base-command.js';
import type { AuditRecord } from '../../lib/audit/record.js';

export default class AuditShow extends GwctlCommand<typeof AuditShow> {
  static override flags = {
    limit: Flags.integer({ description: 'show only the last N records', min: 1 }),
    since: Flags.string({ description: 'only records after TIME (ISO 8601) or within a duration (e.g. 7d)' }),
    actor: Flags.string({ description: 'only records whose operator contains this (e.g. alice@, gcp:ci-deployer)' }),
    command: Flags.string({ description: 'only this command, or a topic (backup matches backup create, prune, …)' }),
    key: Flags.string({ description: "read the shared log with this verifier key instead of the configured signer's" }),
  };

  async run() {
    const [{ openAuditLog, describeOpenRun }, { recordsOf }, { filterRecords }, { parseSince }] = await Promise.all([
      import('../../lib/audit/open-log.js'),
      import('../../lib/audit/lines.js'),
      import('../../lib/audit/filter.js'),
      import('../../lib/ui/duration.js'),
    ]);
    const since = this.flags.since ? parseSince(this.flags.since) : undefined;
    const warn = (m: string) => this.ui.warn(m);
    const shared = await this.sharedAuditLog(this.flags.env, this.flags.key ? { verifierKey: this.flags.key } : {});
    const sink = shared?.sink ?? (await this.auditLog());
    const location = sink.location;
    let opened;
    if (shared) {
      const { reconcileSharedLog } = await import('../../lib/audit/shared/open-reconciled.js');
      opened = await reconcileSharedLog(shared.sink, 'audit show', await this.runProgress(), warn);
      for (const p of shared.sink.lastVerdict?.problems ?? []) warn(p.message);
    } else {
      opened = await openAuditLog(sink, 'audit show', await this.runProgress(), warn);
    }
    const { lines, open } = opened;
    const c = this.ui.color;
    const records = filterRecords(recordsOf(lines), {
      ...(shared ? {} : { env: this.flags.env }),
      since,
      actor: this.flags.actor,
      command: this.flags.command,
      limit: this.flags.limit,
    });
    this.ui.note(`audit log: ${location}`);
    this.ui.table(records, [
      { header: shared ? 'index' : 'seq', get: (r) => r.seq, align: 'right' },
      { header: 'time', get: (r) => r.time },
      { header: 'env', get: (r) => r.env },
      { header: 'command', get: (r) => r.command },
      { header: 'result', get: (r) => result(r, c) },
      {
        header: 'steps',
        get: (r) =>
          r.kind === 'intent' ? r.steps : r.kind === 'outcome' ? `${r.steps?.done ?? '?'}/${r.steps?.planned}` : '',
        align: 'right',
      },
      { header: 'run', get: (r) => (r.kind === 'intent' || r.kind === 'outcome' ? r.run : '') },
      { header: 'summary', get: (r) => r.summary },
      { header: 'operator', get: (r) => r.operator },
    ]);
    const problems = lines.flatMap((l) => (l.problem ? [{ line: l.line, ...l.problem }] : []));
    for (const p of problems) this.ui.warn(p.message);
    for (const r of open) this.ui.info(c.yellow(`open: ${describeOpenRun(r)}`));
    return {
      ...(shared ? { log: location } : { file: location }),
      records,
      problems,
      open: open.map((r) => ({ line: r.line, seq: r.intent.seq, run: r.intent.run, state: r.state })),
    };
  }
}

function result(r: AuditRecord, c: { dim(s: string): string; red(s: string): string }): string {
  if (r.kind === 'intent') return c.dim('intent');
  const { result: text, kind } = r as { result?: string; kind?: string };
  if (text === undefined) return c.dim(String(kind ?? ''));
  return text === 'applied' ? text : c.red(text);
}
