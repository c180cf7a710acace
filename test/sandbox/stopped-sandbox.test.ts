import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ownIdentity, writeSandboxState } from '../../src/lib/sandbox/state.js';
import { runGwctl, tempDir, resultOf } from '../helpers/cli.js';

const NOT_RUNNING = 'error: the sandbox is not running: start it with `gwctl sandbox start`';

// Every command that takes an environment, with arguments it accepts, so only the sandbox check can refuse it.
const COMMANDS = [
  ['bucket', 'ttl', 'show', '--env', 'sandbox'],
  ['bucket', 'ttl', 'set', '--env', 'sandbox', '--days', '7', '--dry-run'],
  ['backup', 'list', '--env', 'sandbox'],
  ['backup', 'create', '--env', 'sandbox', '--dry-run'],
  ['backup', 'verify', 'latest', '--env', 'sandbox'],
  ['backup', 'prune', '--env', 'sandbox', '--keep', '3', '--dry-run'],
  ['backup', 'restore', 'latest', '--env', 'sandbox', '--to-bucket', 'restored-vault', '--dry-run'],
  ['backup', 'schedule', '--env', 'sandbox', '--every', '12h'],
  ['env', 'show', 'sandbox'],
  ['env', 'status', 'sandbox'],
  ['env', 'protect', 'sandbox', '--dry-run'],
  ['env', 'unprotect', 'sandbox', '--dry-run'],
  ['env', 'deprovision', 'sandbox', '--dry-run'],
  ['migrate', 'keyev', '--env', 'sandbox', '--dry-run'],
  ['migrate', 'keystore', '--env', 'sandbox', '--dry-run'],
  ['diagnose', 'parcels', '--env', 'sandbox'],
];

/**
 * Where the Google SDKs would go without the sandbox's endpoints, all pointed at one listener that records
 * every connection: HTTP(S) and gRPC proxies, the GCE metadata server, OAuth (via the proxy) with a user
 * credential file, and a kubeconfig whose `gwctl-sandbox` context is this listener.
 */
function wouldReachGoogle(home: string, port: number): NodeJS.ProcessEnv {
  const proxy = `http://127.0.0.1:${port}`;
  mkdirSync(home, { recursive: true });
  const credentials = join(home, 'adc.json');
  writeFileSync(
    credentials,
    JSON.stringify({ type: 'authorized_user', client_id: 'x', client_secret: 'y', refresh_token: 'z' }),
  );
  const kubeconfig = join(home, 'kubeconfig');
  writeFileSync(
    kubeconfig,
    `apiVersion: v1
kind: Config
clusters: [{ name: c, cluster: { server: '${proxy}' } }]
users: [{ name: u, user: { token: t } }]
contexts: [{ name: gwctl-sandbox, context: { cluster: c, user: u } }]
current-context: gwctl-sandbox
`,
  );
  return {
    GWCTL_HOME: home,
    HTTPS_PROXY: proxy,
    HTTP_PROXY: proxy,
    https_proxy: proxy,
    http_proxy: proxy,
    grpc_proxy: proxy,
    NO_PROXY: '',
    no_proxy: '',
    GCE_METADATA_HOST: `127.0.0.1:${port}`,
    GCE_METADATA_IP: `127.0.0.1:${port}`,
    GOOGLE_APPLICATION_CREDENTIALS: credentials,
    KUBECONFIG: kubeconfig,
    STORAGE_EMULATOR_HOST: '',
    FIRESTORE_EMULATOR_HOST: '',
  };
}

