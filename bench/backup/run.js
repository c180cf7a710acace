// `gwctl backup create` against `rclone copy` on the same GCS emulator: N small objects, equal concurrency,
// median of RUNS runs each, then gwctl's no-change re-run, `backup verify`, `backup restore` of the backup
// into a new bucket and `backup prune --keep 1` (the first of the two backups goes; every blob stays referenced). Every gwctl run prints its time and peak RSS (GNU time's maximum resident set size).
// Goals (issue #18): at LATENCY_MS=10 gwctl ≥ 1.5× faster than rclone at equal concurrency, and not slower
// at 0 ms; a no-change re-run copies nothing, makes ≤ 2·⌈N/1000⌉ + 10 HTTP requests and is ≥ 3× faster than
// rclone's no-change re-run at LATENCY_MS=10; restore takes ≤ 1.5× the time of the backup; peak RSS ≤ 200 MiB
// at 100,000 objects, ≤ 256 MiB at 1,000,000. Run with `npm run build && npm run bench:backup` (needs Debian's
// rclone: `apt-get install -y rclone`; RCLONE=0 leaves it out, e.g. with OBJECTS=1000000, RUNS=1). Both tools
// run as separate processes against an emulator in this one, so each is timed end to end as an operator would
// run it (process start included). The objects are seeded in this process, not uploaded one by one, so a
// million of them take seconds.
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
//
// ENGINE=sts runs `backup create|restore --engine sts`: the Storage Transfer Service emulator
// (@gwctl/emulators/storagetransfer) beside the GCS emulator runs the jobs, copying within it as the sandbox does.
// Its times include the emulator's job, in this process; the peak RSS is gwctl's own, the goal is the same.
// RCLONE=0 goes with it (the rclone and --batch-size 1 rows compare the default engine).
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startGcsEmulator } from '@gwctl/emulators/gcs';
import { startStorageTransferEmulator } from '@gwctl/emulators/storagetransfer';

const OBJECTS = Number(process.env.OBJECTS ?? 10_000);
const RUNS = Number(process.env.RUNS ?? 3);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 32);
const LATENCY_MS = Number(process.env.LATENCY_MS ?? 0);
const ENGINE = process.env.ENGINE ?? '';
if (!['', 'sts'].includes(ENGINE)) throw new Error(`ENGINE=${ENGINE}: only sts, or unset for gwctl's own copies`);
const WITH_RCLONE = process.env.RCLONE !== '0' && ENGINE === '';
const engineArgs = ENGINE ? ['--engine', ENGINE] : [];
const root = resolve(import.meta.dirname, '../..');
const SOURCE = 'bench-vault';

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const fmt = (ms) => `${(ms / 1000).toFixed(2)} s`;

