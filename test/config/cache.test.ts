import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { describe, expect, it } from 'vitest';
import { configCachePath } from '../../src/lib/config/cache.js';
import { loadConfig } from '../../src/lib/config/load.js';
import { openConfig } from '../../src/lib/config/open.js';
import { runGwctl, tempDir } from '../helpers/cli.js';

// Everything the schema can hold, with defaults left to fill in and a YAML alias, so a cached result is
// compared with a fresh one on every kind of value.
const rich = `
defaultEnv: prod
audit: { file: ./audit.jsonl }
environments:
  prod:
    project: relaycorp-gateway-prod
    buckets: { parcels: gateway-prod-parcels-1a2b3c, vault: relaycorp-gateway-prod-vault }
    extraBuckets: [gateway-prod-extra]
    mongodb: { uriEnv: PROD_MONGODB_URI }
    kube: { context: gke_prod, server: "https://10.0.0.1:443/" }
    endpoints: { poweb: "https://poweb.example.com/", cogrpc: "cogrpc.example.com:443" }
    terraform: { varFile: infra/prod.tfvars }
    monitoring: &monitoring { urlMaps: [k8s-um-public-gateway] }
    emulators: { storage: "http://127.0.0.1:1" }
  staging:
    project: relaycorp-gateway-staging
    mongodb: { uriFile: /run/secrets/mongodb-uri, database: staging, keystoreCollections: [] }
    monitoring: *monitoring
    workloads: { vault: deployment/vault, deployments: [] }
  bare:
    project: p
`;

/** A gwctl.yaml and an existing state home, as a command would find them. */
function setup(text = rich) {
  const dir = tempDir();
  const file = join(dir, 'gwctl.yaml');
  const home = join(dir, 'home');
  writeFileSync(file, text);
  mkdirSync(home);
  const open = (version = '1.2.3') => openConfig({ file, version, env: { GWCTL_HOME: home }, cwd: dir });
  const entryPath = configCachePath(home, file);
  return { dir, file, home, open, entryPath, entry: () => JSON.parse(readFileSync(entryPath, 'utf8')) };
}

