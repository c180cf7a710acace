// `gwctl verify infra` on an environment of OBJECTS (default 500) declared Kubernetes objects and its
// buckets: counts the requests the Kubernetes emulator answered, by kind of request. Goal: one list per
// kind and namespace (paged by 500), and not one get per object, so a verification costs the same
// handful of requests for 50 objects or 5,000. Run with `npm run build && npm run bench:verify`; exits 1
// when a goal is missed. The run is also timed (process start included), for information.
//
// The objects: Deployments (each with the ReplicaSet and pod its controllers make), Services,
// ConfigMaps, Secrets, ServiceAccounts and PersistentVolumeClaims, in one namespace, all declared by a
// rendered manifest file; the code matches the cluster, so the run must also exit 0.
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startGcsEmulator } from '@gwctl/emulators/gcs';
import { startKubeEmulator } from '@gwctl/emulators/kube';
import { stringify } from 'yaml';

const OBJECTS = Number(process.env.OBJECTS ?? 500);
const root = resolve(import.meta.dirname, '../..');
const NS = 'gateway';
const IMAGE = `relaycorp/relaynet-internet-gateway:1.0.0@sha256:${'4'.repeat(64)}`;

/** OBJECTS objects, in roughly the proportions of a real gateway namespace. */
function declaredObjects() {
  const shares = [
    ['Deployment', 0.12],
    ['Service', 0.12],
    ['ConfigMap', 0.4],
    ['Secret', 0.2],
    ['ServiceAccount', 0.08],
    ['PersistentVolumeClaim', 0.08],
  ];
  const out = [];
  shares.forEach(([kind, share], k) => {
    const n = k === shares.length - 1 ? OBJECTS - out.length : Math.round(OBJECTS * share);
    for (let i = 0; i < n; i++) out.push(make(kind, `${kind.toLowerCase()}-${i}`));
  });
  return out;
}

function make(kind, name) {
  const metadata = { name, namespace: NS, labels: { app: name } };
  switch (kind) {
    case 'Deployment':
      return {
        apiVersion: 'apps/v1',
        kind,
        metadata,
        spec: {
          replicas: 1,
          selector: { matchLabels: { app: name } },
          template: {
            metadata: { labels: { app: name } },
            spec: { containers: [{ name: 'main', image: IMAGE, ports: [{ containerPort: 8080 }] }] },
          },
        },
      };
    case 'Service':
      return {
        apiVersion: 'v1',
        kind,
        metadata,
        spec: { selector: { app: name }, ports: [{ port: 80, targetPort: 8080 }] },
      };
    case 'ConfigMap':
      return { apiVersion: 'v1', kind, metadata, data: { 'config.json': JSON.stringify({ name, level: 'info' }) } };
    case 'Secret':
      return { apiVersion: 'v1', kind, metadata, type: 'Opaque', data: { key: Buffer.from(name).toString('base64') } };
    case 'ServiceAccount':
      return { apiVersion: 'v1', kind, metadata };
    case 'PersistentVolumeClaim':
      return {
        apiVersion: 'v1',
        kind,
        metadata,
        spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
      };
  }
  throw new Error(kind);
}

/** What a Kubernetes API request was: discovery, a list of a collection, or a get of one object. */
function classify(path) {
  const p = path.split('?')[0];
  if (p === '/api' || p === '/apis' || /^\/api\/v1$/.test(p) || /^\/apis\/[^/]+(\/[^/]+)?$/.test(p)) return 'discovery';
  const rest = p.startsWith('/api/') ? p.split('/').slice(3) : p.split('/').slice(4);
  const inNamespace = rest[0] === 'namespaces' && rest.length >= 3;
  const tail = inNamespace ? rest.slice(2) : rest;
  return tail.length === 1 ? 'list' : 'get';
}

