import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runGwctl, tempDir } from '../helpers/cli.js';

/** A directory holding this gwctl.yaml, where gwctl finds it. */
function workspace(yaml: string): string {
  const dir = tempDir();
  writeFileSync(join(dir, 'gwctl.yaml'), yaml);
  return dir;
}

const oneEnv = 'environments:\n  prod: { project: relaycorp-gateway-prod }\n';
const NAME_RULE = /an environment name is a lowercase letter \(a-z\), then up to 62 lowercase letters, digits or "-"/;

/** Exit 2, one line on stderr, no stack. */
function expectUsageError(r: { code: number; stderr: string }, message: RegExp) {
  expect(r.code).toBe(2);
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
  expect(r.stderr).toMatch(message);
  expect(r.stderr).not.toMatch(/TypeError|\n\s+at /);
}

describe('choosing an environment', () => {
  it('names an object built-in such as toString or __proto__: an unknown environment, not a crash', async () => {
    const dir = workspace(oneEnv);
    for (const name of ['toString', 'constructor', '__proto__', 'hasOwnProperty', 'valueOf']) {
      for (const args of [
        ['env', 'show', name],
        ['env', 'status', '--env', name],
        ['backup', 'list', '--env', name],
      ]) {
        const r = await runGwctl(args, { cwd: dir });
        expectUsageError(
          r,
          new RegExp(`^error: unknown environment "${name}" \\(gwctl\\.yaml\\); known: prod, sandbox\\n$`),
        );
      }
    }
  });

  it('defaultEnv naming a built-in is refused too', async () => {
    const r = await runGwctl(['env', 'show'], { cwd: workspace(`defaultEnv: constructor\n${oneEnv}`) });
    expectUsageError(r, /^error: unknown environment "constructor"/);
  });
});

describe('environment names in gwctl.yaml', () => {
  it('an environment called __proto__ is an error, not silently dropped', async () => {
    const r = await runGwctl(['env', 'list'], {
      cwd: workspace('environments:\n  __proto__: { project: p }\n  prod: { project: q }\n'),
    });
    expectUsageError(r, /^error: gwctl\.yaml: environments: "__proto__" is not a valid name: /);
    expect(r.stderr).toMatch(NAME_RULE);
  });

  it('"../x" is refused with the characters a name may have', async () => {
    const r = await runGwctl(['env', 'list'], { cwd: workspace('environments:\n  "../x": { project: p }\n') });
    expectUsageError(r, /^error: gwctl\.yaml: environments: "\.\.\/x" is not a valid name: /);
    expect(r.stderr).toMatch(NAME_RULE);
  });

  it('defaultEnv must be a valid name', async () => {
    const r = await runGwctl(['env', 'list'], { cwd: workspace(`defaultEnv: Prod\n${oneEnv}`) });
    expectUsageError(
      r,
      /^error: gwctl\.yaml: defaultEnv: expected an environment name \(a lowercase letter .*\), got "Prod"$/m,
    );
  });
});

describe('a hostile gwctl.yaml', () => {
  it('an alias bomb ("billion laughs") exits 2 naming the file', async () => {
    const levels = ['a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]'];
    for (const [prev, name] of ['ab', 'bc', 'cd', 'de', 'ef', 'fg', 'gh', 'hi'].map((p) => [...p]))
      levels.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(', ')}]`);
    const r = await runGwctl(['env', 'list'], { cwd: workspace(`${levels.join('\n')}\nenvironments: {}\n`) });
    expectUsageError(r, /^error: gwctl\.yaml: invalid YAML: its aliases \(\*name\) expand too far/);
  });
});
