import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Config } from '@oclif/core';
import { beforeAll, describe, expect, it } from 'vitest';
import GwctlHelp from '../../src/help.js';
import { resultOf, runGwctl, tempDir } from '../helpers/cli.js';

// The conventions SREs expect of a CLI (gcloud, kubectl, the Salesforce CLI), as scripts and cron rely on them.

const ROOT = resolve(import.meta.dirname, '../..');
let dir: string;
let home: string;

beforeAll(() => {
  dir = tempDir('gwctl-conventions-');
  home = join(dir, '.gwctl');
  writeFileSync(
    join(dir, 'gwctl.yaml'),
    `environments:
  prod: { project: relaycorp-gateway-prod }
  staging: { project: relaycorp-gateway-staging }
`,
  );
});

const gwctl = (...args: string[]) => runGwctl(args, { cwd: dir, env: { GWCTL_HOME: home } });

describe('results on stdout, everything else on stderr', () => {
  it('`gwctl env list 2>/dev/null | grep prod` finds prod', async () => {
    const r = await gwctl('env', 'list');
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n').filter((l) => l.startsWith('prod'))).toEqual([
      expect.stringMatching(/^prod\s+relaycorp-gateway-prod/),
    ]);
    // Where the data came from is a note, for the human: stderr.
    expect(r.stderr).toMatch(/^config: /);
    expect(r.stderr).not.toContain('relaycorp-gateway-prod');
  });

  it('warnings go to stderr, and inside the JSON envelope under --json, stdout holding the JSON alone', async () => {
    const log = join(dir, 'audit-with-junk.jsonl');
    writeFileSync(log, 'this is not a record\n');
    const env = { GWCTL_HOME: home, GWCTL_AUDIT_LOG: log };
    const human = await runGwctl(['audit', 'show'], { cwd: dir, env });
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/^SEQ\s+TIME/m);
    expect(human.stdout).not.toContain('warning');
    expect(human.stderr).toMatch(/^warning: .*line 1/m);
    const json = await runGwctl(['audit', 'show', '--json'], { cwd: dir, env });
    const envelope = JSON.parse(json.stdout);
    expect(envelope).toMatchObject({ status: 0, result: { records: [] }, warnings: [expect.stringMatching(/line 1/)] });
  });
});

describe('one JSON envelope: {status, result, warnings}', () => {
  it('a success carries the result and status 0', async () => {
    const r = await gwctl('env', 'list', '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ status: 0, warnings: [] });
    expect(resultOf(r).environments.map((e: { name: string }) => e.name)).toEqual(['prod', 'staging', 'sandbox']);
  });

  it('an error carries its name, message, exit code and next step; stderr keeps its one line', async () => {
    const r = await gwctl('env', 'show', 'nope', '--json');
    expect(r.code).toBe(2);
    const failure = JSON.parse(r.stdout);
    expect(failure).toMatchObject({ status: 2, exitCode: 2, warnings: [], message: expect.stringMatching(/nope/) });
    expect(typeof failure.name).toBe('string');
    expect(r.stderr).toMatch(/^error: .*nope/);
  });

  it('a bad flag is an error envelope too (exit 2)', async () => {
    const r = await gwctl('env', 'list', '--bogus', '--json');
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout)).toMatchObject({ status: 2, exitCode: 2, message: expect.stringMatching(/--bogus/) });
  });

  it('an unknown command answers in JSON under --json, suggesting the closest one (exit 2)', async () => {
    const r = await gwctl('bakup', 'list', '--json');
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout)).toEqual({
      status: 2,
      name: 'CommandNotFoundError',
      message: '"bakup list" is not a gwctl command; did you mean "gwctl backup list"?',
      exitCode: 2,
      actions: ['gwctl backup list --help'],
      warnings: [],
    });
  });
});

