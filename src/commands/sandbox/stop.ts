import { GwctlCommand } from '../../base-command.js';
import { stopSandbox } from '../../lib/sandbox/daemon.js';
import { sandboxDir } from '../../lib/sandbox/paths.js';

export default class SandboxStop extends GwctlCommand<typeof SandboxStop> {
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
