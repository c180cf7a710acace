import { rmSync } from 'node:fs';
import { GwctlCommand, mutatingFlags } from '../../base-command.js';
import { RuntimeError } from '../../lib/errors/gwctl-error.js';
import { makePlan } from '../../lib/plan/plan.js';
import { lockHolder } from '../../lib/sandbox/dir-lock.js';
import { sandboxDir } from '../../lib/sandbox/paths.js';
import { isRunning, readSandboxState } from '../../lib/sandbox/state.js';

export default class SandboxReset extends GwctlCommand<typeof SandboxReset> {
  static override flags = { ...mutatingFlags };

  async run() {
    const dir = sandboxDir();
    const state = readSandboxState(dir);
    const holder = isRunning(state) ? state : lockHolder(dir);
    if (holder)
      throw new RuntimeError(`the sandbox is running (pid ${holder.pid}); stop it first with \`gwctl sandbox stop\``);
    const plan = makePlan({
      command: 'sandbox reset',
      env: 'sandbox',
      summary: 'wipe the local sandbox',
      destructive: false,
      steps: [{ id: 'wipe', action: 'delete', target: dir, description: 'emulator data, request log, seeded marker' }],
    });
    const outcome = await this.mutate(plan, async () => {
      rmSync(dir, { recursive: true, force: true });
      return { wiped: dir };
    });
    if (outcome.status === 'applied') this.ui.success(`sandbox wiped; \`gwctl sandbox start\` seeds a fresh one`);
    return outcome;
  }
}
