import { GwctlCommand } from '../../base-command.js';
import { stopSandbox } from '../../lib/sandbox/daemon.js';
import { sandboxDir } from '../../lib/sandbox/paths.js';

export default class SandboxStop extends GwctlCommand<typeof SandboxStop> {
  static override summary = 'Stop the sandbox (its data is kept)';
  static override examples = ['<%= config.bin %> sandbox stop'];

  async run() {
    const stopped = await stopSandbox(sandboxDir());
    this.ui.info(
      stopped
        ? `sandbox stopped (pid ${stopped.pid}); data kept, \`gwctl sandbox reset\` wipes it`
        : 'sandbox was not running',
    );
    return { stopped: Boolean(stopped), pid: stopped?.pid ?? null };
  }
}
