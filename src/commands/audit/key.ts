import { GwctlCommand } from '../../base-command.js';
import { UsageError } from '../../lib/errors/gwctl-error.js';

export default class AuditKey extends GwctlCommand<typeof AuditKey> {
  static override summary = "Print the verifier key of the environment's shared audit log";
  static override description =
    'The C2SP signed-note verifier key `<name>+<hex key id>+<base64(0x01 ‖ public key)>` that checks every checkpoint of the log. Give it to whoever verifies the log independently (auditors, witnesses): with it and read access to the bucket, any C2SP tlog-tiles reader can check the whole log. For a key file, the file is created if the log is new; for Cloud KMS, the public key is read from KMS. See docs/audit.md.';
  static override examples = [
    '<%= config.bin %> audit key --env prod',
    '<%= config.bin %> audit key --env sandbox --json',
  ];

  async run() {
    const shared = await this.sharedAuditLog(this.flags.env, { create: true });
    if (!shared)
      throw new UsageError(
        `environment ${this.environment().name} has no shared audit log: set audit.log (gs://<bucket>/<prefix>) in gwctl.yaml`,
      );
    if (!this.jsonEnabled()) this.log(shared.key.verifierKey);
    this.ui.info(
      this.ui.color.dim(`log ${shared.config.url}, origin ${shared.config.origin}, signed with ${shared.key.describe}`),
    );
    return {
      key: shared.key.verifierKey,
      log: shared.config.url,
      origin: shared.config.origin,
      signer: shared.key.describe,
    };
  }
}
