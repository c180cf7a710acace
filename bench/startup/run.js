// Startup cost of gwctl against a bare oclif CLI with one command, median of N runs each, interleaved so that
// load from other processes hits every command alike. Goal: ratio ≤ 1.3 for
//  - `gwctl --version` vs `bare --version`: no cloud SDK is loaded at startup;
//  - `gwctl env list` with a gwctl.yaml vs `bare hello`: reading and validating gwctl.yaml (on every run, as
//    nothing is cached) stays cheap, thanks to the parser bundled at build time (scripts/bundle-config-parser.js).
// Run with `npm run bench:startup` (after `npm run build`).
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const runs = Number(process.env.RUNS ?? 15);
const root = resolve(import.meta.dirname, '../..');

function bareOclif() {
  const dir = mkdtempSync(join(tmpdir(), 'bare-oclif-'));
  mkdirSync(join(dir, 'bin'));
  mkdirSync(join(dir, 'commands'));
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'));
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ name: 'bare', version: '1.0.0', type: 'module', oclif: { bin: 'bare', commands: './commands' } }),
  );
  writeFileSync(
    join(dir, 'commands', 'hello.js'),
    "import { Command } from '@oclif/core';\nexport default class Hello extends Command { async run() { this.log('hi'); } }\n",
  );
  writeFileSync(
    join(dir, 'bin', 'run.js'),
    "import { execute } from '@oclif/core';\nawait execute({ dir: import.meta.url });\n",
  );
  return join(dir, 'bin', 'run.js');
}

/** A directory with a gwctl.yaml of two environments, as an operator's checkout has. */
function workspace() {
  const dir = mkdtempSync(join(tmpdir(), 'gwctl-startup-'));
  writeFileSync(
    join(dir, 'gwctl.yaml'),
    `defaultEnv: prod
environments:
  prod:
    project: relaycorp-gateway-prod
    kube: { context: gke_relaycorp-gateway-prod_europe-west1_gateway }
    buckets: { parcels: gateway-prod-parcels-1a2b3c, vault: relaycorp-gateway-prod-vault }
    mongodb: { uriEnv: PROD_MONGODB_URI }
    endpoints: { poweb: "https://poweb.prod.gateway.example", cogrpc: "cogrpc.prod.gateway.example:443" }
    monitoring: { urlMaps: [k8s2-um-xxxx-default-public-gateway-yyyy] }
  staging:
    project: relaycorp-gateway-staging
    mongodb: { uriFile: /run/secrets/mongodb-uri }
`,
  );
  return dir;
}

function median(values) {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Median wall time of each command; the first two rounds warm the disk cache and the compile cache. */
function time(commands) {
  const samples = commands.map(() => []);
  for (let i = 0; i < runs + 2; i++) {
    commands.forEach(({ script, args, cwd }, c) => {
      const t0 = process.hrtime.bigint();
      execFileSync(process.execPath, [script, ...args], {
        cwd,
        stdio: 'ignore',
        env: { ...process.env, NODE_ENV: 'production', GWCTL_CONFIG: '', GWCTL_HOME: join(cwd, '.gwctl') },
      });
      if (i >= 2) samples[c].push(Number(process.hrtime.bigint() - t0) / 1e6);
    });
  }
  return samples.map(median);
}

const bare = bareOclif();
const gwctl = join(root, 'bin', 'run.js');
const empty = mkdtempSync(join(tmpdir(), 'gwctl-startup-empty-'));
const [bareVersion, bareHello, gwctlVersion, gwctlHelp, gwctlEnvList] = time([
  { script: bare, args: ['--version'], cwd: empty },
  { script: bare, args: ['hello'], cwd: empty },
  { script: gwctl, args: ['--version'], cwd: empty },
  { script: gwctl, args: ['env', 'list', '--help'], cwd: empty },
  { script: gwctl, args: ['env', 'list'], cwd: workspace() },
]);
const verdict = (ratio) => `${ratio.toFixed(2)} (goal ≤ 1.30) ${ratio <= 1.3 ? 'OK' : 'OVER'}`;
console.log(`bare oclif --version:  ${bareVersion.toFixed(1)} ms (median of ${runs})`);
console.log(`bare oclif hello:      ${bareHello.toFixed(1)} ms`);
console.log(`gwctl --version:       ${gwctlVersion.toFixed(1)} ms`);
console.log(`gwctl env list --help: ${gwctlHelp.toFixed(1)} ms`);
console.log(`gwctl env list (gwctl.yaml validated): ${gwctlEnvList.toFixed(1)} ms`);
console.log(`ratio gwctl/bare --version:          ${verdict(gwctlVersion / bareVersion)}`);
console.log(`ratio gwctl env list/bare hello:     ${verdict(gwctlEnvList / bareHello)}`);