/** Runs a process to its end: its time, output and, with `rss`, its peak resident set size in MiB (GNU time). */
function run(cmd, args, env, { rss = false } = {}) {
  return new Promise((resolvePromise, reject) => {
    const t0 = process.hrtime.bigint();
    const [file, argv] = rss ? ['/usr/bin/time', ['-f', 'maxrss-kib=%M', cmd, ...args]] : [cmd, args];
    const child = spawn(file, argv, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (err += c));
    child.on('error', reject);
    child.on('exit', (code) => {
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      const kib = Number(/maxrss-kib=(\d+)/.exec(err)?.[1] ?? NaN);
      if (code !== 0) reject(new Error(`${cmd} ${args.join(' ')} exited ${code}: ${err.slice(-2000)}`));
      else resolvePromise({ ms, out, err, rssMiB: kib / 1024 });
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

/** Vault-like objects: small, distinct, with custom metadata; written straight into the emulator's store. */
function seed(emu, n) {
  emu.putObjects(
    SOURCE,
    (function* () {
      for (let i = 0; i < n; i++) {
        yield {
          name: `logical/${(i % 100).toString().padStart(2, '0')}/${i.toString(36)}-entry`,
          data: Buffer.from(`vault:v1:${i}:${'k'.repeat(100 + (i % 900))}`),
          contentType: 'application/octet-stream',
          metadata: { 'vault-entry': String(i) },
        };
      }
    })(),
  );
}

const gwctlEnv = (dir, config) => ({ GWCTL_CONFIG: config, GWCTL_HOME: dir, NO_COLOR: '1', NODE_ENV: 'production' });

/** A gwctl.yaml for one destination bucket, read once by gwctl as an operator's would have been. */
async function gwctlConfig(dir, url, backups, sts) {
  const file = join(dir, `gwctl-${backups}.yaml`);
  writeFileSync(
    file,
    `audit:\n  file: ./audit.jsonl\nenvironments:\n  bench:\n    project: bench\n    buckets:\n      vault: ${SOURCE}\n      backups: ${backups}\n    emulators:\n      storage: ${url}\n${sts ? `      storagetransfer: ${sts.host}\n` : ''}`,
  );
  await run(process.execPath, [join(root, 'bin', 'run.js'), 'env', 'show', 'bench', '--json'], gwctlEnv(dir, file));
  return file;
}

const gwctl = (dir, config, args) =>
  run(
    process.execPath,
    [join(root, 'bin', 'run.js'), 'backup', ...args, '--env', 'bench', '--json', '--concurrency', String(CONCURRENCY)],
    gwctlEnv(dir, config),
    { rss: true },
  );
/** The `result` of gwctl's JSON envelope. */
const resultOf = (r) => JSON.parse(r.out).result;
const backup = (dir, config, batchSize = 100) =>
  gwctl(dir, config, ['create', '--yes', '--batch-size', String(batchSize), ...engineArgs]);

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
const sts = ENGINE === 'sts' ? await startStorageTransferEmulator({ gcsUrl: emu.url }) : undefined;
const dir = mkdtempSync(join(tmpdir(), 'gwctl-bench-backup-'));
const mib = (r) => `${r.rssMiB.toFixed(0)} MiB RSS`;
try {
  await createBucket(emu.url, SOURCE);
  const t0 = Date.now();
  seed(emu, OBJECTS);
  console.log(
    `seeded ${OBJECTS} objects in ${fmt(Date.now() - t0)}; ${ENGINE ? `--engine ${ENGINE}; ` : ''}concurrency ${CONCURRENCY} for both tools; ${RUNS} runs each; ${LATENCY_MS} ms network round trip per HTTP request`,
  );

  const first = [];
  const unbatched = [];
  const again = [];
  const againRequests = [];
  const verified = [];
  const restored = [];
  const viaRclone = [];
  const rcloneAgain = [];
  const pruned = [];
  const rss = { create: [], rerun: [], verify: [], restore: [], prune: [] };
  const tools = WITH_RCLONE ? ['gwctl', 'rclone', 'unbatched'] : ['gwctl'];
  for (let i = 0; i < RUNS; i++) {
    // Alternate which tool goes first, so drift in machine load does not favour one.
    const order = i % 2 === 0 ? tools : [...tools].reverse();
    for (const tool of order) {
      const bucket = `bench-${tool}-${i}`;
      await createBucket(emu.url, bucket);
      emu.log.clear();
      if (tool === 'unbatched') {
        const r = await backup(dir, await gwctlConfig(dir, emu.url, bucket, sts), 1);
        if (resultOf(r).blobs.copied !== OBJECTS) throw new Error('gwctl --batch-size 1 did not copy every object');
        unbatched.push(r.ms);
        console.log(`  gwctl --batch-size 1 run ${i + 1}: ${fmt(r.ms)}, ${mib(r)} (${counts(emu)})`);
      } else if (tool === 'gwctl') {
        const config = await gwctlConfig(dir, emu.url, bucket, sts);
        const r = await backup(dir, config);
        const out = resultOf(r);
        if (out.objects !== OBJECTS || out.blobs.copied !== OBJECTS)
          throw new Error(`gwctl backed up ${out.objects} objects, copied ${out.blobs.copied}`);
        first.push(r.ms);
        rss.create.push(r.rssMiB);
        console.log(`  gwctl  run ${i + 1}: ${fmt(r.ms)}, ${mib(r)} (${counts(emu)})`);
        emu.log.clear();
        const rerun = await backup(dir, config);
        const copied = resultOf(rerun).blobs.copied;
        if (copied !== 0) throw new Error(`the no-change re-run copied ${copied} blobs`);
        again.push(rerun.ms);
        againRequests.push(httpRequests(emu));
        rss.rerun.push(rerun.rssMiB);
        console.log(`  gwctl  re-run ${i + 1}: ${fmt(rerun.ms)}, ${mib(rerun)} (${counts(emu)})`);
        emu.log.clear();
        const v = await gwctl(dir, config, ['verify', 'latest']);
        if (!resultOf(v).ok) throw new Error('backup verify found problems');
        verified.push(v.ms);
        rss.verify.push(v.rssMiB);
        console.log(`  gwctl  verify ${i + 1}: ${fmt(v.ms)}, ${mib(v)} (${counts(emu)})`);
        emu.log.clear();
        const target = `bench-restored-${i}`;
        const back = await gwctl(dir, config, ['restore', 'latest', '--to-bucket', target, '--yes', ...engineArgs]);
        if (resultOf(back).restored !== OBJECTS || emu.objectCount(target) !== OBJECTS)
          throw new Error(`gwctl restored ${resultOf(back).restored} objects`);
        restored.push(back.ms);
        rss.restore.push(back.rssMiB);
        console.log(`  gwctl  restore ${i + 1}: ${fmt(back.ms)}, ${mib(back)} (${counts(emu)})`);
        emu.log.clear();
        const p = await gwctl(dir, config, ['prune', '--keep', '1', '--yes', '--confirm', 'bench']);
        if (resultOf(p).removed?.length !== 1) throw new Error(`gwctl prune removed ${resultOf(p).removed}`);
        pruned.push(p.ms);
        rss.prune.push(p.rssMiB);
        console.log(`  gwctl  prune ${i + 1}: ${fmt(p.ms)}, ${mib(p)} (${counts(emu)})`);
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
  const g2 = median(again);
  const maxRss = Math.max(...Object.values(rss).flat());
  const rssGoal = OBJECTS <= 100_000 ? 200 : 256;
  const requestGoal = 2 * Math.ceil(OBJECTS / 1000) + 10;
  const goal = (met) => (met ? 'OK' : 'BELOW GOAL');
  console.log('');
  console.log(
    `gwctl backup create (${OBJECTS} objects): ${fmt(g)} median, ${Math.max(...rss.create).toFixed(0)} MiB peak RSS`,
  );
  console.log(
    `gwctl no-change re-run:                  ${fmt(g2)} median, ${Math.max(...rss.rerun).toFixed(0)} MiB peak RSS, ${median(againRequests)} HTTP requests`,
  );
  console.log(
    `gwctl backup verify:                     ${fmt(median(verified))} median, ${Math.max(...rss.verify).toFixed(0)} MiB peak RSS`,
  );
  console.log(
    `gwctl backup restore:                    ${fmt(median(restored))} median, ${Math.max(...rss.restore).toFixed(0)} MiB peak RSS`,
  );
  console.log(
    `gwctl backup prune:                      ${fmt(median(pruned))} median, ${Math.max(...rss.prune).toFixed(0)} MiB peak RSS`,
  );
  if (WITH_RCLONE) {
    const r = median(viaRclone);
    const speedup = r / g;
    const rerunSpeedup = median(rcloneAgain) / g2;
    console.log(
      `rclone copy         (${OBJECTS} objects): ${fmt(r)} median; no-change re-run ${fmt(median(rcloneAgain))}`,
    );
    console.log(
      `gwctl, one request per copy (--batch-size 1): ${fmt(median(unbatched))} median (${(r / median(unbatched)).toFixed(2)}× rclone's speed)`,
    );
    console.log(
      `speed of gwctl relative to rclone (rclone time / gwctl time): ${speedup.toFixed(2)}× (goal ≥ 1.5× at 10 ms, ≥ 1× at 0 ms) ${goal(speedup >= (LATENCY_MS > 0 ? 1.5 : 1))}`,
    );
    console.log(
      `no-change re-run relative to rclone's (rclone re-run / gwctl re-run): ${rerunSpeedup.toFixed(1)}× (goal ≥ 3× at 10 ms) ${goal(LATENCY_MS === 0 || rerunSpeedup >= 3)}`,
    );
  }
  console.log(
    `no-change re-run requests: ${median(againRequests)} (goal ≤ 2·⌈N/1000⌉ + 10 = ${requestGoal}) ${goal(median(againRequests) <= requestGoal)}`,
  );
  const restoreRatio = median(restored) / g;
  console.log(`restore time / backup time: ${restoreRatio.toFixed(2)} (goal ≤ 1.5) ${goal(restoreRatio <= 1.5)}`);
  console.log(`peak RSS of any gwctl run: ${maxRss.toFixed(0)} MiB (goal ≤ ${rssGoal} MiB) ${goal(maxRss <= rssGoal)}`);
} finally {
  await sts?.close();
  await emu.close();
}
