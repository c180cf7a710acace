import { join } from 'node:path';
import { Flags } from '@oclif/core';
import { GwctlCommand } from '../../../base-command.js';
import { ExitCode, UsageError } from '../../../lib/errors/gwctl-error.js';

export default class AuditWitness extends GwctlCommand<typeof AuditWitness> {
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
