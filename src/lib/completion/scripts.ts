/** The shells `gwctl autocomplete` writes a script for. */
export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];

/**
 * A completion script that asks `<bin> __complete -- <words>` what may come next (as kubectl's and gh's ask
 * `__complete`), so it knows every command and flag of the installed version, and the environments of the
 * gwctl.yaml in reach; nothing is cached. Where gwctl proposes nothing (a path for --config), the shell's own
 * file completion takes over (bash, zsh).
 *
 * Not @oclif/plugin-autocomplete: it writes bash, zsh and PowerShell scripts but none for fish, completes only
 * the command and flag names it cached at setup (stale after an upgrade, no environment names for --env), and as
 * a plugin it is loaded on every run; this is one hidden command, loaded only when the shell asks.
 */
export function completionScript(shell: Shell, bin: string): string {
  const fn = `_${bin.replace(/\W/g, '_')}_complete`;
  switch (shell) {
    case 'bash':
      return `# ${bin} completion for bash; add to ~/.bashrc: source <(${bin} autocomplete bash)
${fn}() {
  local IFS=$'\\n'
  COMPREPLY=($(${bin} __complete -- "\${COMP_WORDS[@]:1:$COMP_CWORD}" 2>/dev/null))
}
complete -o default -F ${fn} ${bin}
`;
    case 'zsh':
      return `#compdef ${bin}
# ${bin} completion for zsh; add to ~/.zshrc after compinit: source <(${bin} autocomplete zsh)
${fn}() {
  local -a candidates
  candidates=("\${(@f)$(${bin} __complete -- "\${(@)words[2,CURRENT]}" 2>/dev/null)}")
  if [[ -n "\${candidates[1]}" ]]; then compadd -- "\${candidates[@]}"; else _files; fi
}
compdef ${fn} ${bin}
`;
    case 'fish':
      return `# ${bin} completion for fish: ${bin} autocomplete fish > ~/.config/fish/completions/${bin}.fish
complete -c ${bin} -f -a '(${bin} __complete -- (commandline -opc)[2..-1] (commandline -ct) 2>/dev/null)'
`;
  }
}
