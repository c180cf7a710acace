import type { TableColumn } from '../ui/table.js';
import type { Ui } from '../ui/ui.js';
import type { CheckResult, CheckStatus } from './check.js';

const MARK: Record<CheckStatus, string> = { pass: 'pass', warn: 'warn', fail: 'FAIL', skip: 'skip' };

/** The table of checks (with what each calls and expects under --wide), then what will fail until fixed. */
export function renderDoctorReport(ui: Ui, env: string, results: CheckResult[], opts: { wide: boolean }): void {
  const c = ui.color;
  const paint: Record<CheckStatus, (s: string) => string> = { pass: c.green, warn: c.yellow, fail: c.red, skip: c.dim };
  const columns: TableColumn<CheckResult>[] = [
    { header: 'check', get: (r) => r.id },
    { header: 'result', get: (r) => paint[r.status](MARK[r.status]) },
    ...(opts.wide
      ? [
          { header: 'calls', get: (r: CheckResult) => r.calls },
          { header: 'expects', get: (r: CheckResult) => r.expects },
        ]
      : []),
    { header: 'reason', get: (r) => r.reason },
  ];
  ui.table(results, columns);
  const count = (s: CheckStatus) => results.filter((r) => r.status === s).length;
  ui.info();
  ui.info(
    `${env}: ${count('pass')} passed, ${count('warn')} warning(s), ${count('fail')} failed, ${count('skip')} skipped`,
  );
  const failing = [...new Set(results.filter((r) => r.status === 'fail').flatMap((r) => r.blocks ?? r.neededBy))];
  if (failing.length) ui.info(`${c.red('will fail until fixed:')} ${failing.join(', ')}`);
}
