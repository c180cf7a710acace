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
  static override summary = 'Show destroy protection and what is left of an environment';
  static override description = `Protection: protected, unprotected or inconsistent, for each of the three places (Terraform var file, Kubernetes admission policy, bucket labels), naming the part that disagrees. Then the deployment trigger's state, a deprovision running now (its Lease holder), and what deprovisioning removes that still exists: workloads and their replicas, Ingresses and their load balancers, Services, ConfigMaps, Secrets, PVCs, and whether each bucket is empty (one listing of one object) with its object count and size from Cloud Monitoring's daily measurement, never a full listing. Warns when Vault was left at 0 replicas by an interrupted backup create --quiesce. Read-only.`;
  static override examples = ['<%= config.bin %> env status prod', '<%= config.bin %> env status sandbox --json'];
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
