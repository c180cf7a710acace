// Listing a bucket of OBJECTS (default 100,000) objects page after page against listing it over ranges of its
// keyspace side by side (what `backup create`, `verify`, `restore` and `prune` do), on the GCS emulator with
// LATENCY_MS (default 50) added to every request: GCS answers a listing page in 100–300 ms, so page after page
// a million objects take minutes. Goal: ≥ 4× faster at 50 ms. Median of RUNS (default 3) runs each; exits 1
// when the goal is missed. Run with `npm run build && npm run bench:listing`.
//
// The emulator runs in a worker thread, as a server would on its own machine: building a page of a thousand
// objects costs the emulator several times what reading it costs gwctl, and on one thread that work (which
// GCS does on its servers, inside the page's round trip) would be charged to the listing.
//
// Names are Vault's layout (`logical/<mount uuid>/<key>`, `sys/token/id/<hash>`, `core/…`), and a flat variant (hex names, no
// directory to split at) shows the splitting that does not rely on a delimiter.
import { availableParallelism, loadavg } from 'node:os';
import { isMainThread, parentPort, Worker } from 'node:worker_threads';
import { startGcsEmulator } from '@gwctl/emulators/gcs';
import { GcsObjectStore } from '../../dist/lib/cloud/gcs-object-store.js';
import { listInParallel } from '../../dist/lib/cloud/parallel-listing.js';

const OBJECTS = Number(process.env.OBJECTS ?? 100_000);
const RUNS = Number(process.env.RUNS ?? 3);
const LATENCY_MS = Number(process.env.LATENCY_MS ?? 50);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 32);

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const fmt = (ms) => `${(ms / 1000).toFixed(2)} s`;
const hex = (i, n) => ((i * 2654435761) >>> 0).toString(16).padStart(8, '0').repeat(n);

/** Vault's storage layout: secrets under a few mounts, tokens and leases flat under sys/, a little core/. */
function* vaultNames(n) {
  for (let i = 0; i < n; i++) {
    if (i % 10 === 0) yield `sys/token/id/h${hex(i, 2)}`;
    else if (i % 10 === 1) yield `sys/expire/id/auth/token/create/h${hex(i, 2)}`;
    else if (i % 1000 === 2) yield `core/cluster/${hex(i, 1)}`;
    else yield `logical/${hex(i % 7, 4).slice(0, 36)}/${hex(i, 3)}`;
  }
}
function* flatNames(n) {
  for (let i = 0; i < n; i++) yield `${hex(i, 2)}-${i}`;
}

const BUCKETS = { 'bench-vault': vaultNames, 'bench-flat': flatNames };

if (!isMainThread) {
  // The emulator's thread: one bucket per layout, seeded in-process; the request log is counted on demand.
  const emu = await startGcsEmulator({ latencyMs: LATENCY_MS });
  const data = Buffer.from('x');
  for (const [bucket, names] of Object.entries(BUCKETS)) {
    await fetch(`${emu.url}/storage/v1/b?project=bench`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: bucket }),
    });
    emu.putObjects(
      bucket,
      (function* () {
        for (const name of names(OBJECTS)) yield { name, data };
      })(),
    );
  }
  parentPort.on('message', async (m) => {
    if (m === 'requests') parentPort.postMessage({ requests: emu.log.list().length });
    if (m === 'clear') {
      emu.log.clear();
      parentPort.postMessage({ cleared: true });
    }
    if (m === 'close') {
      await emu.close();
      parentPort.close();
    }
  });
  parentPort.postMessage({ url: emu.url });
} else {
  const worker = new Worker(new URL(import.meta.url));
  const ask = (m) =>
    new Promise((resolve) => {
      worker.once('message', resolve);
      if (m) worker.postMessage(m);
    });
  const t0 = performance.now();
  const { url } = await ask();
  console.log(
    `seeded ${Object.keys(BUCKETS).length} × ${OBJECTS} objects in ${fmt(performance.now() - t0)}; ${LATENCY_MS} ms per request; load average ${loadavg()[0].toFixed(1)} on ${availableParallelism()} CPUs`,
  );
  const env = { name: 'bench', source: 'bench', project: 'bench', buckets: {}, emulators: { storage: url } };
  const store = new GcsObjectStore(env);
  try {
    const results = [];
    for (const bucket of Object.keys(BUCKETS)) {
      const count = async (pages) => {
        let n = 0;
        const seen = new Set();
        for await (const page of pages) {
          n += page.length;
          for (const o of page) seen.add(o.name);
        }
        if (n !== OBJECTS || seen.size !== OBJECTS) throw new Error(`${bucket}: listed ${n} (${seen.size} distinct)`);
      };
      const timed = async (what, list) => {
        const times = [];
        let requests = 0;
        for (let i = 0; i < RUNS; i++) {
          await ask('clear');
          const t = performance.now();
          await count(list());
          times.push(performance.now() - t);
          ({ requests } = await ask('requests'));
        }
        console.log(`  ${bucket} ${what}: ${fmt(median(times))} median (${requests} requests)`);
        return median(times);
      };
      const serial = await timed('page after page', () => store.list(bucket));
      const parallel = await timed(`over ranges, ${CONCURRENCY} at once`, () =>
        listInParallel(store, bucket, { concurrency: CONCURRENCY }),
      );
      results.push([bucket, serial / parallel]);
    }
    console.log('');
    let ok = true;
    for (const [bucket, ratio] of results) {
      const met = ratio >= 4;
      ok &&= met;
      console.log(
        `listing ${OBJECTS} objects of ${bucket} at ${LATENCY_MS} ms: ${ratio.toFixed(1)}× faster over ranges (goal ≥ 4×) ${met ? 'OK' : 'BELOW GOAL'}`,
      );
    }
    process.exitCode = ok ? 0 : 1;
  } finally {
    worker.postMessage('close');
  }
}
