import { GwctlCommand } from '../../base-command.js';
import { SANDBOX_ENV } from '../../lib/config/environment-names.js';
import { displayPath, environmentNames } from '../../lib/config/environments.js';
import { SANDBOX_OUTLINE } from '../../lib/sandbox/environment.js';

export default class EnvList extends GwctlCommand<typeof EnvList> {
  async run() {
    const loaded = this.config_;
    // The sandbox is listed whether it runs or not; resolving it (for its endpoints) needs it running.
    const envs = environmentNames(loaded).map((name) => {
      if (name === SANDBOX_ENV) return { name, ...SANDBOX_OUTLINE };
      const env = this.environment(name);
      return { name, project: env.project, region: env.region, namespace: env.kube.namespace, source: env.source };
    });
    this.ui.note(`config: ${loaded.file ? displayPath(loaded.file) : 'none found (only the sandbox exists)'}`);
    this.ui.table(envs, [
      { header: 'name', get: (e) => e.name },
      { header: 'project', get: (e) => e.project },
      { header: 'region', get: (e) => e.region },
      { header: 'namespace', get: (e) => e.namespace },
    ]);
    return { config: loaded.file ?? null, environments: envs };
  }
}
