/** What completion needs of a command, as oclif's manifest has it. */
export interface CompletableCommand {
  /** Words separated by spaces: `bucket ttl set`. */
  id: string;
  flags: Record<string, { char?: string; type: 'boolean' | 'option'; options?: readonly string[]; allowNo?: boolean }>;
  args: { name: string; options?: readonly string[] }[];
}

/**
 * The words that may come next on a gwctl command line, for shell completion: `words` are those after `gwctl`, the
 * last being the one under the cursor (empty when it starts a new word). Commands and subcommands, a command's
 * flags, a flag's values (its options; environment names for `--env`), and an argument's values likewise.
 */
export function completions(commands: CompletableCommand[], words: string[], environments: () => string[]): string[] {
  const current = words.at(-1) ?? '';
  const before = words.slice(0, -1);
  const path: string[] = [];
  for (const w of before) {
    if (w.startsWith('-')) break;
    path.push(w);
  }
  const command = longestCommand(commands, path);
  const values = (flag: ReturnType<typeof findFlag>) =>
    flag?.type === 'option' ? (flag.name === 'env' ? environments() : [...(flag.options ?? [])]) : undefined;
  // `--env=st`: zsh and fish pass it as one word, bash as three (`--env`, `=`, `st`: `=` breaks words there).
  const inline = /^(--[^=]+)=(.*)$/.exec(current);
  if (inline) {
    const found = values(findFlag(command, inline[1]!))?.filter((v) => v.startsWith(inline[2]!)) ?? [];
    return [...new Set(found)].sort().map((v) => `${inline[1]}=${v}`);
  }
  const candidates = (() => {
    const previous = before.at(-1) === '=' ? before.at(-2) : before.at(-1);
    const flag = previous?.startsWith('-') && !previous.includes('=') ? findFlag(command, previous) : undefined;
    const flagValues = values(flag);
    if (flagValues) return flagValues;
    if (current.startsWith('-')) {
      if (!command) return ['--help', '--version'];
      return [
        '--help',
        ...Object.entries(command.flags).flatMap(([name, f]) => [`--${name}`, ...(f.allowNo ? [`--no-${name}`] : [])]),
      ];
    }
    const prefix = path.join(' ');
    const next = commands
      .filter((c) => (prefix ? c.id.startsWith(`${prefix} `) : true))
      .map((c) => c.id.split(' ')[path.length]!);
    if (command && path.length >= command.id.split(' ').length) {
      const arg = command.args[path.length - command.id.split(' ').length];
      if (arg) next.push(...(arg.name === 'env' ? environments() : (arg.options ?? [])));
    }
    return next;
  })();
  return [...new Set(candidates.filter((c) => c.startsWith(current)))].sort();
}

function longestCommand(commands: CompletableCommand[], path: string[]): CompletableCommand | undefined {
  for (let n = path.length; n > 0; n--) {
    const found = commands.find((c) => c.id === path.slice(0, n).join(' '));
    if (found) return found;
  }
  return undefined;
}

function findFlag(command: CompletableCommand | undefined, word: string) {
  if (!command) return undefined;
  const entry = word.startsWith('--')
    ? Object.entries(command.flags).find(([name]) => `--${name}` === word)
    : Object.entries(command.flags).find(([, f]) => f.char && `-${f.char}` === word);
  return entry ? { name: entry[0], ...entry[1] } : undefined;
}
