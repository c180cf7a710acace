import { resolve } from 'node:path';
import { Flags } from '@oclif/core';
import { GwctlCommand, mutatingFlags } from '../../base-command.js';
import { UsageError } from '../../lib/errors/gwctl-error.js';

export default class AuditImport extends GwctlCommand<typeof AuditImport> {
  static override flags = {
    from: Flags.string({ description: 'the local audit log file to import', required: true }),
    ...mutatingFlags,
  };

  async run() {
    const [{ FileAuditSink }, { importPlan }, { operatorIdentity }, { planDigest }] = await Promise.all([
      import('../../lib/audit/file-sink.js'),
      import('../../lib/audit/shared/import.js'),
      import('../../lib/audit/operator.js'),
      import('../../lib/plan/plan.js'),
    ]);
    const env = this.environment();
    const shared = await this.sharedAuditLog(env.name, { create: true });
    if (!shared) throw new UsageError(`environment ${env.name} has no shared audit log: set audit.log in gwctl.yaml`);
    const from = resolve(this.flags.from);
    const lines = await new FileAuditSink(from).read();
    let plan;
    try {
      plan = importPlan({ env: env.name, from, lines, existing: await shared.sink.read(), log: shared.sink.location });
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
    const head = (plan.steps[0]?.detail as { head?: string } | undefined)?.head;
    const outcome = await this.mutate(
      plan,
      async (_plan, ctx) => {
        const range = await shared.sink.appendRaw(lines.map((l) => l.text));
        const [marker] = await shared.sink.append(() => [
          {
            kind: 'import',
            operator: operatorIdentity(),
            command: 'audit import',
            env: env.name,
            planDigest: planDigest(plan),
            summary: `imported ${lines.length} record(s) of ${from}`,
            from,
            head: head!,
            records: lines.length,
            firstIndex: range.first,
            lastIndex: range.last,
          },
        ]);
        await shared.sink.settle();
        ctx.stepDone(plan.steps[0]!.id);
        return { ...range, marker: marker!.seq };
      },
      { auditDetails: (r) => r },
    );
    if (outcome.status === 'applied')
      this.ui.success(
        `imported ${lines.length} record(s) at indexes ${outcome.result.first}..${outcome.result.last}; import record at ${outcome.result.marker}`,
      );
    else this.ui.info(plan.summary);
    return { status: outcome.status, ...(outcome.status === 'applied' ? outcome.result : {}), head };
  }
}
