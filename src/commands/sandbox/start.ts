import { Flags } from '@oclif/core';
import { fileURLToPath } from 'node:url';
import { GwctlCommand } from '../../base-command.js';
import { startDetached } from '../../lib/sandbox/daemon.js';
import { parseFaults } from '../../lib/sandbox/faults-flag.js';
import { parseSandboxDuration } from '../../lib/sandbox/timing-flags.js';
import { sandboxDir } from '../../lib/sandbox/paths.js';
import { renderEndpoints } from '../../lib/sandbox/render.js';
import { startSandbox } from '../../lib/sandbox/run.js';
import { isRunning, readSandboxState, type SandboxState } from '../../lib/sandbox/state.js';

export default class SandboxStart extends GwctlCommand<typeof SandboxStart> {
  static override flags = {
    detach: Flags.boolean({ char: 'd', description: 'run in the background and return once ready', default: false }),
    faults: Flags.string({
      description: 'per-service probability of injected 429/503/dropped connections, e.g. gcs=0.1,kube=0.05',
    }),
    'lifecycle-sweep': Flags.string({
      description: 'how often bucket lifecycle rules are applied (1s to 24h)',
      default: '5s',
    }),
    'lb-teardown': Flags.string({
      description: 'how long GKE takes to remove an Ingress load balancer (0s to 1h)',
      default: '3s',
    }),
  };

  async run() {
    const dir = sandboxDir();
    const faults = parseFaults(this.flags.faults);
    const sweep = parseSandboxDuration('lifecycle-sweep', this.flags['lifecycle-sweep']);
    const teardown = parseSandboxDuration('lb-teardown', this.flags['lb-teardown']);
    const existing = readSandboxState(dir);
    if (isRunning(existing) && existing.pid !== process.pid) {
      this.ui.info(`sandbox already running (pid ${existing.pid})`);
      return this.describe(existing, 'already-running');
    }
    if (this.flags.detach) {
      const args = [
        '--lifecycle-sweep',
        this.flags['lifecycle-sweep'],
        '--lb-teardown',
        this.flags['lb-teardown'],
        ...(this.flags.faults ? ['--faults', this.flags.faults] : []),
      ];
      const bin = fileURLToPath(new URL('../../../bin/run.js', import.meta.url));
      const state = await startDetached({ dir, bin, args });
      this.ui.success(`sandbox running in the background (pid ${state.pid}); stop it with \`gwctl sandbox stop\``);
      return this.describe(state, 'started');
    }
    const sandbox = await startSandbox({ dir, faults, lifecycleSweepMs: sweep, lbTeardownMs: teardown });
    if (sandbox.seeded)
      this.ui.info(
        `seeded: ${Object.entries(sandbox.seeded.buckets)
          .map(([b, n]) => `${b} (${n} objects)`)
          .join(
            ', ',
          )}; ${sandbox.seeded.kubeObjects} Kubernetes objects; ${sandbox.seeded.mongoDocuments} MongoDB documents`,
      );
    const result = this.describe(sandbox.state, 'started');
    this.ui.success('sandbox ready; Ctrl-C stops it');
    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    await sandbox.close();
    this.ui.info('sandbox stopped');
    return result;
  }

  private describe(state: SandboxState, status: string) {
    renderEndpoints(this.ui, state.endpoints);
    return { status, pid: state.pid, dir: state.dir, startedAt: state.startedAt, endpoints: state.endpoints };
  }
}
