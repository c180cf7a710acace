import { GwctlCommand } from '../base-command.js';
import { SANDBOX_ENV } from '../lib/config/environment-names.js';
import { environmentNames } from '../lib/config/environments.js';
import { completions, type CompletableCommand } from '../lib/completion/candidates.js';

/** What the completion scripts of `gwctl autocomplete` ask: the words that may come next, one a line. */
export default class Complete extends GwctlCommand<typeof Complete> {
  static override hidden = true;
  static override strict = false;

  async run() {
    const words = this.argv.slice(this.argv.indexOf('--') + 1);
    const commands: CompletableCommand[] = this.config.commands
      .filter((c) => !c.hidden)
      .map((c) => ({
        id: c.id.replaceAll(':', ' '),
        flags: c.flags as CompletableCommand['flags'],
        args: Object.entries(c.args ?? {}).map(([name, a]) => ({ name, options: a.options })),
      }));
    const found = completions(commands, words, () => {
      try {
        return environmentNames(this.config_);
      } catch {
        return [SANDBOX_ENV]; // a gwctl.yaml that does not parse completes only the sandbox, silently while you type
      }
    });
    for (const word of found) this.ui.info(word);
    return found;
  }
}
