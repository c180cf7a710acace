import { Args } from '@oclif/core';
import { stringify } from 'yaml';
import { GwctlCommand } from '../../base-command.js';
import { describeEnvironment } from '../../lib/config/describe.js';

export default class EnvShow extends GwctlCommand<typeof EnvShow> {
  static override args = { env: Args.string({ description: 'environment name (or use --env)' }) };

  async run() {
    const env = this.environment(this.args.env ?? this.flags.env);
    const shown = describeEnvironment(env);
    this.ui.info(stringify(shown).trimEnd());
    return shown;
  }
}
