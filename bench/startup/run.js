// Startup cost of `gwctl --version` against a bare oclif CLI with one command, median of N runs each.
// Goal: ratio ≤ 1.3, i.e. no cloud SDK is loaded at startup. Run with `npm run bench:startup` (after `npm run build`).
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

function median(values) {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function time(script, args) {
  const samples = [];
  for (let i = 0; i < runs + 2; i++) {
    const t0 = process.hrtime.bigint();
    execFileSync(process.execPath, [script, ...args], {
      stdio: 'ignore',
      env: { ...process.env, NODE_ENV: 'production' },
    });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (i >= 2) samples.push(ms); // the first runs warm the disk cache and the compile cache
  }
  return median(samples);
}

const bare = time(bareOclif(), ['--version']);
const gwctl = time(join(root, 'bin', 'run.js'), ['--version']);
const gwctlHelp = time(join(root, 'bin', 'run.js'), ['env', 'list', '--help']);
const ratio = gwctl / bare;
console.log(`bare oclif --version: ${bare.toFixed(1)} ms (median of ${runs})`);
console.log(`gwctl --version:      ${gwctl.toFixed(1)} ms`);
console.log(`gwctl env list --help: ${gwctlHelp.toFixed(1)} ms`);
console.log(`ratio gwctl/bare: ${ratio.toFixed(2)} (goal ≤ 1.30) ${ratio <= 1.3 ? 'OK' : 'OVER'}`);