describe('--env sandbox while the sandbox is stopped', () => {
  let recorder: Server;
  let port: number;
  const connections: string[] = [];
  let unrelated: ChildProcess;

  beforeAll(async () => {
    recorder = createServer((socket) => {
      socket.once('data', (d) => connections.push(d.toString('latin1').split('\r\n')[0]!));
      connections.push('connection');
      socket.destroy();
    });
    await new Promise<void>((r) => recorder.listen(0, '127.0.0.1', r));
    port = (recorder.address() as { port: number }).port;
    unrelated = spawn('sleep', ['300'], { stdio: 'ignore' });
  });
  afterAll(async () => {
    unrelated.kill();
    await new Promise((r) => recorder.close(r));
  });

  it('every command refuses with exit 2 and one line, and nothing tries to reach Google', async () => {
    const env = wouldReachGoogle(join(tempDir(), 'home'), port);
    const results = await Promise.all(COMMANDS.map((args) => runGwctl(args, { cwd: tempDir(), env })));
    results.forEach((r, i) => {
      expect({ command: COMMANDS[i]!.join(' '), code: r.code, stderr: r.stderr.trim() }).toEqual({
        command: COMMANDS[i]!.join(' '),
        code: 2,
        stderr: NOT_RUNNING,
      });
    });
    expect(connections).toEqual([]);
  });

  it('$GWCTL_ENV=sandbox refuses the same way', async () => {
    const env = { ...wouldReachGoogle(join(tempDir(), 'home'), port), GWCTL_ENV: 'sandbox' };
    const r = await runGwctl(['bucket', 'ttl', 'show'], { cwd: tempDir(), env });
    expect([r.code, r.stderr.trim()]).toEqual([2, NOT_RUNNING]);
    expect(connections).toEqual([]);
  });

  it('a state file left by a killed sandbox, its pid now another process, does not count as running', async () => {
    const home = join(tempDir(), 'home');
    const env = wouldReachGoogle(home, port);
    mkdirSync(join(home, 'sandbox'), { recursive: true });
    const dead = `http://127.0.0.1:${port}`;
    writeFileSync(
      join(home, 'sandbox', 'state.json'),
      JSON.stringify({
        pid: unrelated.pid,
        processStart: '1',
        startedAt: new Date(0).toISOString(),
        dir: join(home, 'sandbox'),
        endpoints: { gcs: dead, kube: dead, mongodb: 'mongodb://127.0.0.1:1', firestore: dead, monitoring: dead },
      }),
    );
    for (const args of [COMMANDS[0]!, COMMANDS[9]!, COMMANDS[13]!]) {
      const r = await runGwctl(args, { cwd: tempDir(), env });
      expect([args.join(' '), r.code, r.stderr.trim()]).toEqual([args.join(' '), 2, NOT_RUNNING]);
    }
    expect(connections).toEqual([]);
  });

  it('a running sandbox whose state file was edited to point away from this machine is refused', async () => {
    const home = join(tempDir(), 'home');
    const env = wouldReachGoogle(home, port);
    mkdirSync(join(home, 'sandbox'), { recursive: true });
    const local = `http://127.0.0.1:${port}`;
    writeSandboxState(join(home, 'sandbox'), {
      ...ownIdentity(), // this test's own process: alive, and started when the state says
      startedAt: new Date().toISOString(),
      dir: join(home, 'sandbox'),
      endpoints: {
        gcs: 'https://storage.googleapis.com',
        kube: local,
        mongodb: 'mongodb://127.0.0.1:1',
        firestore: '127.0.0.1:1',
        monitoring: 'monitoring.googleapis.com:443',
        cloudbuild: 'cloudbuild.googleapis.com:443',
      },
    });
    const r = await runGwctl(['bucket', 'ttl', 'show', '--env', 'sandbox'], { cwd: tempDir(), env });
    expect([r.code, r.stderr.trim()]).toEqual([2, NOT_RUNNING]);
    expect(connections).toEqual([]);
  });

  it('env list still lists the sandbox', async () => {
    const r = await runGwctl(['env', 'list', '--json'], { cwd: tempDir(), env: { GWCTL_HOME: tempDir() } });
    expect(r.code, r.stderr).toBe(0);
    expect(resultOf(r).environments).toEqual([
      {
        name: 'sandbox',
        project: 'gwctl-sandbox',
        region: 'local',
        namespace: 'default',
        source: 'built-in (gwctl sandbox)',
      },
    ]);
  });
});
