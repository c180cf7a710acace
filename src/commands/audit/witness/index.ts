import { join } from 'node:path';
import { Flags } from '@oclif/core';
import { GwctlCommand } from '../../../base-command.js';
import { ExitCode, UsageError } from '../../../lib/errors/gwctl-error.js';

export default class AuditWitness extends GwctlCommand<typeof AuditWitness> {
  static override summary = 'Witness a shared audit log: cosign its checkpoint if it only grew';
  static override description =
    "For an independent party, run from their own project: reads the log's checkpoint (C2SP tlog-checkpoint), checks its signature with --key, and checks against the log's tiles that it extends the last checkpoint this witness cosigned (kept in --state). Only then it publishes the checkpoint with its C2SP tlog-cosignature next to the log's, at <prefix>cosignature/<witness name>; `gwctl audit verify` lists it. A log that shrank, forked or was rewritten is refused: nothing is published and it exits 1. The witness key file is created on first use with --name. See docs/audit.md.";
  static override examples = [
    '<%= config.bin %> audit witness --log gs://relaycorp-gateway-prod-audit/log/ --key "storage.googleapis.com/…+1a2b3c4d+AQ…" --witness-key ~/.witness.key --name witness.example.org',
    '<%= config.bin %> audit witness --log gs://… --key … --witness-key /etc/witness/key --state gs://example-witness/state/relaycorp-prod',
  ];
  static override flags = {
    log: Flags.string({ description: 'the log: gs://<bucket>/<prefix>', required: true }),
    key: Flags.string({ description: "the log's verifier key (gwctl audit key prints it)", required: true }),
    'witness-key': Flags.string({
      description: "this witness's signer key file (created with --name if absent)",
      required: true,
    }),
    name: Flags.string({ description: 'the witness key name, e.g. witness.example.org (to create the key)' }),
    state: Flags.string({
      description:
        'where the last cosigned checkpoint is kept: a file, or gs://<bucket>/<object> (default $GWCTL_HOME/witness/<log origin>/checkpoint)',
    }),
  };

  async run() {
    const [{ parseLogUrl }, { noteVerifierFromKey }, files, { witnessLog }, { GcsLogStore }, { gwctlHome }] =
      await Promise.all([
        import('../../../lib/audit/shared/log-store.js'),
        import('../../../lib/tlog/index.js'),
        import('../../../lib/audit/shared/witness-files.js'),
        import('../../../lib/audit/shared/witness.js'),
        import('../../../lib/cloud/log-bucket.js'),
        import('../../../lib/home/gwctl-home.js'),
      ]);
    const parse = (url: string, flag: string) => {
      try {
        return parseLogUrl(url);
      } catch (err) {
        throw new UsageError(`${flag}: ${(err as Error).message}`);
      }
    };
    const { bucket, prefix } = parse(this.flags.log, '--log');
    let log;
    try {
      log = noteVerifierFromKey(this.flags.key);
    } catch (err) {
      throw new UsageError(`--key: ${(err as Error).message}`);
    }
    const env = this.flags.env
      ? this.environment()
      : (await import('../../../lib/audit/shared/witness-env.js')).witnessEnvironment();
    const { cosigner, verifierKey, created } = files.witnessKey(this.flags['witness-key'], this.flags.name);
    if (created)
      this.ui.info(`created witness key ${this.flags['witness-key']}; give the log's operators: ${verifierKey}`);
    const stateFlag = this.flags.state ?? join(gwctlHome(), 'witness', log.name, 'checkpoint');
    let state;
    if (stateFlag.startsWith('gs://')) {
      const at = parse(stateFlag.replace(/\/?$/, ''), '--state');
      const name = at.prefix.replace(/\/$/, '');
      const slash = name.lastIndexOf('/');
      state = files.objectWitnessState(
        new GcsLogStore(env, at.bucket, name.slice(0, slash + 1)),
        name.slice(slash + 1),
      );
    } else state = files.fileWitnessState(stateFlag);
    const result = await witnessLog({ store: new GcsLogStore(env, bucket, prefix), log, cosigner, state });
    if (result.status === 'refused') {
      this.ui.info(`${this.ui.color.red('✗')} refused to cosign ${this.flags.log}: ${result.reason}`);
      process.exitCode = ExitCode.runtime;
    } else {
      const grew =
        result.previous === undefined ? ' (first checkpoint this witness sees)' : ` (from ${result.previous})`;
      this.ui.success(`cosigned the checkpoint of size ${result.size}${grew}: ${result.published}`);
    }
    return { ...result, witness: cosigner.name, witnessKey: verifierKey };
  }
}
