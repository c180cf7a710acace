import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { completions, type CompletableCommand } from '../../src/lib/completion/candidates.js';
import { runGwctl, tempDir } from '../helpers/cli.js';

// Runbook: "install shell completion" (README). The scripts ask `gwctl __complete`, so each shell is driven for
// real where it is installed: bash's programmable completion (COMP_WORDS/COMP_CWORD, `complete -F`, as in the
// bash manual's "Programmable Completion"), fish's `complete -C` (fish docs, `complete`), and zsh's completion
// function called with `words`/`CURRENT` as zshcompsys sets them.

const COMMANDS: CompletableCommand[] = [
  {
    id: 'backup list',
    flags: { env: { char: 'e', type: 'option' }, json: { type: 'boolean' } },
    args: [],
  },
  {
    id: 'diagnose parcels',
    flags: { skip: { type: 'option', options: ['http', 'websocket'] }, color: { type: 'boolean', allowNo: true } },
    args: [],
  },
  { id: 'env protect', flags: {}, args: [{ name: 'env' }] },
  { id: 'env list', flags: {}, args: [] },
];
const envs = () => ['prod', 'staging'];

describe('completion candidates', () => {
  it('complete topics, then commands within a topic', () => {
    expect(completions(COMMANDS, [''], envs)).toEqual(['backup', 'diagnose', 'env']);
    expect(completions(COMMANDS, ['env', ''], envs)).toEqual(['list', 'protect']);
    expect(completions(COMMANDS, ['env', 'p'], envs)).toEqual(['protect']);
  });

  it("complete a command's flags, with --no- for negatable ones", () => {
    expect(completions(COMMANDS, ['diagnose', 'parcels', '--'], envs)).toEqual([
      '--color',
      '--help',
      '--no-color',
      '--skip',
    ]);
  });

  it("complete a flag's values, and environment names for --env, -e and an env argument", () => {
    expect(completions(COMMANDS, ['diagnose', 'parcels', '--skip', 'w'], envs)).toEqual(['websocket']);
    expect(completions(COMMANDS, ['backup', 'list', '--env', ''], envs)).toEqual(['prod', 'staging']);
    expect(completions(COMMANDS, ['backup', 'list', '-e', 's'], envs)).toEqual(['staging']);
    expect(completions(COMMANDS, ['env', 'protect', ''], envs)).toEqual(['prod', 'staging']);
  });

  it('complete --flag=value, as zsh and fish pass it (one word) and as bash does (`=` breaks words)', () => {
    expect(completions(COMMANDS, ['backup', 'list', '--env=p'], envs)).toEqual(['--env=prod']);
    expect(completions(COMMANDS, ['diagnose', 'parcels', '--skip='], envs)).toEqual([
      '--skip=http',
      '--skip=websocket',
    ]);
    expect(completions(COMMANDS, ['backup', 'list', '--env', '=', 's'], envs)).toEqual(['staging']);
  });

  it('propose nothing after an unknown word, or where a command takes no argument', () => {
    expect(completions(COMMANDS, ['bakup', ''], envs)).toEqual([]);
    expect(completions(COMMANDS, ['env', 'list', ''], envs)).toEqual([]);
  });
});

let dir: string;
let binDir: string;

beforeAll(() => {
  dir = tempDir('gwctl-completion-');
  writeFileSync(
    join(dir, 'gwctl.yaml'),
    'environments:\n  prod: { project: relaycorp-gateway-prod }\n  staging: { project: relaycorp-gateway-staging }\n',
  );
  // `gwctl` on PATH, as an installed one is: the scripts call it by name.
  binDir = join(dir, 'bin');
  mkdirSync(binDir);
  const run = resolve(import.meta.dirname, '../../bin/run.js');
  writeFileSync(join(binDir, 'gwctl'), `#!/bin/sh\nexec "${process.execPath}" "${run}" "$@"\n`);
  chmodSync(join(binDir, 'gwctl'), 0o755);
});