describe('the gwctl.yaml cache', () => {
  it('gives back exactly what validation returns (a miss, then a hit)', async () => {
    const { file, open, entryPath } = setup();
    const miss = (await open())();
    expect(existsSync(entryPath)).toBe(true);
    const hit = (await open())();
    expect(hit).toStrictEqual(miss);
    expect(isDeepStrictEqual(hit, loadConfig({ flag: file }))).toBe(true); // prototypes and undefined fields too
    expect(hit.config.environments.staging!.mongodb!.keystoreCollections).toEqual([]);
  });

  it('is what a hit reads', async () => {
    const { open, entryPath, entry } = setup();
    (await open())();
    const planted = entry();
    planted.config.environments.prod.region = 'from-the-cache';
    writeFileSync(entryPath, JSON.stringify(planted));
    expect((await open())().config.environments.prod!.region).toBe('from-the-cache');
  });

  it('is keyed on the exact text: an edited file is validated again', async () => {
    const { file, open, entry } = setup();
    expect((await open())().config.environments.bare!.project).toBe('p');
    writeFileSync(file, rich.replace('project: p', 'project: q'));
    expect((await open())().config.environments.bare!.project).toBe('q');
    expect(entry().text).toContain('project: q');
  });

  it("is keyed on gwctl's version", async () => {
    const { open, entryPath, entry } = setup();
    (await open('1.2.3'))();
    const planted = entry();
    planted.config.environments.prod.region = 'stale';
    writeFileSync(entryPath, JSON.stringify(planted));
    expect((await open('1.2.4'))().config.environments.prod!.region).toBe('europe-west1');
  });

  it('falls back silently when the entry is corrupt, truncated or writable by others', async () => {
    const { file, open, entryPath } = setup();
    const fresh = loadConfig({ flag: file });
    (await open())();
    for (const bad of ['{"fingerprint":', 'null', '[]', '{"config": 1}']) {
      writeFileSync(entryPath, bad);
      expect((await open())()).toStrictEqual(fresh);
    }
    const good = readFileSync(entryPath, 'utf8'); // rewritten by the last fallback
    expect(JSON.parse(good).config).toStrictEqual(fresh.config);
    chmodSync(entryPath, 0o666);
    const planted = JSON.parse(good);
    planted.config.environments.prod.region = 'planted';
    writeFileSync(entryPath, JSON.stringify(planted));
    expect((await open())().config.environments.prod!.region).toBe('europe-west1');
  });

  it('is private: 0600 in a 0700 directory, written whole', async () => {
    const { home, open, entryPath } = setup();
    (await open())();
    expect(statSync(entryPath).mode & 0o777).toBe(0o600);
    expect(statSync(join(home, 'cache')).mode & 0o777).toBe(0o700);
    expect(readdirSync(join(home, 'cache'))).toHaveLength(1); // no temp file left behind
  });

  it('never holds an invalid file, whose error reads as without a cache', async () => {
    const { file, home, open } = setup(rich.replace('project: p', 'project: 42'));
    const loader = await open();
    expect(loader).toThrow(/gwctl\.yaml: environments\.bare\.project: expected string, got 42/);
    expect(() => loadConfig({ flag: file })).toThrow(
      /gwctl\.yaml: environments\.bare\.project: expected string, got 42/,
    );
    expect(existsSync(join(home, 'cache'))).toBe(false);
  });

  it('reports an unreadable file when first used, as without a cache', async () => {
    const { dir, home } = setup();
    const missing = join(dir, 'nope.yaml');
    const loader = await openConfig({ file: missing, version: '1', env: { GWCTL_HOME: home }, cwd: dir });
    expect(loader).toThrow(/nope\.yaml: cannot read the config file \(ENOENT\); check --config \/ GWCTL_CONFIG/);
  });

  it('does not create the state home', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'gwctl.yaml'), rich);
    const loaded = (await openConfig({ file: join(dir, 'gwctl.yaml'), version: '1', env: {}, cwd: dir }))();
    expect(loaded.config.defaultEnv).toBe('prod');
    expect(readdirSync(dir)).toEqual(['gwctl.yaml']); // no .gwctl
  });
});

describe('gwctl with a cached gwctl.yaml', () => {
  it('answers the same and loads neither yaml nor zod', async () => {
    const { dir, file, home } = setup();
    // Lists the parser modules the process loaded, on stderr at exit.
    const probe = join(dir, 'probe.mjs');
    writeFileSync(
      probe,
      `import module from 'node:module';
const seen = [];
module.registerHooks({ resolve(s, c, next) { const r = next(s, c); if (/node_modules\\/(yaml|zod)\\/|config\\/(load|schema)\\.js/.test(r.url)) seen.push(r.url); return r; } });
process.on('exit', () => process.stderr.write('parser modules: ' + seen.length + '\\n'));
`,
    );
    const env = { GWCTL_CONFIG: file, GWCTL_HOME: home, NODE_OPTIONS: `--import=${probe}` };
    // env list, as env show loads yaml anyway to print
    const first = await runGwctl(['env', 'list', '--json'], { cwd: dir, env });
    const second = await runGwctl(['env', 'list', '--json'], { cwd: dir, env });
    expect(first.code).toBe(0);
    expect(first.stderr).not.toMatch(/parser modules: 0\n/);
    expect(second.stderr).toMatch(/parser modules: 0\n/);
    expect(second.stdout).toBe(first.stdout);

    writeFileSync(file, rich.replace('project: p', 'project: 42'));
    const broken = await runGwctl(['env', 'list'], { cwd: dir, env });
    expect(broken.code).toBe(2);
    expect(broken.stderr).toMatch(/^error: gwctl\.yaml: environments\.bare\.project: expected string, got 42\n/);
  });
});
