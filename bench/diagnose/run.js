// gwctl's HTTP probe timings vs `curl -w` against the same local HTTPS endpoint (the PoWeb stand-in,
// in its own process): medians per phase, N requests each on new connections, in interleaved batches.
// Goal: every median within 2 ms. Run with `npm run bench:diagnose` after `npm run build`.
// Env: REQUESTS (default 100), BATCH (default 10), HOST (127.0.0.1, or localhost to include a DNS lookup).
//
// curl runs a batch of URLs per process with `Connection: close` and no TLS session reuse, so each is a new
// connection and handshake, and the first of each batch is dropped: a fresh curl pays OpenSSL's start-up
// inside its first time_appconnect, which is curl's cost, not the network's. gwctl's probe is warm likewise.
import { execFile, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { createSecureContext } from 'node:tls';
import { promisify } from 'node:util';
import { timedRequest } from '../../dist/lib/diagnose/timed-request.js';

const requests = Number(process.env.REQUESTS ?? 100);
const batch = Number(process.env.BATCH ?? 10);
const host = process.env.HOST ?? '127.0.0.1';
const goalMs = 2;
const phases = ['dns', 'connect', 'tls', 'ttfb', 'total'];
const run = promisify(execFile);

const child = spawn(process.execPath, [new URL('./stand-in.js', import.meta.url).pathname], {
  stdio: ['pipe', 'pipe', 'inherit'],
});
const { url: standInUrl, caFile } = JSON.parse(
  await new Promise((resolve) => createInterface({ input: child.stdout }).once('line', resolve)),
);
const url = new URL('/', standInUrl.replace('127.0.0.1', host));
const secureContext = createSecureContext({ ca: readFileSync(caFile, 'utf8') });

async function gwctlBatch(n) {
  const out = [];
  for (let i = 0; i < n; i++) {
    const { status, timings: t } = await timedRequest(url, { method: 'GET', secureContext, timeoutMs: 10_000 });
    if (status !== 200) throw new Error(`gwctl probe got ${status}`);
    out.push({ dns: t.dnsMs, connect: t.connectMs, tls: t.tlsMs, ttfb: t.ttfbMs, total: t.totalMs });
  }
  return out;
}

async function curlBatch(n) {
  const format =
    '%{http_code} %{num_connects} %{time_namelookup} %{time_connect} %{time_appconnect} %{time_starttransfer} %{time_total}\\n';
  const args = ['-s', '--cacert', caFile, '--no-sessionid', '-H', 'Connection: close', '-w', format];
  for (let i = 0; i < n + 1; i++) args.push('-o', '/dev/null', url.href);
  const { stdout } = await run('curl', args);
  const lines = stdout.trim().split('\n').slice(1); // the first pays curl's OpenSSL start-up
  return lines.map((line) => {
    const [code, connects, ...seconds] = line.split(' ');
    if (code !== '200' || connects !== '1') throw new Error(`curl: status ${code}, ${connects} new connection(s)`);
    const [dns, connect, tls, ttfb, total] = seconds.map((v) => Number(v) * 1000);
    return { dns, connect, tls, ttfb, total };
  });
}

const median = (values) => {
  const s = [...values].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const samples = { gwctl: [], curl: [] };
try {
  await gwctlBatch(3); // warm-up: JIT, TLS library
  for (let done = 0; done < requests; done += batch) {
    const n = Math.min(batch, requests - done);
    // Alternate which goes first, so neither always runs on a just-warmed server.
    const order = (done / batch) % 2 ? ['curl', 'gwctl'] : ['gwctl', 'curl'];
    for (const name of order) samples[name].push(...(await (name === 'gwctl' ? gwctlBatch(n) : curlBatch(n))));
  }
} finally {
  child.stdin.end();
}

console.log(
  `${requests} requests each to ${url.href} (new connection per request); medians in ms, cumulative like curl -w`,
);
console.log(['phase', 'gwctl', 'curl', 'diff', `within ${goalMs} ms`].map((h) => h.padStart(10)).join(''));
let ok = true;
for (const phase of phases) {
  const g = median(samples.gwctl.map((s) => s[phase]));
  const c = median(samples.curl.map((s) => s[phase]));
  const within = Math.abs(g - c) <= goalMs;
  ok &&= within;
  console.log(
    [phase, g.toFixed(3), c.toFixed(3), (g - c).toFixed(3), within ? 'yes' : 'NO']
      .map((v) => String(v).padStart(10))
      .join(''),
  );
}
console.log(ok ? 'goal met: every phase median within 2 ms of curl' : 'goal missed: see the phases marked NO');
process.exitCode = ok ? 0 : 1;
