import { Flags } from '@oclif/core';
import { GwctlCommand } from '../../base-command.js';
import type { OpenedSharedLog } from '../../lib/audit/shared/open-shared-log.js';
import { ExitCode } from '../../lib/errors/gwctl-error.js';

export default class AuditVerify extends GwctlCommand<typeof AuditVerify> {
  static override flags = {
    'expect-head': Flags.string({
      description:
        'local file log: a head hash printed earlier; fails unless the log still holds that line (it may have grown since)',
    }),
    key: Flags.string({
      description:
        "shared log: verify with this verifier key instead of the configured signer's, read-only (runs that died are listed, not closed)",
    }),
  };

  async run() {
    const shared = await this.sharedAuditLog(this.flags.env, this.flags.key ? { verifierKey: this.flags.key } : {});
    return shared ? this.verifyShared(shared) : this.verifyFile();
  }

  private async verifyShared(shared: OpenedSharedLog) {
    const { describeOpenRun } = await import('../../lib/audit/open-log.js');
    const c = this.ui.color;
    const { open } = await this.openForVerify(shared);
    const verdict = shared.sink.lastVerdict!;
    const pending = await shared.log.pendingCount(verdict.size).catch(() => 0);
    this.ui.note(`audit log: ${shared.sink.location} (origin ${shared.config.origin})`);
    this.ui.note(`key: ${shared.key.verifierKey}`);
    for (const p of verdict.problems)
      this.ui.info(`${c.red('✗')} ${p.index === undefined ? '' : `index ${p.index}: `}${p.message}`);
    if (verdict.seen?.consistent)
      this.ui.info(`${c.green('✓')} extends the checkpoint of size ${verdict.seen.size} this machine saw before`);
    for (const w of verdict.cosigned) {
      const what = w.latest ? 'cosigned the latest checkpoint' : `last cosigned size ${w.size}`;
      const when = w.timestamp ? ` at ${new Date(w.timestamp * 1000).toISOString()}` : '';
      if (w.problem) this.ui.info(`${c.red('✗')} witness ${w.witness}: ${w.problem}`);
      else if (w.verified)
        this.ui.info(`${w.latest ? c.green('✓') : c.yellow('~')} witness ${w.witness} ${what}${when}`);
      else this.ui.info(c.dim(`? witness ${w.witness} ${what} (not in audit.witnesses: signature not checked)`));
    }
    if (pending > 0) this.ui.info(c.yellow(`${pending} entry(ies) sequenced but not yet in a checkpoint`));
    for (const r of open) this.ui.info(c.yellow(`open: ${describeOpenRun(r)}`));
    const { entries, note, nodes, ...rest } = verdict;
    const result = {
      log: shared.sink.location,
      origin: shared.config.origin,
      key: shared.key.verifierKey,
      ...rest,
      checkpoint: note,
      entries: entries.length,
      pending,
      open: open.map((r) => ({ index: r.intent.seq, run: r.intent.run, state: r.state })),
    };
    if (!verdict.ok) {
      const where = verdict.firstBadIndex === undefined ? '' : `; first bad index ${verdict.firstBadIndex}`;
      this.ui.error(
        `audit log ${shared.sink.location} failed verification (${verdict.problems.length} problem(s)${where})`,
      );
      process.exitCode = ExitCode.runtime;
      return result;
    }
    if (nodes && verdict.size > 0) shared.seen.save({ note, nodes }, verdict.size); // this machine has now seen it
    const witnessed = verdict.cosigned.filter((w) => w.verified && w.latest).length;
    this.ui.success(
      `${verdict.size} entries intact; checkpoint root ${verdict.rootHash} signed by ${shared.config.origin}${witnessed ? `, cosigned by ${witnessed} witness(es)` : ''}`,
    );
    return result;
  }

  /**
   * With the configured key, the runs that died are recorded first (as `audit show` does). With `--key` the check
   * is a third party's and read-only: open runs are listed, none is closed (that would append to the log).
   */
  private async openForVerify(shared: OpenedSharedLog) {
    if (this.flags.key) {
      const { openRuns } = await import('../../lib/audit/reconcile.js');
      return { open: openRuns(await shared.sink.read()) };
    }
    const { reconcileSharedLog } = await import('../../lib/audit/shared/open-reconciled.js');
    return reconcileSharedLog(shared.sink, 'audit verify', await this.runProgress(), (m) => this.ui.warn(m));
  }

  private async verifyFile() {
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
    this.ui.note(`audit log: ${log.location}`);
    for (const p of verdict.problems) this.ui.info(`${c.red('✗')} ${p.message}`);
    if (head && !head.ok) this.ui.info(`${c.red('✗')} ${head.message}`);
    for (const r of open) this.ui.info(c.yellow(`open: ${describeOpenRun(r)}`));
    const result = {
      file: log.location,
      ...verdict,
      ok: verdict.ok && (head?.ok ?? true),
      ...(head ? { expectedHead: head.ok ? { found: true, added: head.added } : { found: false } } : {}),
      open: open.map((r) => ({ line: r.line, seq: r.intent.seq, run: r.intent.run, state: r.state })),
    };
    if (!result.ok) {
      // The verdict is the result, under --json too (one document on stdout); the exit code says it failed.
      const n = verdict.problems.length + (head?.ok === false ? 1 : 0);
      this.ui.error(`audit log ${log.location} failed verification (${n} problem(s))`);
      process.exitCode = ExitCode.runtime;
      return result;
    }
    const grown = head?.ok ? `; ${head.added} record(s) added since the expected head` : '';
    this.ui.success(`${verdict.records} record(s) intact${grown}; head ${verdict.head}`);
    return result;
  }
}