describe('help, suggestions, colour, version', () => {
  it('-h is --help', async () => {
    const [short, long] = await Promise.all([gwctl('backup', 'list', '-h'), gwctl('backup', 'list', '--help')]);
    expect(short.code).toBe(0);
    expect(short.stdout).toBe(long.stdout);
    expect(short.stdout).toMatch(/^USAGE/m);
  });

  it('`gwctl bakup list` suggests `backup list` on stderr, runs nothing, exits 2', async () => {
    const r = await gwctl('bakup', 'list');
    expect(r).toMatchObject({ code: 2, stdout: '' });
    expect(r.stderr).toBe(
      'error: "bakup list" is not a gwctl command; did you mean "gwctl backup list"?\n  next: gwctl backup list --help\n',
    );
    const far = await gwctl('frobnicate');
    expect(far.stderr).toMatch(/^error: "frobnicate" is not a gwctl command\n {2}next: gwctl help\n$/);
  });

  it('--color colours even a pipe; --no-color and NO_COLOR do not', async () => {
    const red = '\u001b[31m';
    const forced = await runGwctl(['env', 'show', 'nope', '--color'], { cwd: dir, env: { NO_COLOR: undefined } });
    expect(forced.stderr).toContain(`${red}error:`);
    const off = await runGwctl(['env', 'show', 'nope', '--no-color'], {
      cwd: dir,
      env: { NO_COLOR: undefined, FORCE_COLOR: '1' },
    });
    expect(off.stderr).toMatch(/^error: /);
    const noColor = await runGwctl(['env', 'show', 'nope'], { cwd: dir, env: { NO_COLOR: '1' } });
    expect(noColor.stderr).toMatch(/^error: /);
  });

  it('`gwctl version` prints what `--version` prints; --json gives the parts', async () => {
    const [cmd, flag, json] = await Promise.all([gwctl('version'), gwctl('--version'), gwctl('version', '--json')]);
    const version = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version;
    expect(cmd.stdout).toBe(flag.stdout);
    expect(cmd.stdout).toMatch(new RegExp(`^gwctl/${version.replaceAll('.', '\\.')} \\S+ node-v22\\.`));
    expect(resultOf(json)).toMatchObject({ version, node: expect.stringMatching(/^22\./) });
  });
});

describe('exit codes in every command’s help', () => {
  it('lists 0, 1 and 2 everywhere, and each command’s own codes', async () => {
    const config = await Config.load(ROOT);
    const help = new GwctlHelp(config, { stripAnsi: true }) as unknown as {
      formatCommand(c: Config['commands'][number]): string;
    };
    const own: Record<string, string[]> = {
      'verify:infra': ['3'],
      'diagnose:parcels': ['4'],
      'monitoring:plan': ['3'],
      'monitoring:status': ['3', '4'],
      'env:deprovision': ['130'],
      'backup:create': ['130'],
      'audit:witness': ['1'],
    };
    const commands = config.commands.filter((c) => c.pluginName === 'gwctl' && !c.hidden);
    expect(commands.length).toBeGreaterThan(30);
    expect(Object.keys(own).every((id) => commands.some((c) => c.id === id))).toBe(true);
    for (const c of commands) {
      const id = c.id; // formatCommand renames it with the topic separator (`verify infra`)
      const text = help.formatCommand(c);
      const section = text.slice(text.indexOf('EXIT CODES'));
      expect(text, id).toContain('EXIT CODES');
      for (const code of ['0', '1', '2', ...(own[id] ?? [])])
        expect(section, `${id} exit ${code}`).toMatch(new RegExp(`^\\s+${code}\\s+\\S`, 'm'));
    }
  });
});

describe('help text in messages files', () => {
  it('every command has messages/<topic>.<verb>.md, and no command class carries its own text', async () => {
    const config = await Config.load(ROOT);
    for (const c of config.commands.filter((x) => x.pluginName === 'gwctl')) {
      const file = join(ROOT, 'messages', `${c.id.replaceAll(':', '.')}.md`);
      expect(existsSync(file), file).toBe(true);
      expect(c.summary, c.id).toBe(/# summary\n\n(.+)\n/.exec(readFileSync(file, 'utf8'))?.[1]);
    }
    const inline = readdirSync(join(ROOT, 'src/commands'), { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.ts'))
      .filter((f) =>
        /static (override )?(summary|description|examples) =/.test(readFileSync(join(ROOT, 'src/commands', f), 'utf8')),
      );
    expect(inline).toEqual([]);
  });
});

describe('docs/commands.md', () => {
  it('is what `npm run docs` generates from the commands now (run it after changing a command or its help)', () => {
    const out = join(tempDir('gwctl-docs-'), 'commands.md');
    copyFileSync(join(ROOT, 'docs/commands.md'), out);
    const script = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).scripts.docs as string;
    const args = script
      .replace(/^COLUMNS=120 oclif /, '')
      .replace('docs/commands.md', out)
      .split(' ');
    execFileSync(process.execPath, [join(ROOT, 'node_modules/oclif/bin/run.js'), ...args], {
      cwd: ROOT,
      env: { ...process.env, COLUMNS: '120' },
      stdio: 'pipe',
    });
    expect(
      readFileSync(out, 'utf8') === readFileSync(join(ROOT, 'docs/commands.md'), 'utf8'),
      'docs/commands.md is stale: npm run docs',
    ).toBe(true);
  });
});
