import { GwctlCommand } from '../../base-command.js';
import { UsageError } from '../../lib/errors/gwctl-error.js';

export default class AuditKey extends GwctlCommand<typeof AuditKey> {
  async run() {
    const shared = await this.sharedAuditLog(this.flags.env, { create: true });
    if (!shared)
      throw new UsageError(
        `environment ${this.environment().name} has no shared audit log: set audit.log (gs://<bucket>/<prefix>) in gwctl.yaml`,
      );
    this.ui.info(shared.key.verifierKey);
    this.ui.note(`log ${shared.config.url}, origin ${shared.config.origin}, signed with ${shared.key.describe}`);
    return {
      key: shared.key.verifierKey,
      log: shared.config.url,
      origin: shared.config.origin,
      signer: shared.key.describe,
    };
  }
}
