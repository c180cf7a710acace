// The cost of the shared audit log (docs/audit.md), against the GCS emulator with LATENCY_MS (default 10) of
// network round trip on every request:
//
// 1. One audited command (`gwctl bucket ttl set --yes`, a real process, end to end) with `audit.log` set against
//    the same command with the log off (the local file log), median of RUNS runs each. The audit bucket's
//    requests are read from the emulator's request log: how many there were, and how many had to follow one
//    another (the longest chain of requests each starting after the previous one ended). Goal: at most 3
//    sequential round trips per append, so intent + outcome ≤ 6.
// 2. WRITERS processes appending at once, CHANGES write-ahead runs (2 appends) each: all must finish (no
//    livelock), at ≥ 10 appends/s in total.
//
// Run with `npm run build && npm run bench:audit`.
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startGcsEmulator } from '@gwctl/emulators/gcs';

const LATENCY_MS = Number(process.env.LATENCY_MS ?? 10);
const RUNS = Number(process.env.RUNS ?? 5);
const WRITERS = Number(process.env.WRITERS ?? 8);
const CHANGES = Number(process.env.CHANGES ?? 10);
const root = resolve(import.meta.dirname, '../..');
const AUDIT = 'bench-gateway-audit';
const PARCELS = 'gateway-bench-parcels-000000';

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

function run(cmd, args, env) {
  return new Promise((resolvePromise, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (c) => (err += c));
    child.stdout.resume();
    child.on('error', reject);
    child.on('exit', (code) => {
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      if (code !== 0) reject(new Error(`${args.join(' ')} exited ${code}: ${err.slice(-2000)}`));
      else resolvePromise(ms);
    });
  });
}

async function createBucket(url, name, versioning) {
  const res = await fetch(`${url}/storage/v1/b?project=bench`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name, ...(versioning ? { versioning: { enabled: true } } : {}) }),
  });
  if (!res.ok) throw new Error(`creating ${name}: HTTP ${res.status}`);
}

/** The longest chain of requests each starting after the previous one ended: the round trips that add up. */
function sequentialRoundTrips(requests) {
  const spans = requests
    .map((r) => ({ start: Date.parse(r.time), end: Date.parse(r.time) + r.durationMs }))
    .sort((a, b) => a.start - b.start);
  const chain = [];
  spans.forEach((s, i) => {
    let best = 0;
    for (let j = 0; j < i; j++) if (spans[j].end <= s.start) best = Math.max(best, chain[j]);
    chain.push(best + 1);
  });
  return Math.max(0, ...chain);
}

const gcs = await startGcsEmulator({ latencyMs: LATENCY_MS });
try {
  await createBucket(gcs.url, PARCELS, false);
  await createBucket(gcs.url, AUDIT, true);
  const dir = mkdtempSync(join(tmpdir(), 'gwctl-bench-audit-'));
  const yaml = (log) => `audit:
  file: ./audit.jsonl
environments:
  bench:
    project: bench
    kube:
      server: http://127.0.0.1:1
    buckets:
      parcels: ${PARCELS}
${log ? `    audit:\n      log: gs://${AUDIT}/log/\n      signer:\n        keyFile: ./audit.key\n` : ''}    emulators:
      storage: ${gcs.url}
`;
  writeFileSync(join(dir, 'off.yaml'), yaml(false));
  writeFileSync(join(dir, 'on.yaml'), yaml(true));
  const gwctl = (config, days) =>
    run(
      process.execPath,
      [join(root, 'bin/run.js'), 'bucket', 'ttl', 'set', '--env', 'bench', '-d', String(days), '--yes'],
      {
        GWCTL_CONFIG: join(dir, config),
        GWCTL_HOME: join(dir, 'home'),
        NO_COLOR: '1',
      },
    );
  // Warm-up: validate each config once (gwctl caches it), create the key and the log's first checkpoint.
  await gwctl('off.yaml', 3);
  await gwctl('on.yaml', 4);

  const times = { off: [], on: [] };
  const rounds = [];
  const calls = [];
  for (let i = 0; i < RUNS; i++) {
    times.off.push(await gwctl('off.yaml', 5 + (i % 2)));
    gcs.log.clear();
    times.on.push(await gwctl('on.yaml', 5 + ((i + 1) % 2)));
    const audit = gcs.log.list().filter((r) => r.path.includes(`/b/${AUDIT}/`));
    rounds.push(sequentialRoundTrips(audit));
    calls.push(audit.length);
  }
  const added = median(times.on) - median(times.off);
  console.log(`LATENCY_MS=${LATENCY_MS}, median of ${RUNS} runs of gwctl bucket ttl set --yes`);
  console.log(`  audit log off (local file): ${median(times.off).toFixed(0)} ms`);
  console.log(
    `  shared audit log:           ${median(times.on).toFixed(0)} ms (+${added.toFixed(0)} ms, ${(added / LATENCY_MS).toFixed(1)} round trips' worth)`,
  );
  console.log(
    `  audit bucket requests per command: ${median(calls)}; sequential round trips (intent + outcome, the intent's integration beside the apply): ${median(rounds)} — goal ≤ 6`,
  );

  // Contention: WRITERS processes, each CHANGES intent+outcome pairs, on a fresh log.
  const bucket = `${AUDIT}-contention`;
  await createBucket(gcs.url, bucket, false);
  const worker = join(root, 'bench/audit/append-worker.js');
  const writers = Array.from({ length: WRITERS }, (_, w) =>
    spawn(
      process.execPath,
      [worker, gcs.url, bucket, join(dir, 'contention.key'), join(dir, 'runs'), String(w), String(CHANGES)],
      { env: { ...process.env, GWCTL_HOME: join(dir, 'contention-home') }, stdio: ['pipe', 'pipe', 'inherit'] },
    ),
  );
  const exits = writers.map(
    (child) =>
      new Promise((ok, fail) =>
        child.on('exit', (code) => (code === 0 ? ok() : fail(new Error(`a writer exited ${code}`)))),
      ),
  );
  await Promise.all(writers.map((child) => new Promise((ok) => child.stdout.once('data', ok))));
  gcs.log.clear();
  const t0 = performance.now();
  for (const child of writers) child.stdin.end('go\n');
  await Promise.all(exits);
  const seconds = (performance.now() - t0) / 1000;
  const appends = WRITERS * CHANGES * 2;
  const contended = gcs.log.list().filter((r) => r.path.includes(`/b/${bucket}/`));
  const kind = (r) =>
    /ifGenerationMatch=0&.*name=log%2Fseq/.test(r.path)
      ? 'sequence'
      : /name=log%2Fcheckpoint/.test(r.path)
        ? 'checkpoint swap'
        : r.method === 'GET' && /\/o\?/.test(r.path)
          ? 'list'
          : r.method === 'GET'
            ? 'read'
            : 'other write';
  const by = {};
  for (const r of contended) {
    const k = kind(r);
    by[k] ??= { calls: 0, lost: 0 };
    by[k].calls++;
    if (r.status === 412) by[k].lost++;
  }
  console.log(
    `${WRITERS} processes × ${CHANGES} changes (${appends} appends) at once: all finished in ${seconds.toFixed(1)} s, ${(appends / seconds).toFixed(1)} appends/s — goal ≥ 10`,
  );
  console.log(
    `  audit bucket requests: ${Object.entries(by)
      .map(([k, v]) => `${k} ${v.calls}${v.lost ? ` (${v.lost} lost the race)` : ''}`)
      .join(', ')}`,
  );
} finally {
  await gcs.close();
}
