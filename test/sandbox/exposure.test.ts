import { chmodSync, lstatSync, readdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acceptsConnections, isLoopback, listeningSockets, networkAddresses } from '@gwctl/emulators/testing';
import { runGwctl, tempDir, resultOf } from '../helpers/cli.js';

/** Every path under `root` with its permission bits (symbolic links as they are, not followed). */
function modes(root: string): Map<string, number> {
  const out = new Map<string, number>();
  const walk = (path: string) => {
    const stat = lstatSync(path);
    out.set(path, stat.mode & 0o777);
    if (stat.isDirectory()) for (const name of readdirSync(path)) walk(join(path, name));
  };
  walk(root);
  return out;
}

const loose = (m: Map<string, number>) =>
  [...m].filter(([path, mode]) => !lstatSync(path).isSymbolicLink() && (mode & 0o077) !== 0).map(([p]) => p);

describe('a running sandbox exposes its data to its owner only', () => {
  const home = tempDir();
  const dir = join(home, 'sandbox');
  const outside = join(tempDir(), 'not-the-sandbox.txt');
  let pid: number;
  let looseAfterFirstRun: string[];

  beforeAll(async () => {
    // A first run seeds; then everything is loosened by hand, as a copy or an old gwctl might leave it.
    const first = await runGwctl(['sandbox', 'start', '--detach'], { env: { GWCTL_HOME: home } });
    expect(first.code, first.stderr).toBe(0);
    looseAfterFirstRun = loose(modes(dir));
    await runGwctl(['sandbox', 'stop'], { env: { GWCTL_HOME: home } });
    for (const path of modes(dir).keys()) chmodSync(path, statSync(path).isDirectory() ? 0o777 : 0o666);
    writeFileSync(outside, 'someone else’s file');
    chmodSync(outside, 0o644);
    symlinkSync(outside, join(dir, 'data', 'link-out'));

    const again = await runGwctl(['sandbox', 'start', '--detach', '--json'], { env: { GWCTL_HOME: home } });
    expect(again.code, again.stderr).toBe(0);
    pid = resultOf(again).pid;
  });
  afterAll(() => runGwctl(['sandbox', 'stop'], { env: { GWCTL_HOME: home } }));

  it('writes every file 0600, in directories 0700, from the first run', () => {
    expect(looseAfterFirstRun).toEqual([]);
  });

  it('re-tightens at start: files 0600 (Secrets in kube-state.json, GCS blobs) in directories 0700', () => {
    const m = modes(dir);
    expect(loose(m)).toEqual([]);
    expect(m.get(join(dir, 'data', 'kube', 'kube-state.json'))).toBe(0o600);
    expect(m.get(join(dir, 'data', 'gcs', 'gcs-blobs'))).toBe(0o700);
    expect(readdirSync(join(dir, 'data', 'gcs', 'gcs-blobs')).length).toBeGreaterThanOrEqual(300);
    expect(m.get(dir)).toBe(0o700);
  });

  it('leaves what a symbolic link points to alone', () => {
    expect(statSync(outside).mode & 0o777).toBe(0o644);
  });

  it.runIf(process.platform === 'linux')('listens on 127.0.0.1 only (every socket of its process)', () => {
    const listeners = listeningSockets(pid);
    // gcs, kube, mongodb, firestore (recorder and library), monitoring, poweb LB and backend, cogrpc.
    expect(listeners.length).toBeGreaterThanOrEqual(9);
    expect(listeners.filter((l) => !isLoopback(l.address))).toEqual([]);
  });

  it.runIf(process.platform === 'linux')('cannot be reached through the host’s network interfaces', async () => {
    for (const address of networkAddresses())
      for (const { port } of listeningSockets(pid))
        expect(await acceptsConnections(address, port), `${address}:${port}`).toBe(false);
  });
});
