import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { environmentNames, resolveEnvironment } from '../../src/lib/config/environments.js';
import { loadConfig, parseConfig } from '../../src/lib/config/load.js';
import { UsageError } from '../../src/lib/errors/gwctl-error.js';
import { sandboxEnvironment } from '../../src/lib/sandbox/environment.js';
import { resultOf, runGwctl, tempDir } from '../helpers/cli.js';

const valid = `
environments:
  prod:
    project: relaycorp-gateway-prod
    buckets: { parcels: gateway-prod-parcels-1a2b3c, vault: relaycorp-gateway-prod-vault }
    mongodb: { uriEnv: PROD_MONGODB_URI }
`;

describe('gwctl.yaml', () => {
  it('fills in the gateway defaults', () => {
    const config = parseConfig(valid, 'gwctl.yaml');
    const prod = config.environments.prod!;
    expect(prod.kube.namespace).toBe('default');
    expect(prod.mongodb?.database).toBe('awala-gateway');
    expect(prod.mongodb?.configCollection).toBe('configitems');
    expect(prod.workloads.ingress).toBe('public-gateway');
    expect(prod.workloads.deployments).toContain('public-gateway-cogrpc');
  });

  it('names the file and the field of a bad value', () => {
    const bad = valid.replace('relaycorp-gateway-prod-vault', 'Vault_Bucket');
    expect(() => parseConfig(bad, '/x/gwctl.yaml')).toThrow(
      /gwctl\.yaml: environments\.prod\.buckets\.vault: expected a GCS bucket name.*"Vault_Bucket"/,
    );
  });

  it('refuses a MongoDB URI written in the file', () => {
    const bad = valid.replace('uriEnv: PROD_MONGODB_URI', 'uri: mongodb://u:p@h/db');
    expect(() => parseConfig(bad, 'gwctl.yaml')).toThrow(UsageError);
  });

  it('reserves the sandbox name', () => {
    expect(() => parseConfig('environments:\n  sandbox: { project: x }\n', 'gwctl.yaml')).toThrow(
      /reserved for the local sandbox/,
    );
  });

  it('is found in a parent directory, and via GWCTL_CONFIG', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'gwctl.yaml'), valid);
    mkdirSync(join(dir, 'a', 'b'), { recursive: true });
    expect(loadConfig({ cwd: join(dir, 'a', 'b'), env: {} }).file).toBe(join(dir, 'gwctl.yaml'));
    const other = tempDir();
    expect(loadConfig({ cwd: other, env: { GWCTL_CONFIG: join(dir, 'gwctl.yaml') } }).file).toBe(
      join(dir, 'gwctl.yaml'),
    );
  });

  it('always knows the sandbox environment, even with no file, and refuses it while it is stopped', () => {
    const loaded = loadConfig({ cwd: tempDir(), env: {} });
    vi.stubEnv('GWCTL_HOME', tempDir());
    expect(environmentNames(loaded)).toEqual(['sandbox']);
    expect(() => resolveEnvironment(loaded, 'sandbox', sandboxEnvironment)).toThrow(
      'the sandbox is not running: start it with `gwctl sandbox start`',
    );
    expect(() => resolveEnvironment(loaded, 'prod', sandboxEnvironment)).toThrow(
      /unknown environment "prod".*known: sandbox/,
    );
    vi.unstubAllEnvs();
  });
});

describe('gwctl env show', () => {
  it('exits 2 with one line naming file and field on a malformed yaml', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'gwctl.yaml'), valid.replace('project: relaycorp-gateway-prod', 'project: 42'));
    const r = await runGwctl(['env', 'show', 'prod'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/gwctl\.yaml: environments\.prod\.project: expected string, got 42/);
  });

  it('exits 2 naming the line of broken YAML', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'gwctl.yaml'), 'environments:\n  prod:\n    project: p\n   bad: [\n');
    const r = await runGwctl(['env', 'show', 'prod'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: gwctl\.yaml:4:\d+: invalid YAML/);
  });

  it('masks the MongoDB URI and prints JSON on stdout only', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'gwctl.yaml'), valid);
    const r = await runGwctl(['env', 'show', 'prod', '--json'], {
      cwd: dir,
      env: { PROD_MONGODB_URI: 'mongodb://admin:hunter2@db:27017' },
    });
    expect(r.code).toBe(0);
    const shown = resultOf(r);
    expect(shown.mongodb.uri).toBe('from $PROD_MONGODB_URI (set; value hidden)');
    expect(r.stdout + r.stderr).not.toContain('hunter2');
  });

  it('lists the sandbox with no gwctl.yaml', async () => {
    const r = await runGwctl(['env', 'list', '--json'], { cwd: tempDir() });
    expect(r.code).toBe(0);
    expect(resultOf(r).environments.map((e: { name: string }) => e.name)).toEqual(['sandbox']);
  });

  it('exits 2 on an unknown flag', async () => {
    const r = await runGwctl(['env', 'list', '--bogus'], { cwd: tempDir() });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Nonexistent flag: --bogus/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
