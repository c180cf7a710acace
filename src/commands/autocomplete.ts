import { Args } from '@oclif/core';
import { GwctlCommand } from '../base-command.js';
import { completionScript, SHELLS, type Shell } from '../lib/completion/scripts.js';

export default class Autocomplete extends GwctlCommand<typeof Autocomplete> {
  static override args = {
    shell: Args.string({ description: 'the shell to complete in', options: [...SHELLS], required: true }),
  };

  async run() {
    const shell = this.args.shell as Shell;
    const script = completionScript(shell, this.config.bin);
    this.ui.info(script.trimEnd());
    return { shell, script };
  }
}
