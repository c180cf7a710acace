import type { Hook } from '@oclif/core';
import type { JsonFailure } from '../base-command.js';
import { ExitCode } from '../lib/errors/gwctl-error.js';

/**
 * An unknown command: one line naming the closest command (as oclif's plugin-not-found does), exit 2 like any
 * other bad usage, and under --json the same envelope as every command's error. Unlike the plugin it never
 * asks "did you mean …?" and runs the guess: a guess at a command that deletes environments is not run.
 */
const hook: Hook<'command_not_found'> = async function (opts) {
  const { closestCommand } = await import('../lib/ui/suggest.js');
  const words = [...opts.id.split(':'), ...(opts.argv ?? []).filter((a) => !a.startsWith('-'))];
  const ids = opts.config.commands.filter((c) => !c.hidden).map((c) => c.id.replaceAll(':', ' '));
  const suggestion = closestCommand(words, ids);
  const bin = opts.config.bin;
  const typed = opts.id.replaceAll(':', ' ');
  const message = `"${typed}" is not a ${bin} command${suggestion ? `; did you mean "${bin} ${suggestion}"?` : ''}`;
  const actions = [suggestion ? `${bin} ${suggestion} --help` : `${bin} help`];
  process.exitCode = ExitCode.usage;
  if ((opts.argv ?? []).includes('--json')) {
    const failure: JsonFailure = {
      status: ExitCode.usage,
      name: 'CommandNotFoundError',
      message,
      exitCode: ExitCode.usage,
      actions,
      warnings: [],
    };
    process.stdout.write(`${JSON.stringify(failure, null, 2)}\n`);
  }
  process.stderr.write(`error: ${message}\n  next: ${actions[0]}\n`);
};

export default hook;
