import { CommandHelp, Help, type Command } from '@oclif/core';
import { commandHelpText } from './lib/ui/help-text.js';

/** What every gwctl command may exit with (README "Exit codes"); a command's own come from its messages file. */
const COMMON_EXIT_CODES = [
  { code: 0, meaning: 'success' },
  { code: 1, meaning: 'runtime failure (a cloud call failed, an operator said no)' },
  { code: 2, meaning: 'bad usage, configuration or input (unknown flag, malformed gwctl.yaml, invalid value)' },
];

/** Commands that change things can be stopped by a signal; the outcome is recorded as interrupted. */
const SIGNAL_EXIT_CODES = [
  { code: 129, meaning: 'stopped by SIGHUP; the outcome is in the audit log' },
  { code: 130, meaning: 'stopped by SIGINT (Ctrl-C); the outcome is in the audit log' },
  { code: 143, meaning: 'stopped by SIGTERM; the outcome is in the audit log' },
];

/** oclif's help, with an EXIT CODES section in every gwctl command's help (scripts and cron rely on them). */
export default class GwctlHelp extends Help {
  protected override getCommandHelpClass(command: Command.Loadable): CommandHelp {
    return new GwctlCommandHelp(command, this.config, this.opts);
  }
}

class GwctlCommandHelp extends CommandHelp {
  protected override sections(): ReturnType<CommandHelp['sections']> {
    return [
      ...super.sections(),
      { header: 'EXIT CODES', generate: (_, header) => [{ header, body: this.exitCodes() }] },
    ];
  }

  private exitCodes(): [string, string][] {
    const cmd = this.command;
    // Only gwctl's own commands (every one has --env), not plugins' such as `help`.
    if (!cmd.flags?.env) return [];
    const own = commandHelpText(cmd.id).exitCodes;
    const codes = new Map(
      [...COMMON_EXIT_CODES, ...own, ...(cmd.flags['dry-run'] ? SIGNAL_EXIT_CODES : [])].map((c) => [c.code, c]),
    );
    return [...codes.values()].sort((a, b) => a.code - b.code).map((r) => [String(r.code), r.meaning]);
  }
}
