import { Args } from '@oclif/core';
import { GwctlCommand } from '../../base-command.js';
import { vaultQuiesceStatus } from '../../lib/backup/quiesce.js';
import { withEnvironmentAdmins } from '../../lib/cloud/environment-admins.js';
import { readInventory } from '../../lib/deprovision/inventory.js';
import { DeprovisionJournal, journalPath } from '../../lib/deprovision/journal.js';
import { currentHolder } from '../../lib/deprovision/lease.js';
import { leftovers } from '../../lib/deprovision/leftovers.js';
import { renderLeftovers } from '../../lib/deprovision/render.js';
import { renderProtection } from '../../lib/protection/render.js';
import { protectionStatus, readProtection } from '../../lib/protection/status.js';

export default class EnvStatus extends GwctlCommand<typeof EnvStatus> {
  static override args = { env: Args.string({ description: 'environment name (or use --env)' }) };

  async run() {
    const env = this.environment(this.args.env ?? this.flags.env);
    return withEnvironmentAdmins(env, async (admins) => {
      const [reading, inventory, runningNow] = await Promise.all([
        readProtection(env, admins),
        readInventory(env, admins),
        currentHolder(admins.leases, env.name, env.kube.namespace),
      ]);
      const protection = protectionStatus(reading);
      const journal = DeprovisionJournal.load(journalPath(env.name));
      const left = leftovers(inventory, journal.data, journal.started ? journal.file : undefined, runningNow);
      const vault = vaultQuiesceStatus(env.workloads.vault, env.kube.namespace, inventory.kube, env.name);
      renderProtection(this.ui, protection);
      renderLeftovers(this.ui, left);
      if (vault?.warning) this.ui.warn(vault.warning);
      if (inventory.usageProblem)
        this.ui.warn(`object counts unavailable: Cloud Monitoring: ${inventory.usageProblem}`);
      return { env: env.name, protection, leftovers: left, ...(vault ? { vault } : {}) };
    });
  }
}
