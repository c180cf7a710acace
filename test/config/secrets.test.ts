import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runGwctl, tempDir, type CliResult, resultOf } from '../helpers/cli.js';

// The runbook: an operator pastes the MongoDB URI itself where gwctl.yaml wants a variable's name or a file's
// path. gwctl refuses the file (exit 2), says why, and never prints the URI or its user: not in the error,
// not under --json, not in a GWCTL_DEBUG=1 stack, in no command.

const URI = 'mongodb://gwadmin:hunter2@db.internal:27017/awala?authSource=admin';
const LEAKS = /gwadmin|hunter2/;

function workspace(mongodb: string): string {
  const dir = tempDir();
  writeFileSync(
    join(dir, 'gwctl.yaml'),
    `environments:\n  prod:\n    project: relaycorp-gateway-prod\n    mongodb: ${mongodb}\n`,
  );
  return dir;
}

/** Every way an operator might run into it: plain, --json, with a debug stack, across commands. */
async function everyWay(dir: string): Promise<CliResult[]> {
  const runs: [string[], NodeJS.ProcessEnv?][] = [
    [['env', 'show', 'prod']],
    [['env', 'show', 'prod', '--json']],
    [['env', 'list']],
    [['env', 'show', 'prod'], { GWCTL_DEBUG: '1' }],
    [['migrate', 'keyev', '--env', 'prod', '--dry-run', '--json'], { GWCTL_DEBUG: '1' }],
  ];
  return Promise.all(runs.map(([args, env]) => runGwctl(args, { cwd: dir, env })));
}

describe('a MongoDB URI written into gwctl.yaml', () => {
  it('in mongodb.uriEnv is refused with exit 2 and never printed', async () => {
    for (const r of await everyWay(workspace(`{ uriEnv: "${URI}" }`))) {
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(
        /error: gwctl\.yaml: environments\.prod\.mongodb\.uriEnv: holds what looks like a URI, not the name of an environment variable \(value not shown\)/,
      );
      expect(r.stdout + r.stderr).not.toMatch(LEAKS);
    }
  });

  it('in mongodb.uriFile is refused with exit 2 and never printed, not even as a normalised path', async () => {
    for (const r of await everyWay(workspace(`{ uriFile: "${URI}" }`))) {
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/environments\.prod\.mongodb\.uriFile: holds what looks like a URI, not a file path/);
      expect(r.stdout + r.stderr).not.toMatch(LEAKS);
      expect(r.stderr).not.toContain('mongodb:/');
    }
  });

  it('behind a relative path, or without its scheme (user:password@host), is refused as well', async () => {
    for (const uriFile of [`./${URI}`, 'secrets/gwadmin:hunter2@db.internal:27017', 'gwadmin:hunter2@db.internal']) {
      const r = await runGwctl(['env', 'show', 'prod'], { cwd: workspace(`{ uriFile: "${uriFile}" }`) });
      expect(r.code).toBe(2);
      expect(r.stdout + r.stderr).not.toMatch(LEAKS);
    }
  });

  it('a path holding @ (a systemd credential) is a path', async () => {
    const uriFile = '/run/credentials/gwctl@prod.service/mongodb-uri';
    const r = await runGwctl(['env', 'show', 'prod', '--json'], { cwd: workspace(`{ uriFile: "${uriFile}" }`) });
    expect(r.code).toBe(0);
    expect(resultOf(r).mongodb.uri).toBe(`from file ${uriFile} (missing; value hidden)`);
  });

  it('as the whole mongodb section, or any bad value under it, is not echoed', async () => {
    for (const mongodb of [
      `"${URI}"`,
      `{ uriEnv: PROD_URI, database: ["${URI}"] }`,
      `{ uriEnv: "PROD URI hunter2" }`,
    ]) {
      const r = await runGwctl(['env', 'show', 'prod', '--json'], { cwd: workspace(mongodb) });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/got a value not shown/);
      expect(r.stdout + r.stderr).not.toMatch(LEAKS);
    }
  });
});

describe('credentials in other URLs of gwctl.yaml', () => {
  it('are refused, since gwctl.yaml holds no secrets', async () => {
    const dir = tempDir();
    writeFileSync(
      join(dir, 'gwctl.yaml'),
      'environments:\n  prod:\n    project: p\n    endpoints: { poweb: "https://gwadmin:hunter2@poweb.example" }\n',
    );
    const r = await runGwctl(['env', 'show', 'prod'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/environments\.prod\.endpoints\.poweb: must not carry credentials/);
    expect(r.stdout + r.stderr).not.toMatch(LEAKS);
  });
});

describe('env show', () => {
  it('shows no credentials a path or URL it prints may hold', async () => {
    const dir = workspace('{ uriEnv: PROD_MONGODB_URI }');
    writeFileSync(
      join(dir, 'gwctl.yaml'),
      'environments:\n  prod:\n    project: p\n    kube: { kubeconfig: "https://gwadmin:hunter2@config.example/kubeconfig" }\n',
    );
    const r = await runGwctl(['env', 'show', 'prod', '--json'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(resultOf(r).kube.kubeconfig).toBe('https://***@config.example/kubeconfig');
    expect(r.stdout + r.stderr).not.toMatch(LEAKS);
  });
});

describe('secrets typed on the command line', () => {
  it('are not echoed by the error, its --json envelope or its GWCTL_DEBUG=1 stack', async () => {
    const r = await runGwctl(['env', 'show', '--env', URI, '--json'], { cwd: tempDir(), env: { GWCTL_DEBUG: '1' } });
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout)).toMatchObject({ status: 2, exitCode: 2, name: 'UsageError' });
    expect(JSON.parse(r.stdout).message).toMatch(/^unknown environment "mongodb:\/\/\*\*\*@db\.internal:27017\//);
    expect(r.stderr).toMatch(/\n\s+at /); // the stack is there, redacted
    expect(r.stdout + r.stderr).not.toMatch(LEAKS);
  });
});
