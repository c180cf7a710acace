import { existsSync } from 'node:fs';
import { GwctlCommand } from '../../base-command.js';
import { sandboxDir, sandboxFiles } from '../../lib/sandbox/paths.js';
import { renderEndpoints } from '../../lib/sandbox/render.js';
import { readSandboxRequests } from '../../lib/sandbox/requests.js';
import { isRunning, readSandboxState } from '../../lib/sandbox/state.js';

export default class SandboxStatus extends GwctlCommand<typeof SandboxStatus> {
  async run() {
    const dir = sandboxDir();
    const state = readSandboxState(dir);
    if (!isRunning(state)) {
      const stale = existsSync(sandboxFiles(dir).state);
      this.ui.info(
        `sandbox is not running (state in ${dir}${stale ? '; a stale state file is left from a process that is gone' : ''}); start it with \`gwctl sandbox start --detach\``,
      );
      return { running: false, dir, stale };
    }
    const requests = readSandboxRequests(dir);
    this.ui.info(
      `sandbox running (pid ${state.pid}, since ${state.startedAt}); ${requests.length} request(s) recorded`,
    );
    renderEndpoints(this.ui, state.endpoints);
    return {
      running: true,
      dir,
      pid: state.pid,
      startedAt: state.startedAt,
      endpoints: state.endpoints,
      requests: requests.length,
    };
  }
}