function run(args, env) {
  return new Promise((resolvePromise, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(process.execPath, [join(root, 'bin/run.js'), ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (err += c));
    child.on('error', reject);
    child.on('exit', (code) => resolvePromise({ code, ms: Number(process.hrtime.bigint() - t0) / 1e6, out, err }));
  });
}

const [kube, gcs] = await Promise.all([startKubeEmulator(), startGcsEmulator()]);
try {
  const objects = declaredObjects();
  kube.seed([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } }, ...objects]);
  const buckets = ['gateway-bench-parcels-000001', 'relaycorp-gateway-bench-vault'];
  const state = { format_version: '1.0', values: { root_module: { resources: [] } } };
  for (const name of buckets) {
    const res = await fetch(`${gcs.url}/storage/v1/b?project=bench`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name, location: 'EUROPE-WEST1', versioning: { enabled: true } }),
    });
    if (!res.ok) throw new Error(`creating ${name}: HTTP ${res.status}`);
    state.values.root_module.resources.push({
      address: `google_storage_bucket.${name}`,
      mode: 'managed',
      type: 'google_storage_bucket',
      name,
      values: { name, location: 'EUROPE-WEST1', versioning: [{ enabled: true }] },
    });
  }

  const dir = mkdtempSync(join(tmpdir(), 'gwctl-bench-verify-'));
  writeFileSync(
    join(dir, 'rendered.yaml'),
    [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } }, ...objects]
      .map((o) => `---\n${stringify(o)}`)
      .join(''),
  );
  writeFileSync(join(dir, 'state.json'), JSON.stringify(state));
  writeFileSync(
    join(dir, 'gwctl.yaml'),
    `environments:
  bench:
    project: bench
    kube: { server: ${kube.url}, namespace: ${NS} }
    buckets: { parcels: ${buckets[0]}, vault: ${buckets[1]} }
    emulators: { storage: ${gcs.url} }
    infra: { manifests: rendered.yaml, terraformState: state.json }
`,
  );

  const before = kube.log.list({ service: 'kube' }).length;
  const r = await run(['verify', 'infra', '--env', 'bench', '--json'], {
    GWCTL_CONFIG: join(dir, 'gwctl.yaml'),
    GWCTL_HOME: join(dir, 'home'),
    NO_COLOR: '1',
  });
  if (r.code !== 0) throw new Error(`verify infra exited ${r.code}: ${r.err.slice(-2000)}\n${r.out.slice(0, 2000)}`);
  const report = JSON.parse(r.out).result; // gwctl's JSON envelope: {status, result, warnings}
  const requests = kube.log.list({ service: 'kube' }).slice(before);
  const count = { discovery: 0, list: 0, get: 0, pages: 0 };
  const lists = new Map();
  for (const q of requests) {
    const kind = classify(q.path);
    // A follow-up page (`continue=`) belongs to the list it continues.
    if (kind === 'list' && q.path.includes('continue=')) count.pages++;
    else count[kind]++;
    if (kind === 'list' && !q.path.includes('continue=')) {
      const key = q.path.split('?')[0];
      lists.set(key, (lists.get(key) ?? 0) + 1);
    }
  }
  const duplicated = [...lists].filter(([, n]) => n > 1);
  console.log(
    `verify infra on ${objects.length} declared objects (${report.counts.listed} live objects read) and ${buckets.length} buckets`,
  );
  console.log(`  exit ${r.code}, ${report.counts.drifts} drift(s), ${(r.ms / 1000).toFixed(2)} s end to end`);
  console.log(
    `  Kubernetes requests: ${count.list} lists (+${count.pages} follow-up pages) of ${lists.size} collections, ${count.get} gets, ${count.discovery} discovery`,
  );
  console.log(`  a get per object would have been ${objects.length} requests`);
  const failures = [];
  if (count.get > 0) failures.push(`${count.get} get(s) of single objects`);
  if (duplicated.length > 0)
    failures.push(`collections listed more than once: ${duplicated.map(([p]) => p).join(', ')}`);
  if (report.counts.drifts > 0) failures.push(`${report.counts.drifts} drift(s) where the code matches the cluster`);
  if (failures.length) {
    console.log(`FAIL: ${failures.join('; ')}`);
    process.exitCode = 1;
  } else console.log('PASS: one list per kind and namespace, no get per object');
} finally {
  await Promise.all([kube.close(), gcs.close()]);
}