const shellEnv = () => ({ ...process.env, PATH: `${binDir}:${process.env.PATH}`, NODE_ENV: 'production' });
const has = (shell: string) => {
  try {
    execFileSync('sh', ['-c', `command -v ${shell}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};
const inShell = (shell: string, script: string) =>
  execFileSync(shell, ['-c', script], { cwd: dir, env: shellEnv(), encoding: 'utf8', timeout: 60_000 })
    .split('\n')
    .filter(Boolean);

describe('gwctl autocomplete', () => {
  it('prints the script for the shell on stdout, and refuses another shell (exit 2)', async () => {
    const r = await runGwctl(['autocomplete', 'bash'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^complete -o default -F _gwctl_complete gwctl$/m);
    const bad = await runGwctl(['autocomplete', 'tcsh'], { cwd: dir });
    expect(bad.code).toBe(2);
    expect(bad.stdout).toBe('');
    expect(bad.stderr).toMatch(/Expected tcsh to be one of: bash, zsh, fish/);
  });

  it('__complete answers from the installed commands and the gwctl.yaml in reach', async () => {
    const r = await runGwctl(['__complete', '--', 'env', 'show', '--env', ''], { cwd: dir });
    expect(r).toMatchObject({ code: 0, stdout: 'prod\nsandbox\nstaging\n', stderr: '' });
    const cmds = await runGwctl(['__complete', '--', 'backup', 'li'], { cwd: dir });
    expect(cmds.stdout).toBe('list\n');
    // Hidden commands are not proposed.
    const top = await runGwctl(['__complete', '--', ''], { cwd: dir });
    expect(top.stdout.split('\n')).toEqual(expect.arrayContaining(['autocomplete', 'backup', 'doctor', 'version']));
    expect(top.stdout).not.toContain('__complete');
  });

  it('a gwctl.yaml that does not parse completes commands, and no environment, silently', async () => {
    const broken = tempDir('gwctl-completion-broken-');
    writeFileSync(join(broken, 'gwctl.yaml'), 'environments: [not, a, map\n');
    const r = await runGwctl(['__complete', '--', 'env', 'show', '--env', ''], { cwd: broken });
    expect(r).toMatchObject({ code: 0, stdout: 'sandbox\n', stderr: '' });
  });

  it('bash: Tab completes a subcommand and an environment', () => {
    const complete = (words: string[]) =>
      inShell(
        'bash',
        `source <(gwctl autocomplete bash); COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); ` +
          `COMP_CWORD=${words.length - 1}; _gwctl_complete; printf '%s\\n' "\${COMPREPLY[@]}"; complete -p gwctl`,
      );
    expect(complete(['gwctl', 'backup', 'li'])).toEqual(['list', 'complete -o default -F _gwctl_complete gwctl']);
    expect(complete(['gwctl', 'env', 'show', '--env', 'st'])).toContain('staging');
    expect(complete(['gwctl', 'env', 'show', '--env', '=', 'p'])).toContain('prod');
  });

  it.skipIf(!has('fish'))('fish: Tab completes a subcommand and an environment', () => {
    const out = inShell(
      'fish',
      `gwctl autocomplete fish | source; complete -C 'gwctl backup li'; complete -C 'gwctl env show --env st'; complete -C 'gwctl env show --env=p'`,
    );
    expect(out).toEqual(['list', 'staging', '--env=prod']);
  });

  it.skipIf(!has('zsh'))('zsh: the completion function offers what gwctl answers, else files', () => {
    // compinit's compdef/compadd/_files stand in as recorders: the function runs as zsh calls it on Tab.
    const out = inShell(
      'zsh',
      `compdef() { print "compdef $*" }; compadd() { print -l -- "\${@:2}" }; _files() { print FILES }
source <(gwctl autocomplete zsh)
words=(gwctl backup li); CURRENT=3; _gwctl_complete
words=(gwctl env show --config ./g); CURRENT=5; _gwctl_complete`,
    );
    expect(out).toEqual(['compdef _gwctl_complete gwctl', 'list', 'FILES']);
  });
});
