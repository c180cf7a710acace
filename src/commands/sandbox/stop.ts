import { GwctlCommand } from '../../base-command.js';
import { stopSandbox } from '../../lib/sandbox/daemon.js';
import { sandboxDir } from '../../lib/sandbox/paths.js';

export default class SandboxStop extends GwctlCommand<typeof SandboxStop> {
  static override summary = 'Stop the sandbox (its data is kept)';
  static override description =
    'Stops the running sandbox, or one still starting. It signals a process only if it is the one that wrote the state (or lock) file: same pid and same start time. A state file left by a sandbox that died is removed, and nothing is signalled: its pid may belong to another process by now.';
  static override examples = ['<%= config.bin %> sandbox stop', '<%= config.bin %> sandbox stop --json'];

  async run() {
    const outcome = await stopSandbox(sandboxDir());
    if (outcome.status === 'stopped')
      this.ui.info(`sandbox stopped (pid ${outcome.pid}); data kept, \`gwctl sandbox reset\` wipes it`);
    else if (outcome.status === 'stale')
      this.ui.warn(
        `the sandbox was not running: its state file (pid ${outcome.pid ?? 'unreadable'}) was left by a process that is gone; removed it, signalled nothing`,
      );
    else this.ui.info('sandbox was not running');
    return {
      stopped: outcome.status === 'stopped',
      stale: outcome.status === 'stale',
      pid: outcome.status === 'stopped' ? outcome.pid : null,
    };
  }
}
