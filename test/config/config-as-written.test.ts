import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runGwctl, tempDir, resultOf } from '../helpers/cli.js';

// gwctl.yaml takes effect exactly as written, on every run: gwctl keeps no validated copy of it that could say
// something else (a cache once did, and a forged entry could point an environment at another cluster).

const yaml = `environments:
  prod:
    project: relaycorp-gateway-prod
    kube: { context: gke_prod }
`;

function workspace() {
  const dir = tempDir();
  const home = join(dir, 'home');
  mkdirSync(home);
  writeFileSync(join(dir, 'gwctl.yaml'), yaml);
  return { dir, home, env: { GWCTL_HOME: home } };
}

/** Every file under `dir`, recursively. */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((f) => join(dir, f))
    .filter((f) => statSync(f).isFile());
}

describe('gwctl.yaml as written', () => {
  it('a forged cache entry cannot send an environment to another cluster', async () => {
    const { dir, home, env } = workspace();
    expect((await runGwctl(['env', 'list'], { cwd: dir, env })).code).toBe(0);
    // Whatever gwctl left in its home, an attacker who can write there rewrites to add a server.
    for (const file of filesUnder(join(home, 'cache'))) {
      const entry = JSON.parse(readFileSync(file, 'utf8'));
      entry.config.environments.prod.kube.server = 'https://attacker.example:443';
      entry.config.environments.prod.region = 'forged';
      writeFileSync(file, JSON.stringify(entry));
    }
    const r = await runGwctl(['env', 'show', 'prod', '--json'], { cwd: dir, env });
    expect(r.code).toBe(0);
    const shown = resultOf(r);
    expect(shown.kube).toEqual({ context: 'gke_prod', namespace: 'default' });
    expect(shown.region).toBe('europe-west1');
  });

  it('leaves no copy of the configuration in the state home', async () => {
    const { dir, home, env } = workspace();
    await runGwctl(['env', 'list'], { cwd: dir, env });
    await runGwctl(['env', 'show', 'prod'], { cwd: dir, env });
    expect(filesUnder(home)).toEqual([]);
  });

  it('is read by the parser bundled at build time, not by yaml and zod module by module (startup)', async () => {
    const { dir, env } = workspace();
    // Counts the modules the process resolves from node_modules/yaml or node_modules/zod, on stderr at exit.
    const probe = join(dir, 'probe.mjs');
    writeFileSync(
      probe,
      `import module from 'node:module';
let seen = 0;
module.registerHooks({ resolve(s, c, next) { const r = next(s, c); if (/node_modules\\/(yaml|zod)\\//.test(r.url)) seen++; return r; } });
process.on('exit', () => process.stderr.write('parser modules: ' + seen + '\\n'));
`,
    );
    const r = await runGwctl(['env', 'list', '--json'], {
      cwd: dir,
      env: { ...env, NODE_OPTIONS: `--import=${probe}` },
    });
    expect(r.code).toBe(0);
    expect(resultOf(r).environments.map((e: { name: string }) => e.name)).toEqual(['prod', 'sandbox']);
    expect(r.stderr).toMatch(/parser modules: 0\n/);
  });
});
